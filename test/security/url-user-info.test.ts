/**
 * A proxy's user name and password written into a base URL
 * (`http://user:pass@proxy/...`) are sent, and never printed: not in an
 * error's message, fields or inspection, not in the CLI's progress line or
 * its report, not in a refused download's message.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { DownloadRefusedError, isIdvError } from 'idv-providers';
import { assertAllowedUrl, describeUrl } from 'idv-providers/kit';
import { onfido } from 'idv-providers/onfido';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers';

const USER = 'proxyUserName7';
const PASSWORD = 'Pr0xyPassw0rd-d41e8';
const EVERY_FORM = [
  PASSWORD,
  PASSWORD.toLowerCase(),
  PASSWORD.toUpperCase(),
  encodeURIComponent(PASSWORD),
  Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
  USER,
];

function expectNoCredentials(text: string): void {
  for (const form of EVERY_FORM) expect(text).not.toContain(form);
}

let server: Server;
let origin: string;
let sawAuthorization: string | undefined;

beforeAll(async () => {
  // Answers 401 and echoes what it was sent, as a misbehaving proxy or API might.
  server = createServer((req, res) => {
    sawAuthorization = req.headers['authorization'] ?? req.headers['proxy-authorization'];
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: {
          type: 'authorization_error',
          message: `refused ${String(sawAuthorization)} for ${USER}:${PASSWORD} (${PASSWORD.toLowerCase()})`,
        },
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
});

describe('describeUrl removes user-info, query and fragment', () => {
  it.each([
    ['http://user:pass@proxy.internal/v3.6/applicants', 'http://proxy.internal/v3.6/applicants'],
    ['https://user@api.example/v1?token=abc#frag', 'https://api.example/v1'],
    ['http://user:p%40ss@proxy:8080', 'http://proxy:8080'],
    ['http://u:p#ss@proxy/x', 'http://proxy/x'],
    ['http://u:p?ss@proxy/x', 'http://proxy/x'],
    ['//user:pass@proxy/x', '//proxy/x'],
    ['HTTP://USER:PASS@PROXY/X', 'HTTP://PROXY/X'],
    ['/v3.6/documents/a@b/download', '/v3.6/documents/a@b/download'],
    ['https://api.example/people/a@b.example', 'https://api.example/people/a@b.example'],
    ['not a url at all', 'not a url at all'],
  ])('%s → %s', (given, shown) => {
    expect(describeUrl(given)).toBe(shown);
  });
});

describe('a proxy password in a base URL', () => {
  it('is sent to the server, and is in no part of the error a refused request gives', async () => {
    const idv = onfido({
      apiToken: 'api_sandbox.user-info-test-token',
      baseUrl: `http://${USER}:${PASSWORD}@${origin}/v3.6`,
      verificationSiteUrl: 'https://verify.example.com/',
      maxRetries: 0,
    });
    const error = await idv.checkConnection().catch((e: unknown) => e);
    expect(isIdvError(error)).toBe(true);
    // The credentials did travel (as the proxy's Basic auth, or the API token).
    expect(sawAuthorization).toBeDefined();
    for (const text of [
      String(error),
      (error as Error).message,
      JSON.stringify(error),
      inspect(error, { depth: Number.POSITIVE_INFINITY }),
    ]) {
      expectNoCredentials(text);
    }
    expect((error as Error).message).toContain(`http://${origin}/v3.6`);
  });

  it('is not in a network failure either (nothing listening)', async () => {
    const idv = onfido({
      apiToken: 'api_sandbox.user-info-test-token',
      baseUrl: `http://${USER}:${PASSWORD}@127.0.0.1:9/v3.6`,
      verificationSiteUrl: 'https://verify.example.com/',
      maxRetries: 0,
      timeoutMs: 2000,
    });
    const error = await idv.checkConnection().catch((e: unknown) => e);
    expect(isIdvError(error)).toBe(true);
    expectNoCredentials(`${String(error)} ${inspect(error, { depth: Number.POSITIVE_INFINITY })}`);
  });

  it('is not in the message of a download refused for its host', () => {
    const error = (() => {
      try {
        assertAllowedUrl(`https://${USER}:${PASSWORD}@evil.example/x?sig=1`, ['https://api'], 'x');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expectNoCredentials((error as Error).message);
    expect((error as Error).message).toContain('https://evil.example/x');
  });

  it("is not in the CLI's progress line, configuration echo or report (idv-providers check)", async () => {
    const run = await cli(['check'], {
      IDV_PROVIDER: 'onfido',
      IDV_ONFIDO_API_TOKEN: 'api_sandbox.user-info-test-token-000',
      IDV_ONFIDO_BASE_URL: `http://${USER}:${PASSWORD}@${origin}/v3.6`,
      IDV_ONFIDO_VERIFICATION_SITE_URL: 'https://verify.example.com/',
      IDV_MAX_RETRIES: '0',
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`checking the connection to onfido at http://${origin}/v3.6`);
    expectNoCredentials(run.stdout);
    expectNoCredentials(run.stderr);
  });
});
