// Type checks against the installed tarball: every entry's declarations load
// for ESM and CommonJS consumers, and a host that passes `undefined` through
// optional fields (test/types/host-passes-undefined.ts) compiles under
// `exactOptionalPropertyTypes` with each module resolution a host may use,
// `node10` (TypeScript's "node", as NestJS projects have) among them.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entries, root, run } from './scratch.mjs';

const RESOLUTIONS = {
  // As a NestJS project's tsconfig has it (esModuleInterop is its default too).
  node10: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};

const tsc = join(root, 'node_modules/.bin/tsc');

function compile(dir, name, compilerOptions, files) {
  const config = `tsconfig.${name}.json`;
  writeFileSync(
    join(dir, config),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        ...compilerOptions,
      },
      files,
    }),
  );
  run(tsc, ['-p', config], dir);
}

export function checkTypes(dir) {
  const lines = [];
  const imports = entries.map((e, i) => `import * as m${i} from ${JSON.stringify(e)};`).join('\n');
  const uses = entries.map((_, i) => `void m${i};`).join('\n');
  const typeUse = `
import type { IdentityVerificationProvider, VerificationResult } from 'idv-providers';
export const status = (r: VerificationResult): string => r.status;
export type P = IdentityVerificationProvider;`;
  writeFileSync(join(dir, 'check.mts'), `${imports}\n${uses}\n${typeUse}\n`);
  writeFileSync(
    join(dir, 'check.cts'),
    `${imports.replace(/import \* as (\w+) from (".*?");/g, 'import $1 = require($2);')}\n${uses}\n${typeUse}\n`,
  );
  compile(dir, 'entries', RESOLUTIONS.nodenext, ['check.mts', 'check.cts']);
  lines.push('ok types resolve for ESM (check.mts) and CommonJS (check.cts)');

  copyFileSync(join(root, 'test/types/host-passes-undefined.ts'), join(dir, 'host.ts'));
  for (const [name, options] of Object.entries(RESOLUTIONS)) {
    compile(dir, `host-${name}`, options, ['host.ts']);
    lines.push(`ok a host passing undefined compiles with moduleResolution ${name}`);
  }
  return lines;
}
