/**
 * The README's document-saving recipe ("A first integration", step 5) is the
 * code a newcomer copies. The attack: it saved each download under the
 * provider's file name in one folder, so two documents named `passport.jpg`
 * overwrote each other, across customers too, and a provider-chosen name
 * decided the path. The recipe's own lines are run here: a folder per identity,
 * a file per document id, every path inside the root.
 */
import { readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

/** Step 5 of the first integration's code block. */
function recipe(): string {
  const section = README.slice(README.indexOf('## A first integration'));
  const code = section.slice(
    section.indexOf('```ts') + 5,
    section.indexOf('```', section.indexOf('```ts') + 5),
  );
  const step = code.slice(code.indexOf('// 5.'));
  expect(step.length, 'the recipe has a step 5').toBeGreaterThan(5);
  return step;
}

/** The path the recipe writes a download to, for an identity and a document. */
function pathFor(identity: string, doc: { id: string }, fileName: string): string {
  const step = recipe();
  const line = (name: string) => {
    const found = step.split('\n').find((l) => l.trimStart().startsWith(`const ${name} =`));
    expect(found, `the recipe defines ${name}`).toBeDefined();
    return (found as string).replace(/\/\/.*$/, '').trim();
  };
  const body = [
    line('safe').replace(/\(id: string\)/, '(id)'),
    line('folder').replace("'identity-42'", 'identity'),
    line('file'),
    'return file;',
  ].join('\n');
  return new Function('join', 'extname', 'identity', 'doc', 'download', body)(
    join,
    extname,
    identity,
    doc,
    { fileName },
  ) as string;
}

describe('the document-saving recipe', () => {
  it('does not write under the provider-chosen name alone', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the recipe's old line, as text
    expect(recipe()).not.toContain('/var/lib/kyc/${download.fileName}');
  });

  it('two documents named passport.jpg, of one customer and of two, get four paths', () => {
    const paths = new Set(
      ['identity-42', 'identity-43'].flatMap((identity) =>
        ['d0c-1', 'd0c-2'].map((id) => pathFor(identity, { id }, 'passport.jpg')),
      ),
    );
    expect(paths.size).toBe(4);
    for (const path of paths) expect(path.endsWith('.jpg')).toBe(true);
  });

  it('keeps every path inside the root folder, whatever the ids hold', () => {
    for (const [identity, id] of [
      ['..', '..'],
      ['../../etc', '../passwd'],
      ['a/b', 'c\\d'],
      ['.', '.'],
    ] as const) {
      const path = pathFor(identity, { id }, 'x.png');
      const inside = relative('/var/lib/kyc', path);
      expect(inside.startsWith('..'), path).toBe(false);
      expect(inside.split('/')).toHaveLength(2);
    }
  });
});
