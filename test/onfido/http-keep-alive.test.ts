/**
 * The served emulator on a kept-alive connection: when it answers before
 * reading a request's body (a 401 or a 404 on an upload), the next request
 * on the same socket still gets its answer. A body longer than the server
 * reads away closes the connection after the answer, and says so.
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generatePng } from 'idv-providers/emulator-kit';
import {
  createOnfidoEmulator,
  type EmulatorServer,
  type OnfidoEmulator,
  serveEmulators,
} from 'idv-providers/testing';
import { afterEach, describe, expect, it } from 'vitest';

interface Answer {
  status: number;
  reused: boolean;
  localPort: number;
  connection: string | undefined;
  json: Record<string, unknown>;
}

function send(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          reused: req.reusedSocket,
          localPort: (req.socket?.address() as AddressInfo | undefined)?.port ?? 0,
          connection: res.headers.connection,
          json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A multipart document upload of about `size` bytes. */
function upload(applicantId: string, size: number): { body: Buffer; type: string } {
  const boundary = 'keep-alive-boundary';
  const png = Buffer.concat([
    Buffer.from(generatePng('keep-alive', 48, 32)),
    Buffer.alloc(Math.max(0, size), 1),
  ]);
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body = Buffer.concat([
    Buffer.from(field('applicant_id', applicantId) + field('type', 'passport')),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="passport.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

let server: EmulatorServer | undefined;
let agent: Agent | undefined;

async function serve(
  maxUnreadBodyBytes?: number,
): Promise<{ base: string; onfido: OnfidoEmulator }> {
  let onfido: OnfidoEmulator | undefined;
  server = await serveEmulators({
    handlers: () => onfido?.handlers ?? [],
    ...(maxUnreadBodyBytes === undefined ? {} : { maxUnreadBodyBytes }),
  });
  const base = `${server.url}/onfido/v3.6`;
  onfido = createOnfidoEmulator({ baseUrl: base });
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return { base, onfido };
}

afterEach(async () => {
  agent?.destroy();
  await server?.close();
  server = undefined;
  agent = undefined;
});

describe('the HTTP emulator on a kept-alive connection', () => {
  it('answers the next request after a 401 to an upload it did not read', async () => {
    const { base, onfido } = await serve();
    const connections: number[] = [];
    server?.server.on('connection', (socket) => connections.push(socket.remotePort ?? 0));
    const { body, type } = upload('00000000-0000-4000-8000-000000000000', 2_000_000);
    const refused = await send(
      agent as Agent,
      `${base}/documents`,
      'POST',
      { 'content-type': type, 'content-length': String(body.length) },
      body,
    );
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ error: { type: 'authorization_error' } });
    expect(refused.connection).toBe('keep-alive');

    const next = await send(agent as Agent, `${base}/applicants`, 'GET', {
      authorization: `Token token=${onfido.apiToken}`,
    });
    expect(next.status).toBe(200);
    expect(next.json).toEqual({ applicants: [] });
    expect(next.reused).toBe(true);
    expect(next.localPort).toBe(refused.localPort);
    expect(connections).toHaveLength(1);
  });

  it('answers the next request after a 404 with a body, chunked or not', async () => {
    const { base, onfido } = await serve();
    const auth = { authorization: `Token token=${onfido.apiToken}` };
    const missing = await send(
      agent as Agent,
      `${base}/checks/00000000-0000-4000-8000-000000000000/resume`,
      'POST',
      { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      Buffer.from(JSON.stringify({ padding: 'x'.repeat(500_000) })),
    );
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: {
        type: 'resource_not_found',
        message:
          'Could not find the following resource: Check with id=00000000-0000-4000-8000-000000000000',
        fields: {},
      },
    });
    const unserved = await send(
      agent as Agent,
      `${server?.url}/nothing-here`,
      'PUT',
      { 'content-length': '300000' },
      Buffer.alloc(300_000, 2),
    );
    expect(unserved.status).toBe(404);
    expect(unserved.reused).toBe(true);
    const created = await send(
      agent as Agent,
      `${base}/applicants`,
      'POST',
      { ...auth, 'content-type': 'application/json' },
      Buffer.from(JSON.stringify({ first_name: 'Ada', last_name: 'Lovelace' })),
    );
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(created.reused).toBe(true);
    expect(created.localPort).toBe(missing.localPort);
  });

  it('closes the connection after the answer when the unread rest is too long', async () => {
    const { base, onfido } = await serve(64 * 1024);
    const { body, type } = upload('00000000-0000-4000-8000-000000000000', 300_000);
    const refused = await send(
      agent as Agent,
      `${base}/documents`,
      'POST',
      { 'content-type': type, 'content-length': String(body.length) },
      body,
    );
    expect(refused.status).toBe(401);
    expect(refused.connection).toBe('close');
    const next = await send(agent as Agent, `${base}/applicants`, 'GET', {
      authorization: `Token token=${onfido.apiToken}`,
    });
    expect(next.status).toBe(200);
    expect(next.reused).toBe(false);
  });

  it('still reads an upload it accepts, on the same connection', async () => {
    const { base, onfido } = await serve();
    const auth = { authorization: `Token token=${onfido.apiToken}` };
    const applicant = await send(
      agent as Agent,
      `${base}/applicants`,
      'POST',
      { ...auth, 'content-type': 'application/json' },
      Buffer.from(JSON.stringify({ first_name: 'Ada', last_name: 'Lovelace' })),
    );
    const { body, type } = upload(applicant.json['id'] as string, 1_000_000);
    const uploaded = await send(
      agent as Agent,
      `${base}/documents`,
      'POST',
      { ...auth, 'content-type': type, 'content-length': String(body.length) },
      body,
    );
    expect(uploaded.status).toBe(201);
    expect(uploaded.reused).toBe(true);
    const id = uploaded.json['id'] as string;
    expect(onfido.servedBytes(id)?.length).toBe(uploaded.json['file_size']);
    expect(uploaded.json['file_size']).toBeGreaterThan(1_000_000);
  });
});
