/**
 * Runs the Hono example on Node.js (`@hono/node-server`) against the
 * provider the environment names:
 *
 *   IDV_PROVIDER=onfido IDV_ONFIDO_API_TOKEN=... IDV_ONFIDO_WEBHOOK_TOKEN=... \
 *   IDV_ONFIDO_VERIFICATION_SITE_URL=https://example.com/verify \
 *   npx tsx examples/hono-webhook/main.ts
 *
 * The webhook route is POST /webhooks/<provider>. Put it behind TLS (README,
 * "Behind TLS"): the handler trusts the NGINX on this host
 * (`trustProxy: ['127.0.0.1']`) for the sender's address. On Bun, serve
 * `app.fetch` with `Bun.serve`; on Deno with `Deno.serve`: the route reads
 * the sender's address from either. Results are logged; write yours into
 * your database.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import {
  configFromEnv,
  createProcessor,
  createProvider,
  createSqliteStore,
  createWebhookHandler,
} from 'idv-providers';
import { createApp } from './app';

const idv = await createProvider(configFromEnv());
const store = await createSqliteStore({
  path: process.env['IDV_EVENTS_DB'] ?? './idv-events.sqlite',
});
const processor = createProcessor({
  store,
  providers: [idv],
  handler: async ({ resultKey, result }) => {
    console.log(`[idv] ${resultKey}: ${result.status} (${result.reason})`);
  },
});
const webhook = createWebhookHandler({
  provider: idv,
  store,
  processor,
  trustProxy: ['127.0.0.1'],
});

const app = createApp({ [`/webhooks/${idv.name}`]: webhook });
const port = Number(process.env['PORT'] ?? 8080);
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`[idv] POST http://127.0.0.1:${port}/webhooks/${idv.name}`);
}) as Server;
// Node's deadlines for the headers and the whole request (README, "Behind TLS").
server.headersTimeout = 10_000;
server.requestTimeout = 15_000;
processor.start();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    server.close();
    await processor.stop();
    await store.close();
    process.exit(0);
  });
}
