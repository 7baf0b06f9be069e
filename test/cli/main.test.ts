import { VERSION } from 'idv-providers';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { Capture, cli, hasAnsi, stripAnsi } from './helpers';

describe('idv-providers: usage, help and version', () => {
  it('prints the version', async () => {
    for (const flag of ['--version', '-v']) {
      const run = await cli([flag]);
      expect(run).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });

  it('prints help on stdout with every command and the exit codes', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const text of [
      'check',
      'webhooks register',
      'emulator',
      'Exit codes:',
      '3  the provider refused',
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it.each([
    [['check', '--help'], 'Usage: idv-providers check'],
    [['webhooks', 'register', '--help'], 'Usage: idv-providers webhooks register --url'],
    [['webhooks', '--help'], 'register (or find) the Onfido webhook'],
    [['emulator', '--help'], 'POST /_emulator/verdict'],
    [['help', 'check'], 'Usage: idv-providers check'],
    [['help', 'webhooks', 'register'], '--show-token'],
    [['help'], 'Usage: idv-providers <command>'],
  ])('%j prints its help on stdout, exit 0', async (argv, text) => {
    const run = await cli(argv);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(text);
    expect(run.stderr).toBe('');
  });

  it('with no command, prints the usage on stderr, exit 2', async () => {
    const run = await cli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('✖ no command given');
    expect(run.stderr).toContain('Usage: idv-providers <command>');
  });

  it('names an unknown command, exit 2', async () => {
    const run = await cli(['chek']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('✖ unknown command "chek": expected check, webhooks or emulator');
    expect(run.stderr).toContain('Usage: idv-providers <command>');
  });

  it('does not echo an argument that does not look like a command (it may be a secret)', async () => {
    const run = await cli(['api_live.s3cr3t/token=']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command (an argument)');
    expect(run.stderr).not.toContain('s3cr3t');
  });

  it('names an unknown flag of a command with its synopsis, exit 2', async () => {
    const run = await cli(['check', '--confg', 'x.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('✖ unknown option --confg for "check"');
    expect(run.stderr).toContain('Usage: idv-providers check [--config <file.json>]');
    expect(run.stderr).toContain('Run "idv-providers check --help" for its options.');
  });

  it('does not echo the value of an unknown flag', async () => {
    const run = await cli(['check', '--api-token=api_live.s3cr3t']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --api-token for "check"');
    expect(run.stderr).not.toContain('s3cr3t');
  });

  it('refuses stray arguments without echoing them', async () => {
    const run = await cli(['check', 'api_live.s3cr3t']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"check" takes no arguments besides its options');
    expect(run.stderr).not.toContain('s3cr3t');
  });

  it('says when a flag needs a value', async () => {
    const run = await cli(['check', '--config']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('option --config needs a value');
  });

  it('refuses an unknown webhooks subcommand and options before the command', async () => {
    const sub = await cli(['webhooks', 'list']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('unknown subcommand "list" for "webhooks": expected "register"');
    const early = await cli(['--verbose', 'check']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('unknown option --verbose: options go after the command');
  });
});

describe('colour', () => {
  const env = { IDV_PROVIDER: 'sumsub' };

  it('is off when the stream is not a terminal', async () => {
    const run = await cli(['check'], env);
    expect(hasAnsi(run.stderr)).toBe(false);
  });

  it('is on for a terminal, and off again with NO_COLOR', async () => {
    for (const [noColor, expected] of [
      [undefined, true],
      ['1', false],
    ] as const) {
      const stdout = new Capture(true);
      const stderr = new Capture(true);
      const code = await runCli(['check'], {
        stdout,
        stderr,
        env: { ...env, ...(noColor === undefined ? {} : { NO_COLOR: noColor }) },
      });
      expect(code).toBe(2);
      expect(hasAnsi(stderr.text)).toBe(expected);
      expect(stripAnsi(stderr.text)).toContain('✖ invalid configuration');
    }
  });
});
