/**
 * An Express app that receives identity verification webhooks (Onfido's,
 * signed) and callbacks (Jumio's, unsigned) through `idv-providers`' intake.
 *
 * The one rule: the webhook routes come before `express.json()`. The intake
 * checks Onfido's signature on the bytes as sent, so the route reads the raw
 * body itself; a body the JSON parser already turned into an object is
 * refused with a `ConfigError` naming `express.json()` (answered 500, and
 * the provider retries). The rest of the API keeps its JSON parser.
 *
 * Run it with main.ts; app.test.ts drives it over HTTP with the emulators.
 */
import express, { type Express } from 'express';
import type { WebhookHandler } from 'idv-providers';
import { toExpressHandler } from 'idv-providers/frameworks/express';

/** The webhook routes to mount: a path and the intake's handler for one provider. */
export type WebhookRoutes = Record<string, WebhookHandler>;

/** The app: the webhook routes first, then the JSON parser for the rest of the API. */
export function createApp(routes: WebhookRoutes): Express {
  const app = express();

  // 1. Webhook routes, before any body parser: they read the raw body themselves.
  for (const [path, webhook] of Object.entries(routes)) {
    app.post(path, toExpressHandler(webhook));
  }

  // 2. The JSON parser, for everything after it.
  app.use(express.json());
  app.post('/api/notes', (req, res) => {
    res.json({ received: req.body });
  });

  return app;
}
