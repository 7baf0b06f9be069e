// A scratch project with the packed tarball installed, as a host would have it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The import paths of every entry, e.g. `idv-providers/onfido`. */
export const entries = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`));

/** Runs a command, returns its standard output; its standard error goes to ours. */
export const run = (cmd, args, cwd, env = process.env) =>
  execFileSync(cmd, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

/**
 * Packs the repository, installs the tarball with the given extra packages
 * into a new scratch folder, and returns the folder and what `npm pack` said.
 */
export function scratchInstall(extra) {
  const dir = mkdtempSync(join(tmpdir(), 'idv-pack-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], root))[0];
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(dir, packed.filename),
      ...extra,
    ],
    dir,
  );
  return { dir, packed, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
