// The conformance suite, run from the installed tarball as a host runs it:
// for every built-in provider (each folder of providers/, its emulator loaded
// through its definition, as test/conformance/builtins.test.ts does) and a
// provider registered by the host (the Acme ID example), once through
// import() (ESM) and once through require() (CommonJS). Every entry must
// share one core at run time, so the suite's instanceof checks and the
// registry a host registers into are the adapters' own.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, run } from './scratch.mjs';

const builtins = readdirSync(join(root, 'providers')).filter((entry) =>
  statSync(join(root, 'providers', entry)).isDirectory(),
);

/** How each suite gets its emulator: `setup` runs first, then `emulator` makes one per test. */
const PROVIDERS = {
  ...Object.fromEntries(
    builtins.map((name) => [
      name,
      {
        setup: `const entry = await core.createRegistry().get(${JSON.stringify(name)}).emulator();`,
        emulator: 'entry.createEmulator()',
      },
    ]),
  ),
  acme: {
    setup: 'core.registerProvider(acme.acmeIdDefinition);',
    emulator: 'acme.createAcmeEmulator()',
  },
};

function testFile(provider, system) {
  const { emulator, setup } = PROVIDERS[provider];
  const load =
    system === 'esm'
      ? [
          "import * as core from 'idv-providers';",
          "import * as testing from 'idv-providers/testing';",
          "import * as acme from './acme.mjs';",
        ]
      : [
          "import { createRequire } from 'node:module';",
          'const require = createRequire(import.meta.url);',
          "const core = require('idv-providers');",
          "const testing = require('idv-providers/testing');",
          "const acme = require('./acme.cjs');",
        ];
  return [
    ...load,
    setup,
    `await testing.runConformanceSuite({ emulator: () => ${emulator} });`,
    '',
  ].join('\n');
}

/** Bundles the Acme ID example (provider and emulator) for both module systems, its imports left to the scratch project. */
async function buildAcme(dir) {
  const { build } = await import(join(root, 'node_modules/esbuild/lib/main.js'));
  const stdin = {
    contents:
      "export * from './acme-provider.ts';\nexport { createAcmeEmulator } from './acme-emulator.ts';\n",
    resolveDir: join(root, 'examples/custom-provider'),
    loader: 'ts',
  };
  for (const [format, file] of [
    ['esm', 'acme.mjs'],
    ['cjs', 'acme.cjs'],
  ]) {
    await build({
      stdin,
      bundle: true,
      // Every package, idv-providers included, comes from the scratch
      // project; the repository's tsconfig paths (to src/) must not apply.
      packages: 'external',
      tsconfigRaw: {},
      platform: 'node',
      target: 'node20',
      format,
      outfile: join(dir, file),
      logLevel: 'error',
    });
  }
}

/** Runs the suites in `dir`; returns one line per suite and throws unless all passed. */
export async function checkConformance(dir) {
  await buildAcme(dir);
  const files = [];
  for (const provider of Object.keys(PROVIDERS)) {
    for (const system of ['esm', 'cjs']) {
      const file = `conformance-${provider}-${system}.test.mjs`;
      writeFileSync(join(dir, file), testFile(provider, system));
      files.push({ file, provider, system });
    }
  }
  const report = join(dir, 'vitest-report.json');
  try {
    run(
      join(dir, 'node_modules/.bin/vitest'),
      ['run', '--reporter=json', `--outputFile=${report}`, '--testTimeout=30000'],
      dir,
    );
  } catch {
    // The report says what failed; it is read below.
  }
  const results = JSON.parse(readFileSync(report, 'utf8'));
  rmSync(report);
  const lines = [];
  let failed = 0;
  for (const { file, provider, system } of files) {
    const suite = results.testResults.find((r) => r.name.endsWith(file));
    const tests = suite?.assertionResults ?? [];
    const passed = tests.filter((t) => t.status === 'passed').length;
    const bad = tests.filter((t) => t.status !== 'passed');
    if (tests.length === 0 || bad.length > 0) failed += 1;
    lines.push(
      `${bad.length === 0 && tests.length > 0 ? 'ok' : 'FAIL'} conformance ${provider} (${system}): ${passed}/${tests.length} passed` +
        (suite?.message ? ` — ${suite.message}` : '') +
        bad
          .map((t) => `\n    ✖ ${t.title}: ${(t.failureMessages ?? []).join(' ').slice(0, 300)}`)
          .join(''),
    );
  }
  if (failed > 0) throw new Error(`conformance from the tarball failed:\n${lines.join('\n')}`);
  return lines;
}
