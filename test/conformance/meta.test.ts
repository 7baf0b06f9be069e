/**
 * Every provider in providers/ is registered, exported, built, documented and
 * run through the conformance suite. Adding a provider without any of these,
 * or removing one of them from an existing provider, fails here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

    it('exports its emulator from idv-providers/testing', () => {
      expect(read('src/testing/index.ts')).toContain(`from '../../providers/${name}/emulator'`);
    });

    it('runs the conformance suite', () => {
      const file = `test/conformance/${name}.test.ts`;
      expect(existsSync(join(root, file)), `${file} is missing`).toBe(true);
      expect(read(file)).toMatch(/await runConformanceSuite\(/);
    });
  });
});
