import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^idv-providers\/onfido$/, replacement: here('./providers/onfido/index.ts') },
      { find: /^idv-providers\/jumio$/, replacement: here('./providers/jumio/index.ts') },
      { find: /^idv-providers\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^idv-providers$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Browser tests need Chromium; they run with vitest.browser.config.ts (npm run test:browser).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
  },
});
