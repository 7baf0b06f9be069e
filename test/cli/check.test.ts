import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, type Served, serveBoth } from './helpers';

// No MSW interception: the CLI reaches the emulators over a real socket.
let served: Served;
let dir: string;

beforeAll(async () => {
  served = await serveBoth();
  dir = await mkdtemp(join(tmpdir(), 'idv-cli-check-'));
});
afterEach(() => {
  served.onfido.reset();
  served.jumio.reset();
});
afterAll(async () => {
  await served.server.close();
  await rm(dir, { recursive: true, force: true });
});

const WRONG_ONFIDO_TOKEN = 'api_sandbox.this-token-is-wrong-0123456789';
const WRONG_JUMIO_SECRET = 'not-the-jumio-client-secret-9876';

/** `${NAME}`, a reference to an environment variable in a config file. */
const ref = (name: string): string => ['$', '{', name, '}'].join('');

function expectNoSecret(output: string, ...secrets: string[]): void {
  for (const secret of secrets) expect(output).not.toContain(secret);
}

describe('check against the Onfido emulator', () => {
  it('accepts the right token: exit 0 with provider, base URL, latency and detail', async () => {
    const run = await cli(['check'], served.onfidoEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✔ configuration is valid');
    expect(run.stdout).toContain('✔ onfido accepted the credentials');
    expect(run.stdout).toMatch(/provider\s+onfido/);
    expect(run.stdout).toContain(`base URL  ${served.server.url}/onfido/v3.6`);
    expect(run.stdout).toMatch(/latency\s+\d+ ms/);
    expect(run.stdout).toContain('GET /applicants answered: the API token was accepted');
    expect(run.stderr).toContain(
      `… checking the connection to onfido at ${served.server.url}/onfido/v3.6`,
    );
    expect(served.onfido.requestCount('GET', /\/applicants$/)).toBe(1);
    expectNoSecret(run.stdout + run.stderr, served.onfido.apiToken);
  });

  it('shows the token masked to its first four characters', async () => {
    const run = await cli(['check'], served.onfidoEnv);
    expect(run.stdout).toMatch(/IDV_ONFIDO_API_TOKEN\s+api_…\n/);
  });

  it('reports a refused token with exit 3, the HTTP status and what to check', async () => {
    const run = await cli(['check'], {
      ...served.onfidoEnv,
      IDV_ONFIDO_API_TOKEN: WRONG_ONFIDO_TOKEN,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('✖ onfido refused the credentials (HTTP 401)');
    expect(run.stderr).toContain('[idv] [onfido] the API token was refused by');
    expect(run.stderr).toContain(
      'hint: check IDV_ONFIDO_API_TOKEN (and that IDV_ONFIDO_BASE_URL points at the right API)',
    );
    expect(run.stdout).not.toContain('accepted the credentials');
    expectNoSecret(run.stdout + run.stderr, WRONG_ONFIDO_TOKEN, served.onfido.apiToken);
  });

  it('reports a 503 as a provider failure, exit 4', async () => {
    served.onfido.fail({ kind: 'status', status: 503 });
    const run = await cli(['check'], served.onfidoEnv);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('✖ onfido answered with an error (HTTP 503)');
  });

  it('reports a rate limit as a provider failure, exit 4', async () => {
    served.onfido.fail({ kind: 'status', status: 429 });
    const run = await cli(['check'], served.onfidoEnv);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('✖ onfido is rate limiting requests (HTTP 429)');
  });

  it('reports an unreachable host as exit 4 with the address to check', async () => {
    const closed = `http://127.0.0.1:1/onfido/v3.6`;
    const run = await cli(['check'], { ...served.onfidoEnv, IDV_ONFIDO_BASE_URL: closed });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('✖ onfido could not be reached');
    expect(run.stderr).toContain(`hint: is ${closed} the right address`);
  });
});

describe('check against the Jumio emulator', () => {
  it('accepts the right client credentials: exit 0', async () => {
    const run = await cli(['check'], served.jumioEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✔ jumio accepted the credentials');
    expect(run.stdout).toContain(`base URL  ${served.server.url}/jumio/auth`);
    expect(run.stdout).toContain('OAuth2 client credentials accepted');
    expectNoSecret(run.stdout + run.stderr, served.jumio.clientSecret, served.jumio.clientId);
  });

  it('reports a wrong client secret with exit 3, never printing either secret', async () => {
    const run = await cli(['check'], {
      ...served.jumioEnv,
      IDV_JUMIO_CLIENT_SECRET: WRONG_JUMIO_SECRET,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('✖ jumio refused the credentials (HTTP 401)');
    expect(run.stderr).toContain('hint: check IDV_JUMIO_CLIENT_ID, IDV_JUMIO_CLIENT_SECRET');
    expect(run.stdout).toMatch(/IDV_JUMIO_CLIENT_SECRET\s+not-…\n/);
    expectNoSecret(
      run.stdout + run.stderr,
      WRONG_JUMIO_SECRET,
      served.jumio.clientSecret,
      served.jumio.clientId,
    );
  });
});

describe('check: configuration errors exit 2 before any request', () => {
  it('names a missing option and its variable', async () => {
    const { IDV_JUMIO_CLIENT_SECRET: _, ...env } = served.jumioEnv;
    const run = await cli(['check'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('✖ invalid configuration');
    expect(run.stderr).toContain(
      '[idv] [jumio] missing option "clientSecret" (IDV_JUMIO_CLIENT_SECRET)',
    );
    expect(served.jumio.tokenRequests()).toBe(0);
  });

  it('names an unknown provider and the valid ones', async () => {
    const run = await cli(['check'], { IDV_PROVIDER: 'sumsub' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '[idv] unknown provider "sumsub": expected one of "onfido", "jumio"',
    );
  });

  it('says how to give a provider when none is', async () => {
    const run = await cli(['check'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '[idv] no provider given: set IDV_PROVIDER to one of "onfido", "jumio"',
    );
  });

  it('refuses a misspelt variable, naming the valid ones', async () => {
    const run = await cli(['check'], { ...served.onfidoEnv, IDV_ONFIDO_REGON: 'US' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown environment variable IDV_ONFIDO_REGON');
    expect(run.stderr).toContain('IDV_ONFIDO_REGION');
  });

  it('names the valid choices of an invalid value', async () => {
    const run = await cli(['check'], { ...served.jumioEnv, IDV_JUMIO_REGION: 'mars-1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid option "region" (IDV_JUMIO_REGION): expected one of');
    expect(run.stderr).toContain('"emea-1"');
  });
});

describe('check --config', () => {
  it('reads a JSON file, with $-brace references taken from the environment', async () => {
    const file = join(dir, 'onfido.json');
    await writeFile(
      file,
      JSON.stringify({
        provider: 'onfido',
        apiToken: ref('ONFIDO_TOKEN'),
        baseUrl: `${served.server.url}/onfido/v3.6`,
        verificationSiteUrl: 'https://verify.example.com/onfido/',
      }),
    );
    const run = await cli(['check', '--config', file], { ONFIDO_TOKEN: served.onfido.apiToken });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`provider onfido (from ${file})`);
    expect(run.stdout).toMatch(/apiToken\s+api_…\n/);
    expectNoSecret(run.stdout + run.stderr, served.onfido.apiToken);
  });

  it('resolves a relative path against io.cwd', async () => {
    await writeFile(
      join(dir, 'jumio.json'),
      JSON.stringify({
        provider: 'jumio',
        clientId: served.jumio.clientId,
        clientSecret: served.jumio.clientSecret,
        authBaseUrl: `${served.server.url}/jumio/auth`,
        accountBaseUrl: `${served.server.url}/jumio/account`,
        retrievalBaseUrl: `${served.server.url}/jumio/retrieval`,
      }),
    );
    const run = await cli(['check', '--config', 'jumio.json'], {}, { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/clientSecret\s+emul…\n/);
    expectNoSecret(run.stdout + run.stderr, served.jumio.clientSecret, served.jumio.clientId);
  });

  it('says which reference is not set, exit 2', async () => {
    const file = join(dir, 'missing-ref.json');
    await writeFile(
      file,
      JSON.stringify({ provider: 'onfido', apiToken: ref('NOT_SET_ANYWHERE') }),
    );
    const run = await cli(['check', '--config', file], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `option "apiToken" refers to ${ref('NOT_SET_ANYWHERE')}, which is not set`,
    );
  });

  it('reports invalid JSON by position, without quoting the file (it may hold a secret)', async () => {
    const secret = 'api_live.very-secret-token-value-00000';
    const file = join(dir, 'broken.json');
    await writeFile(file, `{\n  "provider": "onfido",\n  "apiToken": ${secret}\n}`);
    const run = await cli(['check', '--config', file], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`config file ${file} is not valid JSON (near line 3`);
    expectNoSecret(run.stdout + run.stderr, secret, 'very-secret');
  });

  it('reports a missing file, exit 2', async () => {
    const run = await cli(['check', '--config', join(dir, 'nope.json')], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope.json: no such file');
  });

  it('refuses a file that is not an object', async () => {
    const file = join(dir, 'array.json');
    await writeFile(file, '[]');
    const run = await cli(['check', '--config', file], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('must hold a JSON object with a "provider" field');
  });
});

describe('check --env-file', () => {
  it('reads variables from the file', async () => {
    const file = join(dir, 'jumio.env');
    const lines = Object.entries(served.jumioEnv).map(([k, v]) => `${k}="${v}"`);
    await writeFile(file, ['# Jumio against the emulator', ...lines, ''].join('\n'));
    const run = await cli(['check', '--env-file', file], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`provider jumio (from environment + ${file})`);
  });

  it('lets the environment win, and says so without printing either value', async () => {
    const file = join(dir, 'wrong.env');
    const wrong = Object.entries({ ...served.onfidoEnv, IDV_ONFIDO_API_TOKEN: WRONG_ONFIDO_TOKEN })
      .map(([k, v]) => `export ${k}=${v}`)
      .join('\n');
    await writeFile(file, wrong);
    const run = await cli(['check', '--env-file', file], {
      IDV_ONFIDO_API_TOKEN: served.onfido.apiToken,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `IDV_ONFIDO_API_TOKEN is set in the environment and in ${file}: the environment wins`,
    );
    expectNoSecret(run.stdout + run.stderr, WRONG_ONFIDO_TOKEN, served.onfido.apiToken);
  });

  it('reports a malformed line by number, not content', async () => {
    const file = join(dir, 'bad.env');
    await writeFile(file, 'IDV_PROVIDER=onfido\nthis line holds s3cr3t-value\n');
    const run = await cli(['check', '--env-file', file], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('line 2 is not a NAME=value line');
    expect(run.stderr).not.toContain('s3cr3t');
  });
});
