/**
 * The processor for the Next.js example, run beside `next start` on the same
 * host (and the same `IDV_*` environment and `IDV_EVENTS_DB`):
 *
 *   npx tsx worker.ts
 *
 * It fetches each recorded event's result from the provider, downloads the
 * documents and calls your handler; here it logs the verdict. See the
 * README's "Webhooks and callbacks" for what a handler must do.
 */
import { createProcessor } from 'idv-providers';
import { closeIntake, intake } from './lib/idv';

const { provider, store } = await intake();
const processor = createProcessor({
  store,
  providers: [provider],
  handler: async ({ resultKey, result }) => {
    console.log(`[idv] ${resultKey}: ${result.status} (${result.reason})`);
  },
});
processor.start();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await processor.stop();
    await closeIntake();
    process.exit(0);
  });
}
