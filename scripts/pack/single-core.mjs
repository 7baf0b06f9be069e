// One core at run time: no entry but the core's own defines a class or
// function the core exports (IdvError and its subclasses, the registry,
// createProvider, ...). An entry that bundled its own copy would hand hosts
// errors that fail `instanceof` and a registry their providers are not in.
// Likewise one zod: it is bundled once, into dist/zod.js and dist/zod.cjs
// (see tsup.config.ts); every other bundle imports it from there, none
// bundles zod's code nor loads zod from node_modules (a second copy).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function checkSingleCore(dir) {
  const dist = join(dir, 'node_modules/idv-providers/dist');
  const core = createRequire(join(dir, 'package.json'))('idv-providers');
  const names = Object.keys(core).filter((name) => typeof core[name] === 'function');
  if (!names.includes('IdvError') || !names.includes('ProviderRegistry')) {
    throw new Error('single core: the core exports no IdvError or ProviderRegistry');
  }
  const lines = [];
  for (const file of readdirSync(dist).filter(
    (f) => /\.c?js$/.test(f) && !f.startsWith('index.'),
  )) {
    const text = readFileSync(join(dist, file), 'utf8');
    const copies = names.filter((name) =>
      new RegExp(
        `\\bclass\\s+${name}\\b|\\b(?:var|let|const)\\s+${name}\\s*=|\\bfunction\\s+${name}\\s*\\(`,
      ).test(text),
    );
    if (copies.length > 0) {
      throw new Error(`single core: dist/${file} defines its own ${copies.join(', ')}`);
    }
    lines.push(`ok dist/${file} defines none of the core's ${names.length} classes and functions`);
    if (/^zod\.c?js$/.test(file)) continue;
    if (/\bfunction \$constructor\(/.test(text)) {
      throw new Error(`single zod: dist/${file} bundles its own copy of zod`);
    }
    if (/\bfrom\s*["']zod["']|\brequire\(\s*["']zod["']\s*\)/.test(text)) {
      throw new Error(`single zod: dist/${file} loads zod from node_modules, not dist/zod`);
    }
  }
  const zod = readdirSync(dist).filter((f) => /^zod\.c?js$/.test(f));
  if (zod.length !== 2) throw new Error(`single zod: expected dist/zod.js and dist/zod.cjs`);
  lines.push(
    'ok one zod: only dist/zod.js and dist/zod.cjs hold it; the other bundles import them',
  );
  return lines;
}
