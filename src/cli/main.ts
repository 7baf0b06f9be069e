/**
 * The `idv-providers` command line: `check`, `webhooks register`, `emulator`,
 * `intake`.
 *
 * {@link runCli} runs one invocation in-process and answers its exit code; the
 * executable (`bin.ts`) passes it the process's streams, environment and a
 * signal aborted on SIGINT/SIGTERM.
 *
 * @module
 */
import { defaultRegistry, type ProviderRegistry, VERSION } from 'idv-providers';
import { runCheck } from './check';
import { emulatorHelp, runEmulator } from './emulator';
import { EXIT, type ExitCode, nameForMessage, UsageError } from './exit-codes';
import { runIntake } from './intake';
import type { CliIO } from './io';
import { reportError } from './report-error';
import { type Out, terminal } from './term';
import {
  CHECK_USAGE,
  EMULATOR_SYNOPSIS,
  INTAKE_USAGE,
  MAIN_USAGE,
  WEBHOOKS_REGISTER_USAGE,
  WEBHOOKS_USAGE,
} from './usage';
import { runWebhooks } from './webhooks';

export { EXIT, type ExitCode } from './exit-codes';
export type { CliIO, CliWriter } from './io';

/** Settings of {@link runCli} that the environment cannot carry. */
export interface CliOptions {
  /**
   * The providers the commands know: `check` and `webhooks register` look the
   * configured one up here, `emulator` serves the emulators of all of them.
   * Default: the library's default registry (the built-in providers).
   */
  registry?: ProviderRegistry | undefined;
}

type Command = (
  argv: readonly string[],
  io: CliIO,
  registry: ProviderRegistry,
) => Promise<ExitCode>;

const COMMANDS: Readonly<Record<string, Command>> = {
  check: runCheck,
  webhooks: runWebhooks,
  emulator: runEmulator,
  intake: runIntake,
};

const USAGES: Readonly<Record<string, string>> = {
  check: CHECK_USAGE,
  webhooks: WEBHOOKS_USAGE,
  'webhooks register': WEBHOOKS_REGISTER_USAGE,
  // Its whole help depends on the emulators served (see `help`).
  emulator: EMULATOR_SYNOPSIS,
  intake: INTAKE_USAGE,
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

async function help(
  topic: readonly string[],
  io: CliIO,
  registry: ProviderRegistry,
): Promise<ExitCode> {
  const key = topic.join(' ');
  const usage =
    key === ''
      ? MAIN_USAGE
      : key === 'emulator'
        ? await emulatorHelp(terminal(io).err, registry)
        : USAGES[key];
  if (usage === undefined) {
    throw new UsageError(
      `no help for ${nameForMessage(key)}: try check, webhooks register, emulator or intake`,
    );
  }
  io.stdout.write(usage);
  return EXIT.ok;
}

async function dispatch(
  argv: readonly string[],
  io: CliIO,
  registry: ProviderRegistry,
): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h') return help([], io, registry);
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (first === 'help') return help(rest, io, registry);
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
      `unknown command ${nameForMessage(first)}: expected check, webhooks or emulator (or intake, for the webhook intake's store)`,
    );
  }
  return command(rest, io, registry);
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and answers
 * the exit code: 0 done, 1 local failure, 2 usage or configuration error,
 * 3 credentials refused, 4 provider unreachable or failing.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  options: CliOptions = {},
): Promise<number> {
  const { err } = terminal(io);
  try {
    return await dispatch(argv, io, options.registry ?? defaultRegistry);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage(err, error);
    return reportError(err, error);
  }
}
