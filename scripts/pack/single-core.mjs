// One core at run time: no entry but the core's own defines a class or
// function the core exports (IdvError and its subclasses, the registry,
// createProvider, ...). An entry that bundled its own copy would hand hosts
// errors that fail `instanceof` and a registry their providers are not in.
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
  }
  return lines;
}
