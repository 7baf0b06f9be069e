/**
 * The Express example over real HTTP on 127.0.0.1: the emulators' webhooks
 * and callbacks get the statuses the README's intake table promises, and a
 * route behind express.json() is refused with an error naming it.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { ConfigError } from 'idv-providers';
import { toExpressHandler } from 'idv-providers/frameworks/express';
import { signOnfidoWebhook } from 'idv-providers/onfido';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeServer,
  describeIntakeOverHttp,
  type Listening,
  PATHS,
  post,
  useRig,
} from '../../test/frameworks/rig';
import { createApp } from './app';

async function listen(app: Express): Promise<Listening> {
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

const rig = useRig();

describe('the Express example', () => {
  describeIntakeOverHttp(rig, (routes) => listen(createApp(routes)));

  it('keeps express.json() for the rest of the API', async () => {
    const intake = await rig.intake();
    const server = await listen(createApp({ [PATHS.onfido]: intake.handlers.onfido }));
    try {
      const answer = await post(`${server.url}/api/notes`, '{"note":1}', {
        'content-type': 'application/json',
      });
      expect(answer.body).toEqual({ received: { note: 1 } });
    } finally {
      await server.close();
    }
  });
});

describe('toExpressHandler behind a body parser', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const signed = (token: string) => {
    const body = JSON.stringify({
      payload: {
        resource_type: 'check',
        action: 'check.completed',
        object: {
          id: 'c0ffee00-0000-4000-8000-000000000001',
          status: 'complete',
          completed_at_iso8601: '2026-01-01T00:00:00Z',
          href: '/v3.6/checks/c0ffee00-0000-4000-8000-000000000001',
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
  };

  it('passes a ConfigError naming express.json() to the error handler (500) and stores nothing', async () => {
    const intake = await rig.intake();
    const errors: unknown[] = [];
    const app = express();
    app.use(express.json());
    app.post(PATHS.onfido, toExpressHandler(intake.handlers.onfido));
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      errors.push(error);
      res.status(500).json({ error: 'raw_body_unavailable' });
    };
    app.use(onError);
    server = await listen(app);

    const { body, headers } = signed(rig.onfido.webhookToken);
    const answer = await post(`${server.url}${PATHS.onfido}`, body, headers);
    expect(answer.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect((errors[0] as ConfigError).message).toBe(
      '[idv] [express] express.json() ran before this route, so the raw body the signature is ' +
        'over is gone: mount the webhook route before it, or give the route ' +
        "express.raw({ type: '*/*', limit: '1mb' })",
    );
    expect((await intake.store.counts()).queued).toBe(0);
  });

  it('names express.urlencoded() for a form it parsed', async () => {
    const intake = await rig.intake();
    const errors: unknown[] = [];
    const app = express();
    app.use(express.urlencoded());
    app.post(PATHS.jumio, toExpressHandler(intake.handlers.jumio));
    app.use(((error, _req, res, _next) => {
      errors.push(error);
      res.status(500).end();
    }) as ErrorRequestHandler);
    server = await listen(app);
    const answer = await post(`${server.url}${PATHS.jumio}`, 'callBackType=NETVERIFYID', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(answer.status).toBe(500);
    expect((errors[0] as ConfigError).message).toMatch(
      /^\[idv\] \[express\] express\.urlencoded\(\) ran before this route/,
    );
  });

  it("uses the Buffer express.raw() left, and a JSON parser that skipped the route's content type", async () => {
    const intake = await rig.intake();
    const app = express();
    app.post(
      PATHS.onfido,
      express.raw({ type: '*/*', limit: '1mb' }),
      toExpressHandler(intake.handlers.onfido),
    );
    app.use(express.json({ type: 'application/vnd.api+json' }));
    app.post('/webhooks/other', toExpressHandler(intake.handlers.onfido));
    server = await listen(app);

    const { body, headers } = signed(rig.onfido.webhookToken);
    const raw = await post(`${server.url}${PATHS.onfido}`, body, headers);
    expect(raw.status).toBe(200);
    expect(raw.body).toMatchObject({ received: true, duplicate: false });
    const skipped = await post(`${server.url}/webhooks/other`, body, headers);
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ received: true, duplicate: true });
    expect((await intake.store.get(String(raw.body['id'])))?.provider).toBe('onfido');
  });

  it('answers 500 raw_body_unavailable itself when called without next (as a node listener)', async () => {
    const intake = await rig.intake();
    const reported: unknown[] = [];
    const route = toExpressHandler(intake.handlers.onfido, { onError: (e) => reported.push(e) });
    const app = express();
    app.use(express.json());
    app.post(PATHS.onfido, (req, res) => route(req, res));
    server = await listen(app);
    const { body, headers } = signed(rig.onfido.webhookToken);
    const answer = await post(`${server.url}${PATHS.onfido}`, body, headers);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: 'raw_body_unavailable' });
    expect(reported[0]).toBeInstanceOf(ConfigError);
  });
});
