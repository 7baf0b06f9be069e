/**
 * Every provider in providers/ is registered, exported, built, documented and
 * run through the conformance suite. Adding a provider without any of these,
 * or removing one of them from an existing provider, fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry } from 'idv-providers';
import { describe, expect, it } from 'vitest';
import { packageEntries } from '../../scripts/entries';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const providers = readdirSync(join(root, 'providers')).filter((entry) =>
  statSync(join(root, 'providers', entry)).isDirectory(),
);

describe('every provider in providers/', () => {
  it('finds the built-in providers', () => {
    expect(providers).toEqual(expect.arrayContaining(['onfido', 'jumio']));
  });

  describe.each(providers)('%s', (name) => {
    it('is registered in the default registry', () => {
      expect(createRegistry().names()).toContain(name);
    });

    it('is a subpath export of the package, ESM and CommonJS', () => {
      const pkg = JSON.parse(read('package.json')) as {
        exports: Record<string, { import?: unknown; require?: unknown }>;
      };
      const entry = pkg.exports[`./${name}`];
      expect(entry?.import).toBeDefined();
      expect(entry?.require).toBeDefined();
    });

    it('is an entry of the build and of the API docs', () => {
      // tsup builds one bundle per entry that scripts/entries.ts derives from package.json.
      expect(packageEntries()).toContainEqual({
        specifier: `idv-providers/${name}`,
        distName: name,
        source: `providers/${name}/index.ts`,
      });
      expect(read('tsup.config.ts')).toContain('packageEntries()');
      const typedoc = JSON.parse(read('typedoc.json')) as { entryPoints: string[] };
      expect(typedoc.entryPoints).toContain('providers/*/index.ts');
    });

    it('exports its emulator from idv-providers/<name>/emulator, reached through its definition', async () => {
      const pkg = JSON.parse(read('package.json')) as {
        exports: Record<string, { import?: unknown; require?: unknown }>;
      };
      const entry = pkg.exports[`./${name}/emulator`];
      expect(entry?.import).toBeDefined();
      expect(entry?.require).toBeDefined();
      const load = createRegistry().get(name).emulator;
      expect(load).toBeTypeOf('function');
      const emulator = (await load?.())?.createEmulator();
      expect(emulator?.provider).toBe(name);
    });

    it('runs the conformance suite', () => {
      // test/conformance/builtins.test.ts runs it for every registered built-in.
      expect(read('test/conformance/builtins.test.ts')).toMatch(
        /for \(const name of registry\.names\(\)\)[\s\S]*await runConformanceSuite\(/,
      );
      expect(createRegistry().names()).toContain(name);
    });
  });
});
