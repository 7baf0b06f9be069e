/**
 * The Hono example on @hono/node-server over real HTTP on 127.0.0.1: the
 * emulators' webhooks and callbacks get the statuses the README's intake
 * table promises (the sender's address read from node-server's socket), a
 * body Hono's cache still holds as text or bytes is used, and one read
 * otherwise (c.req.formData(), c.req.raw.json()) is refused with an error
 * naming the call.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { ConfigError } from 'idv-providers';
import { toHonoHandler } from 'idv-providers/frameworks/hono';
import { signOnfidoWebhook } from 'idv-providers/onfido';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeServer,
  describeIntakeOverHttp,
  JUMIO_SENDER,
  type Listening,
  PATHS,
  post,
  useRig,
} from '../../test/frameworks/rig';
import { createApp } from './app';

async function listen(app: Hono): Promise<Listening> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function signed(token: string) {
  const body = JSON.stringify({
    payload: {
      resource_type: 'check',
      action: 'check.completed',
      object: {
        id: 'c0ffee00-0000-4000-8000-000000000003',
        status: 'complete',
        completed_at_iso8601: '2026-01-01T00:00:00Z',
        href: '/v3.6/checks/c0ffee00-0000-4000-8000-000000000003',
      },
    },
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-sha2-signature': signOnfidoWebhook(body, token),
    },
  };
}

const rig = useRig();

describe('the Hono example', () => {
  describeIntakeOverHttp(rig, async (routes) => listen(createApp(routes)));
});

describe('the Hono adapter', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('uses the raw text c.req.json() cached, and the bytes of c.req.arrayBuffer()', async () => {
    const intake = await rig.intake();
    const app = new Hono();
    app.use('/parsed/*', async (c, next) => {
      await c.req.json();
      await next();
    });
    app.use('/bytes/*', async (c, next) => {
      await c.req.arrayBuffer();
      await next();
    });
    app.post(`/parsed${PATHS.onfido}`, toHonoHandler(intake.handlers.onfido));
    app.post(`/bytes${PATHS.onfido}`, toHonoHandler(intake.handlers.onfido));
    server = await listen(app);
    const { body, headers } = signed(rig.onfido.webhookToken);
    const parsed = await post(`${server.url}/parsed${PATHS.onfido}`, body, headers);
    expect(parsed.status).toBe(200);
    expect(parsed.body).toMatchObject({ duplicate: false });
    const bytes = await post(`${server.url}/bytes${PATHS.onfido}`, body, headers);
    expect(bytes.status).toBe(200);
    expect(bytes.body).toMatchObject({ duplicate: true });
    expect((await intake.store.get(String(parsed.body['id'])))?.provider).toBe('onfido');
  });

  it("throws a ConfigError naming the call when the body was read past Hono's cache (500), storing nothing", async () => {
    const intake = await rig.intake();
    const errors: unknown[] = [];
    const app = new Hono();
    app.onError((error, c) => {
      errors.push(error);
      return c.json({ error: 'raw_body_unavailable' }, 500);
    });
    app.use('/raw/*', async (c, next) => {
      await c.req.raw.json();
      await next();
    });
    app.use('/form/*', async (c, next) => {
      await c.req.formData();
      await next();
    });
    app.post(`/raw${PATHS.onfido}`, toHonoHandler(intake.handlers.onfido));
    app.post(`/form${PATHS.jumio}`, toHonoHandler(intake.handlers.jumio));
    server = await listen(app);

    const { body, headers } = signed(rig.onfido.webhookToken);
    const raw = await post(`${server.url}/raw${PATHS.onfido}`, body, headers);
    expect(raw.status).toBe(500);
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect((errors[0] as ConfigError).message).toBe(
      '[idv] [hono] a middleware reading c.req.raw read the body before this route, so the raw ' +
        'body the signature is over is gone: mount the webhook route before that middleware, or ' +
        'read the body with c.req.text() or c.req.arrayBuffer(), which keep it',
    );
    const form = await post(`${server.url}/form${PATHS.jumio}`, 'callBackType=NETVERIFYID', {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': JUMIO_SENDER,
    });
    expect(form.status).toBe(500);
    expect((errors[1] as ConfigError).message).toMatch(
      /^\[idv\] \[hono\] c\.req\.formData\(\) read the body before this route/,
    );
    expect((await intake.store.counts()).queued).toBe(0);
  });

  it('takes the sender address from the remoteAddress option', async () => {
    const intake = await rig.intake();
    const app = new Hono();
    app.post(
      PATHS.jumio,
      toHonoHandler(intake.handlers.jumio, {
        remoteAddress: (c: Context) => c.req.header('cf-connecting-ip'),
      }),
    );
    server = await listen(app);
    rig.targets.jumio = {
      url: `${server.url}${PATHS.jumio}`,
      headers: { 'cf-connecting-ip': JUMIO_SENDER },
    };
    const sent = await rig.verify('jumio', intake.providers.jumio);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((s) => s.answer.status)).toEqual(sent.map(() => 200));
    const stored = await intake.store.get(String(sent[0]!.answer.body['id']));
    expect(stored?.source).toBe(JUMIO_SENDER);
  });
});
