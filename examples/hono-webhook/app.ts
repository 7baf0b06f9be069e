/**
 * A Hono app that receives identity verification webhooks (Onfido's,
 * signed) and callbacks (Jumio's, unsigned) through `idv-providers`' intake.
 *
 * The intake's handler is a Web handler; `toHonoHandler` gives it Hono's own
 * `Request`, whose body nothing has read, and the sender's address from the
 * runtime (`@hono/node-server` here; Bun and Deno the same way). Put a
 * validator or body-reading middleware on your other routes, not on these.
 *
 * Run it with main.ts; app.test.ts drives it over HTTP with the emulators.
 */
import { Hono } from 'hono';
import type { WebhookHandler } from 'idv-providers';
import { toHonoHandler } from 'idv-providers/frameworks/hono';

/** The webhook routes to mount: a path and the intake's handler for one provider. */
export type WebhookRoutes = Record<string, WebhookHandler>;

/** The app: the webhook routes, and the rest of the API. */
export function createApp(routes: WebhookRoutes): Hono {
  const app = new Hono();
  for (const [path, webhook] of Object.entries(routes)) {
    app.post(path, toHonoHandler(webhook));
  }
  app.post('/api/notes', async (c) => c.json({ received: await c.req.json() }));
  return app;
}
