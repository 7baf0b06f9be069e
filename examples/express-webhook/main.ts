/**
 * Runs the Express example against the provider the environment names:
 *
 *   IDV_PROVIDER=onfido IDV_ONFIDO_API_TOKEN=... IDV_ONFIDO_WEBHOOK_TOKEN=... \
 *   IDV_ONFIDO_VERIFICATION_SITE_URL=https://example.com/verify \
 *   npx tsx examples/express-webhook/main.ts
 *
 * The webhook route is POST /webhooks/<provider> (register
 * https://<your host>/webhooks/onfido with Onfido, or set Jumio's callback
 * URL to .../webhooks/jumio). Put it behind TLS (README, "Behind TLS"): the
 * handler trusts the NGINX on this host (`trustProxy: ['127.0.0.1']`) for the
 * sender's address. Results are logged; write yours into your database.
 */
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

const port = Number(process.env['PORT'] ?? 8080);
const server = createApp({ [`/webhooks/${idv.name}`]: webhook }).listen(port, '127.0.0.1', () => {
  console.log(`[idv] POST http://127.0.0.1:${port}/webhooks/${idv.name}`);
});
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
