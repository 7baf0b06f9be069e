#!/usr/bin/env node
// The API reference is grouped by the import paths users type: one module
// page per entry of package.json's "exports" (idv-providers,
// idv-providers/onfido, ...), and none named after a source folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const expected = Object.keys(pkg.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`))
  .map((entry) => `${entry.replaceAll('/', '_')}.html`)
  .sort();
const pages = readdirSync(join(root, 'docs/api/modules')).sort();
if (JSON.stringify(pages) !== JSON.stringify(expected)) {
  console.error(`docs: module pages ${pages.join(', ')}; expected ${expected.join(', ')}`);
  process.exit(1);
}
console.log(`docs: one module page per entry (${pages.map((p) => p.slice(0, -5)).join(', ')})`);
