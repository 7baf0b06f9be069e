/**
 * A Fastify app that receives identity verification webhooks (Onfido's,
 * signed) and callbacks (Jumio's, unsigned) through `idv-providers`' intake.
 *
 * Each webhook route is a plugin (`toFastifyPlugin`) with a scope of its own
 * in which every body is parsed as a `Buffer`: the intake checks Onfido's
 * signature on the bytes as sent. Fastify's JSON parser stays on for the
 * rest of the app.
 *
 * Run it with main.ts; app.test.ts drives it over HTTP with the emulators.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { WebhookHandler } from 'idv-providers';
import { toFastifyPlugin } from 'idv-providers/frameworks/fastify';

/** The webhook routes to mount: a path and the intake's handler for one provider. */
export type WebhookRoutes = Record<string, WebhookHandler>;

/** The app: one plugin per webhook route, and the rest of the API with Fastify's parsers. */
export async function createApp(routes: WebhookRoutes): Promise<FastifyInstance> {
  // A request must arrive whole within 15 s (the intake answers at once).
  const app = Fastify({ requestTimeout: 15_000 });

  for (const [path, webhook] of Object.entries(routes)) {
    await app.register(toFastifyPlugin(webhook, { path }));
  }

  app.post('/api/notes', async (request) => ({ received: request.body }));
  return app;
}
