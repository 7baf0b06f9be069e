/**
 * A download whose body stalls after the headers: over real HTTP on
 * 127.0.0.1, a server answers 200 with headers and a first chunk, then sends
 * nothing more and keeps the connection open. The stream fails with a
 * `NetworkError` once it has been idle for the request timeout (`timeoutMs`),
 * instead of waiting forever; a slow reader is not mistaken for a stall.
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { NetworkError } from 'idv-providers';
import { createHttpClient, downloadStream } from 'idv-providers/kit';
import { onfido } from 'idv-providers/onfido';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let server: Server;
let origin: string;
const open: ServerResponse[] = [];
/** How the server answers: `stall` sends a first chunk and then nothing; `slow-ok` sends all of it. */
let mode: 'stall' | 'whole' = 'stall';
const BODY = Buffer.alloc(256 * 1024, 7);

beforeEach(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(BODY.length) });
    if (mode === 'whole') {
      res.end(BODY);
      return;
    }
    res.write(BODY.subarray(0, 1024));
    open.push(res);
    req.on('close', () => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const res of open.splice(0)) res.destroy();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
  mode = 'stall';
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const document = () => ({
  id: 'doc-1',
  kind: 'document' as const,
  downloadUrl: `${origin}/v3.6/documents/doc-1/download`,
});

describe('a download whose body stalls after the headers', () => {
  it('fails with NetworkError after timeoutMs (1.5 s) through the Onfido adapter', async () => {
    const idv = onfido({
      apiToken: 'api_sandbox.stall-test',
      baseUrl: `${origin}/v3.6`,
      timeoutMs: 1500,
      verificationSiteUrl: 'https://verify.example.com/',
    });
    const started = Date.now();
    const download = await idv.downloadDocument(document());
    const error = await readAll(download.body).catch((e: unknown) => e);
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).message).toMatch(
      /download of doc-1 stalled: no data for 1500 ms/,
    );
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(4000);
  });

  it('fails after the idleTimeoutMs the adapter passes, and never waits while the reader is not reading', async () => {
    const http = createHttpClient({
      provider: 'fake',
      baseUrl: origin,
      timeoutMs: 60_000,
      maxRetries: 0,
      maxRetryAfterMs: 0,
      secrets: () => [],
    });
    const stalled = await downloadStream(http, document(), {
      provider: 'fake',
      allowedOrigins: [origin],
      maxBytes: BODY.length,
      idleTimeoutMs: 300,
    });
    await expect(readAll(stalled.body)).rejects.toBeInstanceOf(NetworkError);

    mode = 'whole';
    const whole = await downloadStream(http, document(), {
      provider: 'fake',
      allowedOrigins: [origin],
      maxBytes: BODY.length,
      idleTimeoutMs: 300,
    });
    // The reader waits three idle timeouts before it reads: the body was all there, not stalled.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect((await readAll(whole.body)).length).toBe(BODY.length);
  });
});
