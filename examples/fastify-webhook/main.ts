/**
 * Runs the Fastify example against the provider the environment names:
 *
 *   IDV_PROVIDER=onfido IDV_ONFIDO_API_TOKEN=... IDV_ONFIDO_WEBHOOK_TOKEN=... \
 *   IDV_ONFIDO_VERIFICATION_SITE_URL=https://example.com/verify \
 *   npx tsx examples/fastify-webhook/main.ts
 *
 * The webhook route is POST /webhooks/<provider>. Put it behind TLS (README,
 * "Behind TLS"): the handler trusts the NGINX on this host
 * (`trustProxy: ['127.0.0.1']`) for the sender's address; Fastify's own
 * `trustProxy` is not read. Results are logged; write yours into your database.
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

const app = await createApp({ [`/webhooks/${idv.name}`]: webhook });
const address = await app.listen({ port: Number(process.env['PORT'] ?? 8080), host: '127.0.0.1' });
console.log(`[idv] POST ${address}/webhooks/${idv.name}`);
processor.start();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await app.close();
    await processor.stop();
    await store.close();
    process.exit(0);
  });
}
