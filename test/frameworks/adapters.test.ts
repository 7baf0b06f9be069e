/**
 * The framework adapters' own decisions, without a server: where the Hono
 * route finds the sender's address on each runtime, which call it names
 * when Hono's cache holds no raw body, and when the Express route sees a
 * body as already parsed (body-parser 1.x and 2.x).
 */
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import {
  ConfigError,
  type IntakeAnswer,
  type RawDelivery,
  type WebhookHandler,
} from 'idv-providers';
import { toExpressHandler } from 'idv-providers/frameworks/express';
import { type HonoContextLike, toHonoHandler } from 'idv-providers/frameworks/hono';
import { describe, expect, it } from 'vitest';

/** A handler that records what it was given and answers 200. */
function recordingHandler() {
  const seen: Array<{ remoteAddress: string | undefined; body: string }> = [];
  const deliveries: RawDelivery[] = [];
  const handler = Object.assign(
    async (request: Request, context: { remoteAddress?: string | undefined } = {}) => {
      seen.push({ remoteAddress: context.remoteAddress, body: await request.text() });
      return new Response('{"received":true}', { status: 200 });
    },
    {
      receive: async (delivery: RawDelivery): Promise<IntakeAnswer> => {
        deliveries.push(delivery);
        return { status: 200, headers: {}, body: { received: true } };
      },
      maxBodyBytes: 1024,
    },
  ) as WebhookHandler;
  return { handler, seen, deliveries };
}

const request = () =>
  new Request('http://127.0.0.1/webhooks/onfido', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"payload":{}}',
  });

describe('toHonoHandler: the sender address by runtime', () => {
  const addressOn = async (env: unknown) => {
    const { handler, seen } = recordingHandler();
    await toHonoHandler(handler)({ req: { raw: request() }, env });
    return seen[0]?.remoteAddress;
  };

  it('@hono/node-server: the socket of c.env.incoming', async () => {
    expect(await addressOn({ incoming: { socket: { remoteAddress: '203.0.113.1' } } })).toBe(
      '203.0.113.1',
    );
  });

  it("Bun: the server's requestIP(request)", async () => {
    const server = {
      requestIP(r: Request) {
        expect(r.url).toBe('http://127.0.0.1/webhooks/onfido');
        return { address: '203.0.113.2', family: 'IPv4', port: 5000 };
      },
    };
    expect(await addressOn(server)).toBe('203.0.113.2');
  });

  it("Deno: the handler info's remoteAddr", async () => {
    expect(await addressOn({ remoteAddr: { hostname: '203.0.113.3', port: 5000 } })).toBe(
      '203.0.113.3',
    );
  });

  it('elsewhere (Cloudflare bindings, no env, a requestIP that throws or answers null): none', async () => {
    expect(await addressOn({ DB: {}, SECRET: 'x' })).toBeUndefined();
    expect(await addressOn(undefined)).toBeUndefined();
    expect(
      await addressOn({
        requestIP() {
          throw new Error('not Bun');
        },
      }),
    ).toBeUndefined();
    expect(await addressOn({ requestIP: () => null })).toBeUndefined();
  });

  it('the remoteAddress option replaces the runtime', async () => {
    const { handler, seen } = recordingHandler();
    const route = toHonoHandler(handler, { remoteAddress: () => '198.51.100.4' });
    await route({ req: { raw: request() }, env: { remoteAddr: { hostname: '203.0.113.3' } } });
    expect(seen[0]?.remoteAddress).toBe('198.51.100.4');
  });
});

describe("toHonoHandler: a body read through Hono's cache", () => {
  const used = async () => {
    const raw = request();
    await raw.text();
    return raw;
  };

  it('hands the handler the cached text, the cached bytes, or the cached blob', async () => {
    const { handler, seen } = recordingHandler();
    const route = toHonoHandler(handler);
    const caches: object[] = [
      { text: Promise.resolve('{"a":"é"}') },
      { arrayBuffer: Promise.resolve(new TextEncoder().encode('{"a":"é"}').buffer) },
      { blob: Promise.resolve(new Blob(['{"a":"é"}'])) },
    ];
    for (const bodyCache of caches) {
      const c: HonoContextLike = { req: { raw: await used(), bodyCache } };
      expect((await route(c)).status).toBe(200);
    }
    expect(seen.map((s) => s.body)).toEqual(['{"a":"é"}', '{"a":"é"}', '{"a":"é"}']);
  });

  it.each([
    [{ json: Promise.resolve({}) }, 'c.req.json()'],
    [{ formData: Promise.resolve(new FormData()) }, 'c.req.formData()'],
    [{ parsedBody: {} }, 'c.req.parseBody()'],
    [{}, 'a middleware reading c.req.raw'],
  ])('refuses a cache of %o with a ConfigError naming %s', async (bodyCache, call) => {
    const { handler, seen } = recordingHandler();
    const c: HonoContextLike = { req: { raw: await used(), bodyCache } };
    const refusal = await toHonoHandler(handler)(c).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).message).toContain(`[idv] [hono] ${call} read the body`);
    expect(seen).toEqual([]);
  });
});

describe('toExpressHandler: a body already parsed', () => {
  const nodeRequest = (fields: Record<string, unknown>, ended: boolean) => {
    const req = new IncomingMessage(new Socket());
    req.method = 'POST';
    req.headers = { 'content-type': 'application/json', 'content-length': '2' };
    Object.assign(req, fields);
    if (ended) {
      req.push(null);
      req.resume();
    }
    return req;
  };
  const run = async (req: IncomingMessage) => {
    const { handler } = recordingHandler();
    const errors: unknown[] = [];
    await new Promise<void>((resolve) => {
      toExpressHandler(handler)(req, {} as never, (error) => {
        errors.push(error);
        resolve();
      });
    });
    return errors;
  };

  it('body-parser 1.x (Express 4): req._body set and an object in req.body', async () => {
    const errors = await run(nodeRequest({ _body: true, body: { a: 1 } }, false));
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect((errors[0] as ConfigError).message).toMatch(
      /^\[idv\] \[express\] express\.json\(\) ran/,
    );
  });

  it('body-parser 2.x (Express 5): the stream ended and an object in req.body', async () => {
    const req = nodeRequest({ body: [1] }, true);
    await new Promise((resolve) => req.once('end', resolve));
    const errors = await run(req);
    expect((errors[0] as ConfigError).message).toMatch(
      /^\[idv\] \[express\] express\.json\(\) ran/,
    );
  });

  it('a stream read by other middleware, with nothing left in req.body', async () => {
    const req = nodeRequest({}, true);
    await new Promise((resolve) => req.once('end', resolve));
    const errors = await run(req);
    expect((errors[0] as ConfigError).message).toMatch(
      /^\[idv\] \[express\] another middleware read the request body/,
    );
  });
});
