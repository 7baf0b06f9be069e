/**
 * A `--config` file nested thousands of levels deep (the attack: the command
 * line overflowed its stack reading it, "Maximum call stack size exceeded",
 * exit 1) is a configuration error, exit 2, pointing at where it nests too
 * deep; so is a deep value reached while resolving `${ENV}` references, and
 * an invalid deep file's error position is found without recursing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepthError, jsonErrorPosition, MAX_JSON_DEPTH } from '../../src/cli/json-position';
import { cli } from '../cli/helpers';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idv-config-depth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const nested = (depth: number, open = '[', close = ']', inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

async function check(name: string, text: string, env: Record<string, string> = {}) {
  const file = join(dir, name);
  await writeFile(file, text);
  return cli(['check', '--config', file], env);
}

describe('a deeply nested --config file', () => {
  it.each([100_000, 5_000, MAX_JSON_DEPTH + 1])(
    'nested %i arrays deep: exit 2 with a config error, not a stack overflow',
    async (depth) => {
      const run = await check(
        `deep-${depth}.json`,
        `{"provider":"onfido","reportNames":${nested(depth)}}`,
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('invalid configuration');
      expect(run.stderr).toContain(`more than ${MAX_JSON_DEPTH} levels deep (near line 1, column`);
      expect(run.stderr).not.toContain('call stack');
    },
  );

  it('nested objects with environment references inside: exit 2', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${ENV} reference of the config file
    const inner = '{"a":"${SECRET_VALUE}"}';
    const run = await check(
      'deep-objects.json',
      `{"provider":"onfido","apiToken":"\${SECRET_VALUE}","clock":${nested(50_000, '{"k":', '}', inner)}}`,
      { SECRET_VALUE: 'api_sandbox.depth-secret-00000000' },
    );
    expect(run.code).toBe(2);
    expect(`${run.stdout}${run.stderr}`).not.toContain('api_sandbox.depth-secret');
  });

  it('deeply nested and invalid: exit 2, never a stack overflow', async () => {
    const run = await check('deep-invalid.json', `{"provider":"onfido","x":${'['.repeat(100_000)}`);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('call stack');
  });

  it('brackets inside strings do not count', async () => {
    const text = JSON.stringify({ provider: 'onfido', note: '['.repeat(10_000) });
    expect(jsonDepthError(text)).toBeUndefined();
  });

  it('a nesting within the limit is read as before', async () => {
    const run = await check(
      'shallow.json',
      JSON.stringify({ provider: 'onfido', reportNames: ['document'], x: [[[[1]]]] }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option "x"');
  });
});

describe('json-position reads any depth without recursing past the limit', () => {
  it('finds where an invalid text nested 1,000,000 deep goes wrong', () => {
    expect(jsonErrorPosition(`${'['.repeat(1_000_000)}x`)).toEqual({
      line: 1,
      column: MAX_JSON_DEPTH + 1,
    });
  });

  it('points at the bracket that nests too deep, across lines', () => {
    const text = `{\n  "a": ${'['.repeat(MAX_JSON_DEPTH - 1)}\n${'['.repeat(3)}`;
    expect(jsonDepthError(text)).toEqual({ line: 3, column: 1 });
  });
});
