import { defineConfig, type Options } from 'tsup';
import { packageEntries } from './scripts/entries';

// One bundle per entry of package.json's exports (see scripts/entries.ts),
// each built on its own. At run time every entry shares one copy of the core:
// - the core's own bundle (index) resolves `idv-providers` to its source, so
//   a module outside the core's folders that imports the core by name
//   (src/shared, provider definitions) joins the same module graph;
// - every other bundle keeps `idv-providers` and its subpaths external.
// The core loads built-in adapters with require() in the CommonJS build and
// import() in the ESM build (see src/config/lazy.ts), so a CommonJS host never
// ends up with an ESM copy of the core beside its own.
const entries = packageEntries();
const core = entries.filter((e) => e.distName === 'index');
const others = entries.filter((e) => e.distName !== 'index');
const peers = ['msw', 'msw/node', 'vitest', 'better-sqlite3'];

const shared: Options = {
  dts: true,
  sourcemap: true,
  splitting: false,
  treeshake: true,
  target: 'node20',
  platform: 'node',
};

function builds(format: 'esm' | 'cjs'): Options[] {
  const define = { __IDV_CJS__: format === 'cjs' ? 'true' : 'false' };
  return [
    {
      ...shared,
      format,
      define,
      entry: Object.fromEntries(core.map((e) => [e.distName, e.source])),
      external: [/^idv-providers\/.+$/, ...peers],
      esbuildOptions(options) {
        options.alias = { 'idv-providers': './src/index.ts' };
      },
    },
    {
      ...shared,
      format,
      define,
      entry: Object.fromEntries(others.map((e) => [e.distName, e.source])),
      external: [/^idv-providers(\/.*)?$/, ...peers],
    },
  ];
}

export default defineConfig([
  ...builds('esm'),
  ...builds('cjs'),
  // The command-line tool: ESM only, no declarations; it loads the package's
  // own entries, so it shares their copy of the core.
  {
    ...shared,
    entry: { cli: 'src/cli/bin.ts' },
    format: 'esm',
    dts: false,
    define: { __IDV_CJS__: 'false' },
    external: [/^idv-providers(\/.*)?$/, ...peers],
  },
]);
