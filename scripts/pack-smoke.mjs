#!/usr/bin/env node
// The package as a host gets it: packs the library, installs the tarball into
// a scratch project and checks, from there, that
// - every entry loads with require() and import(), and the bin runs;
// - every entry shares the one core (no entry bundles its own copy);
// - the declarations resolve for ESM and CommonJS, and a host passing
//   `undefined` through optional fields compiles with every module resolution;
// - the conformance suite passes for Onfido, Jumio and a registered custom
//   provider, in ESM and in CommonJS;
// - every file the README links is in the package.
import { checkConformance } from './pack/conformance.mjs';
import { entries, pkg, run, scratchInstall } from './pack/scratch.mjs';
import { checkShippedDocs } from './pack/shipped-docs.mjs';
import { checkSingleCore } from './pack/single-core.mjs';
import { checkTypes } from './pack/types.mjs';

const { msw, vitest } = pkg.devDependencies;
const scratch = scratchInstall([`msw@${msw}`, `vitest@${vitest}`]);
const { dir, packed } = scratch;
const say = (lines) => {
  for (const line of lines) console.log(line);
};

try {
  console.log(`packed ${packed.filename}: ${packed.files.length} files, ${packed.size} bytes`);

  for (const entry of entries) {
    const count = (args) => Number(run('node', args, dir).trim());
    const cjs = count(['-e', `console.log(Object.keys(require(${JSON.stringify(entry)})).length)`]);
    const esm = count([
      '--input-type=module',
      '-e',
      `console.log(Object.keys(await import(${JSON.stringify(entry)})).length)`,
    ]);
    if (cjs === 0 || esm === 0) throw new Error(`${entry}: no exports (cjs ${cjs}, esm ${esm})`);
    console.log(`ok ${entry}: require() ${cjs} exports, import() ${esm} exports`);
  }

  const version = run('npx', ['--no-install', 'idv-providers', '--version'], dir).trim();
  if (version !== pkg.version) {
    throw new Error(`the idv-providers bin printed ${version}, expected ${pkg.version}`);
  }
  console.log(`ok bin: idv-providers --version prints ${version}`);

  say(checkSingleCore(dir));
  say(checkShippedDocs(packed));
  say(checkTypes(dir));
  say(await checkConformance(dir));
} finally {
  scratch.remove();
}
