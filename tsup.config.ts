import { defineConfig, type Options } from 'tsup';

// Each entry is built on its own. Provider and testing entries import the core
// through the package's own name ("idv-providers"), kept external, so that at
// run time every entry shares one copy of the core (one IdvError class, one
// registry). The core loads built-in adapters with require() in the CommonJS
// build and import() in the ESM build (see src/registry.ts), so a CommonJS host
// never ends up with an ESM copy of the core beside its own.
const shared: Options = {
  entry: {
    index: 'src/index.ts',
    onfido: 'providers/onfido/index.ts',
    jumio: 'providers/jumio/index.ts',
    testing: 'src/testing/index.ts',
  },
  dts: true,
  sourcemap: true,
  splitting: false,
  treeshake: true,
  target: 'node20',
  platform: 'node',
  external: [/^idv-providers(\/.*)?$/, 'msw', 'msw/node', 'vitest', 'better-sqlite3'],
};

export default defineConfig([
  { ...shared, format: 'esm', define: { __IDV_CJS__: 'false' } },
  { ...shared, format: 'cjs', define: { __IDV_CJS__: 'true' } },
  // The command-line tool: ESM only, no declarations; it loads the package's
  // own entries, so it shares their copy of the core.
  {
    ...shared,
    entry: { cli: 'src/cli/bin.ts' },
    format: 'esm',
    dts: false,
    define: { __IDV_CJS__: 'false' },
  },
]);
