/**
 * Argument parsing on `node:util`'s `parseArgs`, with messages that name the
 * command and the flag, and typed readers for numbers and lists.
 *
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit-codes';

/** A command's flags, as `parseArgs` takes them. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags: strings and booleans by long name. */
export type Flags = Record<string, string | boolean | undefined>;

/** What a command's arguments parsed to. */
export interface ParsedArgs {
  flags: Flags;
  positionals: string[];
}

/** Every command takes `--help` (`-h`). */
const HELP: FlagSpec = { help: { type: 'boolean', short: 'h' } };

function quotedName(message: string): string | undefined {
  return /'(-[^' ]+)/.exec(message)?.[1];
}

function describe(error: unknown, command: string): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = quotedName(message);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? message} for "${command}"`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      // The argument itself is not echoed: it may be a secret typed in the wrong place.
      return `"${command}" takes no arguments besides its options`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing|ambiguous/.test(message)
        ? `option ${flag ?? ''} needs a value`.replace('  ', ' ')
        : `option ${flag ?? ''} takes no value`.replace('  ', ' ');
    default:
      return message;
  }
}

/**
 * Parses `argv` against `spec` (plus `--help`). Unknown flags, missing values
 * and stray arguments become a {@link UsageError} for `command`.
 */
export function parseCommandArgs(
  argv: readonly string[],
  spec: FlagSpec,
  command: string,
  options: { positionals?: boolean } = {},
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...HELP, ...spec },
      strict: true,
      allowPositionals: options.positionals === true,
    });
    return { flags: values as Flags, positionals };
  } catch (error) {
    throw new UsageError(describe(error, command), command);
  }
}

/** A string flag's value, if given (an empty value is a usage error). */
export function stringFlag(flags: Flags, name: string, command: string): string | undefined {
  const value = flags[name];
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (value.trim() === '') throw new UsageError(`option --${name} needs a value`, command);
  return value;
}

/** A whole-number flag within `[min, max]`, or `fallback`. */
export function integerFlag(
  flags: Flags,
  name: string,
  command: string,
  range: { min: number; max: number; fallback: number },
): number {
  const text = stringFlag(flags, name, command);
  if (text === undefined) return range.fallback;
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError(`option --${name} must be a whole number`, command);
  }
  const value = Number(text);
  if (value < range.min || value > range.max) {
    throw new UsageError(`option --${name} must be between ${range.min} and ${range.max}`, command);
  }
  return value;
}

/** A comma-separated list flag, trimmed, empty items dropped. */
export function listFlag(flags: Flags, name: string, command: string): string[] | undefined {
  const text = stringFlag(flags, name, command);
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new UsageError(`option --${name} needs at least one item`, command);
  return items;
}
