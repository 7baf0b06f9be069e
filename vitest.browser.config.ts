/**
 * The browser tests: the example's verification page in headless Chromium
 * (Debian's, at /usr/bin/chromium; `scripts/install-chromium.sh` installs it).
 * Only the module aliases come from vitest.config.ts, so that whatever the
 * default run includes or excludes does not apply here.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  resolve: base.resolve ?? {},
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
