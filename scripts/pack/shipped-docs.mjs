// What the README links must ship: every relative link in README.md names a
// file in the tarball (the README is the package's page on the registry, so
// a link to a file left out of the package is a dead link there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './scratch.mjs';

export function checkShippedDocs(packed) {
  const shipped = new Set(packed.files.map((f) => f.path));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const targets = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/i.test(target));
  const missing = [...new Set(targets)].filter((t) => !shipped.has(t.replace(/^\.\//, '')));
  if (missing.length > 0) {
    throw new Error(`the README links files the package does not ship: ${missing.join(', ')}`);
  }
  return [`ok every file the README links ships in the package (${new Set(targets).size} links)`];
}
