#!/usr/bin/env node
// Packs the library, installs the tarball into a scratch project, and checks
// that every entry point loads with require() and import() and that its types
// resolve for both CommonJS and ESM consumers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`));
const scratch = mkdtempSync(join(tmpdir(), 'idv-pack-'));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], root));
  const tarball = join(scratch, packed[0].filename);
  console.log(
    `packed ${packed[0].filename}: ${packed[0].files.length} files, ${packed[0].size} bytes`,
  );

  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  const msw = pkg.devDependencies.msw;
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `msw@${msw}`],
    scratch,
  );

  for (const entry of entries) {
    const cjs = run(
      'node',
      ['-e', `const m = require(${JSON.stringify(entry)}); console.log(Object.keys(m).length)`],
      scratch,
    ).trim();
    const esm = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).length)`,
      ],
      scratch,
    ).trim();
    if (Number(cjs) === 0 || Number(esm) === 0)
      throw new Error(`${entry}: no exports (cjs ${cjs}, esm ${esm})`);
    console.log(`ok ${entry}: require() ${cjs} exports, import() ${esm} exports`);
  }

  const version = run('npx', ['--no-install', 'idv-providers', '--version'], scratch).trim();
  if (version !== pkg.version)
    throw new Error(`the idv-providers bin printed ${version}, expected ${pkg.version}`);
  console.log(`ok bin: idv-providers --version prints ${version}`);

  // One copy of the core per module system: an error thrown by a CommonJS
  // adapter is an instance of the CommonJS core's IdvError.
  const sameCore = run(
    'node',
    [
      '-e',
      `
    const core = require('idv-providers');
    core.createProvider({ provider: 'onfido', apiToken: 't', verificationSiteUrl: 'https://v.example' })
      .then((p) => p.verifyWebhook({ body: '{}', headers: {} }))
      .then(() => console.log('no error'), (e) => console.log(e instanceof core.IdvError));
  `,
    ],
    scratch,
  ).trim();
  if (sameCore !== 'true')
    throw new Error(`CommonJS adapter errors are not core IdvErrors (${sameCore})`);
  console.log('ok CommonJS adapters share the core');

  const imports = entries.map((e, i) => `import * as m${i} from ${JSON.stringify(e)};`).join('\n');
  const uses = entries.map((_, i) => `void m${i};`).join('\n');
  const typeUse = `
import type { IdentityVerificationProvider, VerificationResult } from 'idv-providers';
export const status = (r: VerificationResult): string => r.status;
export type P = IdentityVerificationProvider;`;
  writeFileSync(join(scratch, 'check.mts'), `${imports}\n${uses}\n${typeUse}\n`);
  writeFileSync(
    join(scratch, 'check.cts'),
    `${imports.replace(/import \* as (\w+) from (".*?");/g, 'import $1 = require($2);')}\n${uses}\n${typeUse}\n`,
  );
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
      },
      files: ['check.mts', 'check.cts'],
    }),
  );
  run(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], scratch);
  console.log('ok types resolve for ESM (check.mts) and CommonJS (check.cts)');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
