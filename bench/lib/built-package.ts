/**
 * The package as it ships, built privately for the benches that must load the
 * build (cold imports): the ESM entries (the core's bundle, the others' and
 * the shared bundle of zod)
 * built with the repository's own tsup
 * configuration (declarations and source maps left out: they do not run) into
 * `.tmp/bench-<random>/node_modules/idv-providers/dist`, next to a copy of
 * `package.json`, so that `import('idv-providers/onfido')` from that folder
 * resolves through the package's `exports` exactly as in a host. The shared
 * `dist/` is neither read nor touched, so the build is always current.
 *
 * @module
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A private build of the package. */
export interface BuiltPackage {
  /** A folder whose `node_modules/idv-providers` is the build; run children here. */
  readonly root: string;
  /** How long the build took, milliseconds. */
  readonly buildMs: number;
  /** Deletes the folder. */
  remove(): Promise<void>;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the package's ESM entries into a new scratch folder under `.tmp/`. */
export async function buildPackage(): Promise<BuiltPackage> {
  const { build } = await import('tsup');
  const { default: config } = await import('../../tsup.config');
  const configs = Array.isArray(config) ? config : [config];
  // Every ESM configuration but the command line's: the core's bundle, the
  // other entries' and the one bundle of zod they share are built separately
  // (see tsup.config.ts), and a host loads them all.
  const esmBuilds = configs.filter(
    (c): c is Exclude<typeof c, (...args: never[]) => unknown> =>
      typeof c !== 'function' &&
      c.format === 'esm' &&
      !(typeof c.entry === 'object' && !Array.isArray(c.entry) && 'cli' in c.entry),
  );
  if (esmBuilds.length === 0) {
    throw new Error('bench: expected ESM builds in the tsup configuration');
  }
  await mkdir(join(REPO, '.tmp'), { recursive: true });
  const root = await mkdtemp(join(REPO, '.tmp', 'bench-'));
  const pkg = join(root, 'node_modules', 'idv-providers');
  await mkdir(pkg, { recursive: true });
  // The scratch folder is a host package of its own. Without a package.json
  // here, the nearest one would be the repository's, named idv-providers,
  // and Node would resolve `idv-providers/onfido` by self-reference to the
  // repository's dist/ (absent on a fresh clone, stale after edits).
  await writeFile(
    join(root, 'package.json'),
    `${JSON.stringify({ name: 'idv-bench-host', private: true, type: 'module' })}\n`,
  );
  await copyFile(join(REPO, 'package.json'), join(pkg, 'package.json'));
  const began = performance.now();
  for (const esm of esmBuilds) {
    // Entries are relative to the repository, wherever the bench was started.
    if (esm.entry === undefined || Array.isArray(esm.entry)) {
      throw new Error('bench: expected named entries in the tsup configuration');
    }
    const entry = Object.fromEntries(
      Object.entries(esm.entry).map(([name, path]) => [name, join(REPO, path)]),
    );
    await build({
      ...esm,
      entry,
      outDir: join(pkg, 'dist'),
      dts: false,
      sourcemap: false,
      clean: false,
      silent: true,
      config: false,
      tsconfig: join(REPO, 'tsconfig.json'),
    });
  }
  return {
    root,
    buildMs: performance.now() - began,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
