import { configDefaults, defineConfig } from 'vitest/config';
import { packageEntries, repoPath } from './scripts/entries';

// Each entry's import path resolves to its source (longest first, so that
// `idv-providers` does not swallow `idv-providers/onfido`).
const aliases = packageEntries()
  .sort((a, b) => b.specifier.length - a.specifier.length)
  .map((e) => ({
    find: new RegExp(`^${e.specifier}$`),
    replacement: repoPath(e.source),
  }));

export default defineConfig({
  resolve: { alias: aliases },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Browser tests need Chromium; they run with vitest.browser.config.ts (npm run test:browser).
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    // One throwaway PostgreSQL cluster for the run, when its binaries are installed.
    globalSetup: ['./test/global-setup-postgres.ts'],
  },
});
