/**
 * The layout's import rules, read from the source (see README, "Developing
 * this library"):
 * - the core names no provider: it imports a provider's definition from its
 *   one list of built-ins (src/builtins.ts) and nothing else of a provider;
 * - code outside the core's folders reaches the core by the package name,
 *   never by a relative path, so each entry bundles no copy of it; the
 *   shared helpers (src/shared) import nothing of the project at all;
 * - adapters import the author kit, not the host's root entry;
 * - emulators import the emulator kit, never the testing barrel that
 *   re-exports them;
 * - framework adapters (src/frameworks) import the core by its name and
 *   node: modules only: nothing of a framework, not even its types, so each
 *   entry loads and type-checks where that framework is not installed;
 * - and no two folders import each other, directly or round a circle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(root, path)).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  from: string;
  typeOnly: boolean;
}

/** The static imports and re-exports of a file (dynamic `import()` is not one). */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^(import|export)\s+(type\s+)?(?:[^;]*?\sfrom\s+)?'([^']+)';$/gms)].map(
    (m) => ({ from: m[3] ?? '', typeOnly: m[2] !== undefined }),
  );
}

/** The file a relative import names, repository-relative. */
const target = (file: string, from: string) =>
  relative(root, resolve(root, dirname(file), from)).replace(/(\/index)?(\.ts)?$/, '');

/** Which room of the layout a file belongs to. */
function roomOf(file: string): string {
  const providerPart = /^providers\/([a-z0-9-]+)\/(emulator\/|definition)?/.exec(file);
  if (providerPart !== null) {
    if (providerPart[2] === 'definition') return 'core';
    return providerPart[2] === 'emulator/'
      ? `emulator:${providerPart[1]}`
      : `adapter:${providerPart[1]}`;
  }
  const folder = /^src\/(kit|shared|testing|emulator-kit|cli|frameworks)\//.exec(file);
  return folder === null ? 'core' : (folder[1] ?? 'core');
}

/** The room an import lands in. */
function roomOfImport(file: string, from: string): string | undefined {
  if (from.startsWith('.')) return roomOf(`${target(file, from)}.ts`);
  if (/^idv-providers\/frameworks\/[a-z0-9-]+$/.test(from)) return 'frameworks';
  const entry = /^idv-providers(?:\/([a-z0-9-]+))?$/.exec(from);
  if (entry === null) return undefined; // node: or an npm package
  const name = entry[1];
  if (name === undefined) return 'core';
  if (['kit', 'testing', 'emulator-kit'].includes(name)) return name;
  return `adapter:${name}`;
}

const sources = [...filesUnder('src'), ...filesUnder('providers')];

describe('the import rules of the layout', () => {
  it('finds the rooms', () => {
    const rooms = new Set(sources.map(roomOf));
    expect([...rooms].sort()).toEqual(
      expect.arrayContaining([
        'core',
        'kit',
        'shared',
        'testing',
        'emulator-kit',
        'cli',
        'frameworks',
      ]),
    );
  });

  it('the core imports no provider but the definitions listed in src/builtins.ts', () => {
    const offenders = sources
      .filter((file) => roomOf(file) === 'core')
      .flatMap((file) =>
        importsOf(file)
          .filter(({ from }) => {
            const room = roomOfImport(file, from);
            return room?.startsWith('adapter:') || room?.startsWith('emulator:');
          })
          .map(({ from }) => `${file} imports ${from}`),
      );
    expect(offenders).toEqual([]);
    const builtins = importsOf('src/builtins.ts').map((i) => i.from);
    expect(builtins.every((from) => /^\.\.\/providers\/[a-z0-9-]+\/definition$/.test(from))).toBe(
      true,
    );
  });

  it('code outside the core reaches the core by the package name, not by a path', () => {
    const offenders = sources
      .filter((file) => !['core', 'cli'].includes(roomOf(file)))
      .flatMap((file) =>
        importsOf(file)
          .filter(({ from, typeOnly }) => {
            if (!from.startsWith('.')) return false;
            const landed = target(file, from);
            // Pure option helpers and the lazy loader may be included by any bundle,
            // and an adapter reads its own definition (schema, regions, hosts).
            if (/^src\/config\/(common|lazy)$/.test(landed)) return false;
            if (landed === `${dirname(file)}/definition`) return false;
            return roomOf(`${landed}.ts`) === 'core' && !typeOnly;
          })
          .map(({ from }) => `${file} imports ${from}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the shared helpers import nothing of the project, so any bundle may include them', () => {
    const offenders = sources
      .filter((file) => roomOf(file) === 'shared')
      .flatMap((file) =>
        importsOf(file)
          .filter(({ from }) => from.startsWith('idv-providers') || from.startsWith('..'))
          .map(({ from }) => `${file} imports ${from}`),
      );
    expect(offenders).toEqual([]);
  });

  it('only src/observability/otel.ts names @opentelemetry, and only in import() or require()', () => {
    const offenders = sources.flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const named = text.split('\n').filter((line) => line.includes("'@opentelemetry/"));
      if (named.length === 0) return [];
      if (file !== 'src/observability/otel.ts') return [`${file} names @opentelemetry`];
      return named
        .filter((line) => !/(import|require)\('@opentelemetry\/api'\)/.test(line))
        .map((line) => `${file}: ${line.trim()}`);
    });
    expect(offenders).toEqual([]);
  });

  it('adapters import the author kit, not the host entry', () => {
    const offenders = sources
      .filter((file) => roomOf(file).startsWith('adapter:'))
      .flatMap((file) =>
        importsOf(file)
          .filter(({ from }) => from === 'idv-providers' || from === 'idv-providers/testing')
          .map(({ from }) => `${file} imports ${from}`),
      );
    expect(offenders).toEqual([]);
  });

  it('emulators never import the testing barrel that re-exports them', () => {
    const offenders = [...sources, ...filesUnder('examples')]
      .filter((file) => roomOf(file).startsWith('emulator:') || file.endsWith('-emulator.ts'))
      .flatMap((file) =>
        importsOf(file)
          .filter(({ from }) => from === 'idv-providers/testing' || /\/src\/testing\//.test(from))
          .map(({ from }) => `${file} imports ${from}`),
      );
    expect(offenders).toEqual([]);
  });

  it('framework adapters import the core by its name, node: modules and their own folder only', () => {
    const offenders = sources
      .filter((file) => roomOf(file) === 'frameworks')
      .flatMap((file) =>
        importsOf(file)
          .filter(({ from }) => {
            if (from === 'idv-providers' || from.startsWith('node:')) return false;
            // Relative imports stay inside src/frameworks (its pure helpers).
            return !(from.startsWith('.') && target(file, from).startsWith('src/frameworks/'));
          })
          .map(({ from }) => `${file} imports ${from}`),
      );
    expect(offenders).toEqual([]);
  });

  it('no two rooms import each other, directly or round a circle', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of sources) {
      const from = roomOf(file);
      for (const imported of importsOf(file)) {
        const to = roomOfImport(file, imported.from);
        if (to === undefined || to === from || imported.typeOnly) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)?.add(to);
      }
    }
    const circles: string[] = [];
    const visit = (room: string, path: string[]): void => {
      for (const next of edges.get(room) ?? []) {
        if (path.includes(next))
          circles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const room of edges.keys()) visit(room, [room]);
    expect([...new Set(circles)]).toEqual([]);
  });
});
