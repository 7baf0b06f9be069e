/**
 * The package's entries, read from package.json's `exports`, and the source
 * file each is built from: `.` is `src/index.ts`; `./<name>` is
 * `providers/<name>/index.ts` when that folder exists (a provider's adapter)
 * and `./<name>/emulator` its `emulator/index.ts`, else `src/<name>/index.ts`
 * (the kit, the testing tools). tsup and vitest
 * both read this list, so a new entry is one line in package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** One entry: its import path, its name in dist/, and its source file. */
export interface PackageEntry {
  /** `idv-providers`, `idv-providers/onfido`, ... */
  specifier: string;
  /** The file name in dist/ (`index`, `onfido`, `emulator-kit`, ...). */
  distName: string;
  /** The source file, relative to the repository root. */
  source: string;
}

function sourceOf(subpath: string): string {
  if (subpath === '.') return 'src/index.ts';
  const name = subpath.slice(2);
  const provider = name.split('/')[0];
  return existsSync(`${root}providers/${provider}`)
    ? `providers/${name}/index.ts`
    : `src/${name}/index.ts`;
}

/** Every code entry of package.json's `exports`. */
export function packageEntries(): PackageEntry[] {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  return Object.keys(pkg.exports)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => ({
      specifier: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
      distName: subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-'),
      source: sourceOf(subpath),
    }));
}

/** The absolute path of a repository file. */
export const repoPath = (path: string): string => `${root}${path}`;
