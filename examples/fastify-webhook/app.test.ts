/**
 * The Fastify example over real HTTP on 127.0.0.1: the emulators' webhooks
 * and callbacks get the statuses the README's intake table promises, and the
 * bare route in a scope with Fastify's JSON parser is refused with an error
 * naming it.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ConfigError } from 'idv-providers';
import { toFastifyPlugin, toFastifyRoute } from 'idv-providers/frameworks/fastify';
import { signOnfidoWebhook } from 'idv-providers/onfido';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeIntakeOverHttp,
  type Listening,
  PATHS,
  post,
  useRig,
} from '../../test/frameworks/rig';
import { createApp } from './app';

async function listen(app: FastifyInstance): Promise<Listening> {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

function signed(token: string) {
  const body = JSON.stringify({
    payload: {
      resource_type: 'check',
      action: 'check.completed',
      object: {
        id: 'c0ffee00-0000-4000-8000-000000000002',
        status: 'complete',
        completed_at_iso8601: '2026-01-01T00:00:00Z',
        href: '/v3.6/checks/c0ffee00-0000-4000-8000-000000000002',
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

describe('the Fastify example', () => {
  describeIntakeOverHttp(rig, async (routes) => listen(await createApp(routes)));

  it("keeps Fastify's JSON parser for the rest of the API", async () => {
    const intake = await rig.intake();
    const server = await listen(await createApp({ [PATHS.onfido]: intake.handlers.onfido }));
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

describe('the Fastify adapter', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("throws a ConfigError naming Fastify's parser when the bare route gets a parsed body (500), storing nothing", async () => {
    const intake = await rig.intake();
    const errors: unknown[] = [];
    const app = Fastify();
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      errors.push(error);
      return reply.code(500).send({ error: 'raw_body_unavailable' });
    });
    app.post(PATHS.onfido, toFastifyRoute(intake.handlers.onfido));
    server = await listen(app);

    const { body, headers } = signed(rig.onfido.webhookToken);
    const answer = await post(`${server.url}${PATHS.onfido}`, body, headers);
    expect(answer.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect((errors[0] as ConfigError).message).toBe(
      `[idv] [fastify] Fastify's body parser for "application/json" ran before this route, so ` +
        'the raw body the signature is over is gone: register the route with ' +
        'toFastifyPlugin(handler, { path }), or in its scope call removeAllContentTypeParsers() ' +
        "and then addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => " +
        'done(null, body))',
    );
    expect((await intake.store.counts()).queued).toBe(0);
  });

  it('the bare route takes the Buffer of a raw parser in its scope', async () => {
    const intake = await rig.intake();
    const app = Fastify();
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, raw, done) =>
        done(null, raw),
      );
      scope.post(PATHS.onfido, toFastifyRoute(intake.handlers.onfido));
    });
    server = await listen(app);
    const { body, headers } = signed(rig.onfido.webhookToken);
    const answer = await post(`${server.url}${PATHS.onfido}`, body, headers);
    expect(answer.status).toBe(200);
    expect((await intake.store.get(String(answer.body['id'])))?.provider).toBe('onfido');
  });

  it('the plugin reads any content type, and none, as bytes; other routes keep their parsers', async () => {
    const intake = await rig.intake();
    const app = Fastify();
    await app.register(toFastifyPlugin(intake.handlers.onfido, { path: PATHS.onfido }));
    app.post('/api/notes', async (request) => ({ received: request.body }));
    server = await listen(app);
    const { body, headers } = signed(rig.onfido.webhookToken);
    const asText = await post(`${server.url}${PATHS.onfido}`, body, {
      ...headers,
      'content-type': 'text/plain; charset=latin1',
    });
    expect(asText.status).toBe(200);
    const untyped = await post(`${server.url}${PATHS.onfido}`, new TextEncoder().encode(body), {
      'x-sha2-signature': headers['x-sha2-signature'],
    });
    expect(untyped.status).toBe(200);
    expect(untyped.body).toMatchObject({ duplicate: true });
    const notes = await post(`${server.url}/api/notes`, '{"a":1}', {
      'content-type': 'application/json',
    });
    expect(notes.body).toEqual({ received: { a: 1 } });
  });

  it('refuses a path that is not one', () => {
    expect(() => toFastifyPlugin({} as never, { path: 'webhooks' })).toThrow(ConfigError);
  });
});
