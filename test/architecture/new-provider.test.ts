/**
 * Adding a built-in provider costs its folder plus two files outside it:
 * src/builtins.ts (an import and a list entry) and package.json (the
 * `./<name>` and `./<name>/emulator` exports and their `typesVersions`
 * lines). Everything else (tsup entries, vitest aliases, tsconfig paths,
 * typedoc, the conformance run over every built-in, the command line's
 * `check`) is derived.
 *
 * The test proves it on a copy of the repository: it copies the files git
 * knows (as they are in the working tree), commits them in a fresh git
 * repository, adds the provider template (test/fixtures/provider-template)
 * as providers/<name>/ under a new name, edits exactly those two files, and
 * then checks with git that nothing else changed, that the copy type-checks,
 * that the conformance suite passes for the new provider (and still for
 * Onfido and Jumio) and the import rules hold, and that the command line's
 * `check` reaches the new provider's API.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { conformanceScenarios, type EmulatorServer, serveEmulators } from 'idv-providers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleEmulator, type SampleEmulator } from '../fixtures/provider-template/emulator';

const root = resolve(import.meta.dirname, '../..');
const TEMPLATE = join(root, 'test/fixtures/provider-template');
/** The new provider's name: one lower-case word, so camelCase and SCREAMING_CASE follow. */
const NAME = 'zephyr';
const Name = 'Zephyr';
const NAME_ENV = 'ZEPHYR';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a child process: ours, without vitest's, git's or any IDV_ variables. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST|GIT_|IDV_)/.test(key) && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return { ...env, FORCE_COLOR: '0', NO_COLOR: '1', ...extra };
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env = childEnv(),
): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 85_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** A commit in the copy's own repository: no signing, no hooks, whatever the user's git config says. */
const GIT_OPTIONS = [
  ...['-c', 'user.name=idv', '-c', 'user.email=idv@example.com'],
  ...['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null'],
];

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((entry) => {
    const path = join(prefix, entry);
    return statSync(join(dir, path)).isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** The template's text with its placeholder name replaced, in every spelling. */
const renamed = (text: string): string =>
  text.replaceAll('sample', NAME).replaceAll('Sample', Name).replaceAll('SAMPLE', NAME_ENV);

/** The two edits a new built-in provider needs outside its folder, as its author makes them. */
function registerBuiltin(copy: string): void {
  const builtinsPath = join(copy, 'src/builtins.ts');
  const builtins = readFileSync(builtinsPath, 'utf8');
  const imports = [...builtins.matchAll(/^import .*;\n/gm)];
  const last = imports.at(-1);
  if (last?.index === undefined) throw new Error('src/builtins.ts has no import');
  const at = last.index + last[0].length;
  const withImport = `${builtins.slice(0, at)}import { ${NAME}Definition } from '../providers/${NAME}/definition';\n${builtins.slice(at)}`;
  const edited = withImport.replace(
    /(BUILTIN_PROVIDERS = \[)([^\]]*)(\])/,
    (_all, open: string, list: string, close: string) =>
      `${open}${list}, ${NAME}Definition${close}`,
  );
  if (!edited.includes(`, ${NAME}Definition]`)) throw new Error('BUILTIN_PROVIDERS not found');
  writeFileSync(builtinsPath, edited);

  const pkgPath = join(copy, 'package.json');
  const text = readFileSync(pkgPath, 'utf8');
  const pkg = JSON.parse(text) as {
    exports: Record<string, unknown>;
    typesVersions: { '*': Record<string, string[]> };
  };
  // Rewriting the file unchanged gives the same bytes, so the diff is the additions only.
  expect(`${JSON.stringify(pkg, null, 2)}\n`).toBe(text);
  const conditions = (dist: string) => ({
    import: { types: `./dist/${dist}.d.ts`, default: `./dist/${dist}.js` },
    require: { types: `./dist/${dist}.d.cts`, default: `./dist/${dist}.cjs` },
  });
  const { './package.json': manifest, ...entries } = pkg.exports;
  pkg.exports = {
    ...entries,
    [`./${NAME}`]: conditions(NAME),
    [`./${NAME}/emulator`]: conditions(`${NAME}-emulator`),
    './package.json': manifest,
  };
  pkg.typesVersions['*'][NAME] = [`./dist/${NAME}.d.cts`];
  pkg.typesVersions['*'][`${NAME}/emulator`] = [`./dist/${NAME}-emulator.d.cts`];
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
}

interface Report {
  success: boolean;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: Array<{
    name: string;
    status: string;
    message: string;
    assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }>;
  }>;
}

describe(`a new built-in provider (${NAME}, from the template)`, () => {
  let copy = '';
  let scratch = '';
  const templateFiles = filesUnder(TEMPLATE).sort();

  /** What git says changed in the copy since the original state was committed. */
  async function changes(): Promise<{ modified: string[]; added: string[]; diff: string[] }> {
    const status = await run('git', ['status', '--porcelain', '--untracked-files=all'], copy);
    const diff = await run('git', ['diff', '--name-only'], copy);
    expect(status.code, status.stderr).toBe(0);
    const lines = status.stdout.split('\n').filter((line) => line !== '');
    return {
      modified: lines.filter((l) => !l.startsWith('??')).map((l) => l.slice(3)),
      added: lines.filter((l) => l.startsWith('??')).map((l) => l.slice(3)),
      diff: diff.stdout.split('\n').filter((line) => line !== ''),
    };
  }

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'idv-new-provider-'));
    copy = join(scratch, 'repo');
    // The tracked files and the new ones not ignored: in a clean checkout the
    // tracked files only; while someone is adding a file, the tree as it is.
    const listed = await run(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
      root,
    );
    expect(listed.code, listed.stderr).toBe(0);
    const tracked = listed.stdout.split('\0').filter((path) => path !== '');
    expect(tracked).toEqual(expect.arrayContaining(['package.json', 'src/builtins.ts']));
    for (const path of tracked) {
      // A tracked file deleted in the working tree is left out, as it is in the tree.
      const stats = lstatSync(join(root, path), { throwIfNoEntry: false });
      if (stats === undefined || stats.isDirectory()) continue;
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      cpSync(join(root, path), join(copy, path), { verbatimSymlinks: true });
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');

    // The original state, committed in a repository of the copy's own.
    for (const args of [
      ['init', '-q'],
      ['add', '--all', '.'],
      [...GIT_OPTIONS, 'commit', '-q', '-m', 'the repository as it was'],
    ]) {
      if (args[0] === 'add') writeFileSync(join(copy, '.git/info/exclude'), '/node_modules\n');
      const done = await run('git', args, copy);
      expect(done.code, done.stderr).toBe(0);
    }
    expect(await changes()).toEqual({ modified: [], added: [], diff: [] });

    // The provider's folder, from the template, and the two edits.
    expect(existsSync(join(copy, 'providers', NAME))).toBe(false);
    for (const file of templateFiles) {
      const target = join(copy, 'providers', NAME, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, renamed(readFileSync(join(TEMPLATE, file), 'utf8')));
    }
    registerBuiltin(copy);
  }, 60_000);

  afterAll(() => {
    if (scratch === '') return;
    // The link first, so that nothing can follow it into the real node_modules.
    if (lstatSync(join(copy, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink()) {
      unlinkSync(join(copy, 'node_modules'));
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is the template under a new name, every spelling of the placeholder replaced', () => {
    expect(templateFiles).toEqual(
      expect.arrayContaining(['definition.ts', 'index.ts', 'emulator/index.ts']),
    );
    for (const file of templateFiles) {
      const text = readFileSync(join(copy, 'providers', NAME, file), 'utf8');
      expect(text, file).not.toMatch(/sample/i);
    }
    const definition = readFileSync(join(copy, 'providers', NAME, 'definition.ts'), 'utf8');
    expect(definition).toContain(`export const ${NAME}Definition`);
    expect(definition).toContain(`import('idv-providers/${NAME}/emulator')`);
  });

  it('touches nothing outside its folder but src/builtins.ts and package.json', async () => {
    const { modified, added, diff } = await changes();
    expect(modified.sort()).toEqual(['package.json', 'src/builtins.ts']);
    expect(diff.sort()).toEqual(['package.json', 'src/builtins.ts']);
    expect(added.sort()).toEqual(templateFiles.map((f) => `providers/${NAME}/${f}`).sort());
    const builtins = await run('git', ['diff', '--numstat', '--', 'src/builtins.ts'], copy);
    expect(builtins.stdout).toMatch(/^2\t1\tsrc\/builtins\.ts$/m); // an import, and the list's line
  });

  it('type-checks', async () => {
    const tsc = await run(join(copy, 'node_modules/.bin/tsc'), ['--noEmit'], copy);
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.code).toBe(0);
  }, 90_000);

  it('passes the conformance suite (as Onfido and Jumio still do) and the import rules', async () => {
    const output = join(scratch, 'report.json');
    const vitest = await run(
      join(copy, 'node_modules/.bin/vitest'),
      [
        'run',
        'test/conformance',
        'test/architecture/imports.test.ts',
        '--no-cache',
        '--reporter=json',
        `--outputFile=${output}`,
      ],
      copy,
    );
    const report = JSON.parse(readFileSync(output, 'utf8')) as Report;
    const failures = report.testResults.flatMap((file) => [
      ...(file.status === 'passed' ? [] : [`${relative(copy, file.name)}: ${file.message}`]),
      ...file.assertionResults
        .filter((test) => test.status !== 'passed')
        .map((test) => `${[...test.ancestorTitles, test.title].join(' > ')}: ${test.status}`),
    ]);
    expect(failures).toEqual([]);
    expect(vitest.code, vitest.stderr.slice(-2000)).toBe(0);
    expect(report).toMatchObject({ success: true, numFailedTests: 0, numPendingTests: 0 });
    expect(report.numTodoTests).toBe(0);

    const files = report.testResults.map((file) => relative(copy, file.name)).sort();
    expect(files).toEqual([
      'test/architecture/imports.test.ts',
      'test/conformance/builtins.test.ts',
      'test/conformance/meta.test.ts',
      'test/conformance/swap.test.ts',
    ]);
    const tests = report.testResults.flatMap((file) =>
      file.assertionResults.map((test) => ({ file: relative(copy, file.name), ...test })),
    );
    expect(tests.every((test) => test.status === 'passed')).toBe(true);

    // The conformance suite ran once per built-in provider, the new one included.
    const suiteOf = (name: string) =>
      tests.filter((test) => test.ancestorTitles[0] === `conformance: ${name}`);
    const suites = [...new Set(tests.map((test) => test.ancestorTitles[0]))]
      .filter((title) => title?.startsWith('conformance: '))
      .sort();
    expect(suites).toEqual(['jumio', 'onfido', NAME].map((name) => `conformance: ${name}`).sort());
    const titles = suiteOf(NAME).map((test) => test.title);
    for (const scenario of conformanceScenarios()) {
      expect(titles).toContain(`${scenario.name}: ${scenario.reason} → ${scenario.status}`);
    }
    expect(titles.length).toBeGreaterThan(conformanceScenarios().length);
    expect(suiteOf('onfido').map((test) => test.title)).toEqual(titles);
    expect(suiteOf('jumio').map((test) => test.title)).toEqual(titles);

    // The meta test found the new folder and checked it as it checks the others.
    const metaOf = (name: string) =>
      tests.filter((t) => t.file.endsWith('meta.test.ts') && t.ancestorTitles.at(-1) === name);
    expect(metaOf(NAME).length).toBeGreaterThan(0);
    expect(metaOf(NAME).map((t) => t.title)).toEqual(metaOf('onfido').map((t) => t.title));
    expect(tests.filter((t) => t.file.endsWith('imports.test.ts')).length).toBeGreaterThan(0);
  }, 90_000);

  describe('the command line', () => {
    let server: EmulatorServer;
    let emulator: SampleEmulator | undefined;
    let baseUrl = '';
    beforeAll(async () => {
      // The template's emulator, served over HTTP: the CLI runs in another process.
      server = await serveEmulators({ handlers: () => emulator?.handlers ?? [] });
      baseUrl = `${server.url}/${NAME}/v1`;
      emulator = createSampleEmulator({ baseUrl });
    });
    afterAll(() => server?.close());

    const check = (env: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'check'], copy, {
        PATH: process.env['PATH'] ?? '',
        NO_COLOR: '1',
        IDV_PROVIDER: NAME,
        IDV_MAX_RETRIES: '0',
        [`IDV_${NAME_ENV}_BASE_URL`]: baseUrl,
        ...env,
      });

    it('checks the new provider from its derived environment variables', async () => {
      const apiKey = emulator?.apiKey ?? '';
      const good = await check({ [`IDV_${NAME_ENV}_API_KEY`]: apiKey });
      expect(good.stdout, good.stderr).toContain(`provider ${NAME} (from environment)`);
      expect(good.stdout).toContain(`IDV_${NAME_ENV}_API_KEY`);
      expect(good.stdout).toContain('configuration is valid');
      expect(good.stdout).toContain(`${NAME} accepted the credentials`);
      expect(good.stderr).toContain(`checking the connection to ${NAME} at ${baseUrl}`);
      expect(`${good.stdout}${good.stderr}`).not.toContain(apiKey);
      expect(good.code, good.stderr).toBe(0);

      const refused = await check({ [`IDV_${NAME_ENV}_API_KEY`]: 'not-the-emulator-key' });
      expect(refused.stderr).toContain(`hint: check IDV_${NAME_ENV}_API_KEY`);
      expect(refused.code).toBe(3);
    }, 30_000);
  });

  it('still touches only those files after every tool ran', async () => {
    const { modified, added } = await changes();
    expect(modified.sort()).toEqual(['package.json', 'src/builtins.ts']);
    expect(added.every((path) => path.startsWith(`providers/${NAME}/`))).toBe(true);
  });
});
