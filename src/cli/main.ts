/**
 * The `idv-providers` command line: `check`, `webhooks register`, `emulator`.
 *
 * {@link runCli} runs one invocation in-process and answers its exit code; the
 * executable (`bin.ts`) passes it the process's streams, environment and a
 * signal aborted on SIGINT/SIGTERM.
 *
 * @module
 */
import { VERSION } from 'idv-providers';
import { runCheck } from './check';
import { runEmulator } from './emulator';
import { EXIT, type ExitCode, nameForMessage, UsageError } from './exit-codes';
import type { CliIO } from './io';
import { reportError } from './report-error';
import { type Out, terminal } from './term';
import {
  CHECK_USAGE,
  EMULATOR_USAGE,
  MAIN_USAGE,
  WEBHOOKS_REGISTER_USAGE,
  WEBHOOKS_USAGE,
} from './usage';
import { runWebhooks } from './webhooks';

export { EXIT, type ExitCode } from './exit-codes';
export type { CliIO, CliWriter } from './io';

type Command = (argv: readonly string[], io: CliIO) => Promise<ExitCode>;

const COMMANDS: Readonly<Record<string, Command>> = {
  check: runCheck,
  webhooks: runWebhooks,
  emulator: runEmulator,
};

const USAGES: Readonly<Record<string, string>> = {
  check: CHECK_USAGE,
  webhooks: WEBHOOKS_USAGE,
  'webhooks register': WEBHOOKS_REGISTER_USAGE,
  emulator: EMULATOR_USAGE,
};

function synopsis(usage: string): string {
  return usage.split('\n')[0] ?? usage;
}

function reportUsage(err: Out, error: UsageError): ExitCode {
  err.fail(error.message);
  if (error.command === undefined) {
    err.line();
    err.raw(MAIN_USAGE);
    return EXIT.usage;
  }
  const usage = USAGES[error.command];
  if (usage !== undefined) err.line(synopsis(usage));
  err.line(`Run "idv-providers ${error.command} --help" for its options.`);
  return EXIT.usage;
}

function help(topic: readonly string[], io: CliIO): ExitCode {
  const key = topic.join(' ');
  const usage = key === '' ? MAIN_USAGE : USAGES[key];
  if (usage === undefined) {
    throw new UsageError(
      `no help for ${nameForMessage(key)}: try check, webhooks register or emulator`,
    );
  }
  io.stdout.write(usage);
  return EXIT.ok;
}

async function dispatch(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h') return help([], io);
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (first === 'help') return help(rest, io);
  if (first.startsWith('-')) {
    throw new UsageError(
      /^--?[a-z][a-z-]*$/i.test(first)
        ? `unknown option ${first}: options go after the command`
        : 'unknown option: options go after the command',
    );
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    throw new UsageError(
      `unknown command ${nameForMessage(first)}: expected check, webhooks or emulator`,
    );
  }
  return command(rest, io);
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and answers
 * the exit code: 0 done, 1 local failure, 2 usage or configuration error,
 * 3 credentials refused, 4 provider unreachable or failing.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const { err } = terminal(io);
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage(err, error);
    return reportError(err, error);
  }
}
