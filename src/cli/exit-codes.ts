/**
 * Exit codes, and which one a failure gets.
 *
 * @module
 */
import { isIdvError, type ProviderApiError } from 'idv-providers';

/** The CLI's exit codes. */
export const EXIT = {
  /** Done; for `check`, the credentials were accepted. */
  ok: 0,
  /** A local failure: a file could not be written, the port is taken, an unexpected error. */
  failure: 1,
  /** Bad usage or bad configuration: unknown command or flag, missing or invalid option, unknown provider. */
  usage: 2,
  /** The provider refused the credentials (HTTP 401 or 403, or OAuth2 `invalid_client`). */
  refused: 3,
  /** The provider could not be used: unreachable, timed out, rate limited, a 5xx or another error answer. */
  provider: 4,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong invocation: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError' as const;
  /** The command whose usage applies (`check`, `webhooks register`, ...), or none for the top level. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** A local failure the user can act on (a file, a port), exit code 1. */
export class LocalError extends Error {
  override name = 'LocalError' as const;
  /** The exit code to end with. */
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.failure) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * A command name the user typed, quoted for a message, or a neutral word when it
 * does not look like a command name (it may be a secret typed in the wrong place).
 */
export function nameForMessage(text: string): string {
  return /^[a-z][a-z0-9-]{0,39}$/i.test(text) ? JSON.stringify(text) : '(an argument)';
}

const REFUSED_OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_client',
  'unauthorized_client',
]);

/** True when the provider refused the credentials. */
export function isCredentialsRefused(error: unknown): boolean {
  if (!isIdvError(error) || error.code !== 'provider_api_error') return false;
  const { status, providerErrorType } = error as ProviderApiError;
  if (status === 401 || status === 403) return true;
  return status === 400 && REFUSED_OAUTH_ERRORS.has(providerErrorType ?? '');
}

/** The exit code a failure ends the CLI with. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof LocalError) return error.exitCode;
  if (!isIdvError(error)) return EXIT.failure;
  switch (error.code) {
    case 'config_error':
    case 'invalid_input':
      return EXIT.usage;
    case 'provider_api_error':
      return isCredentialsRefused(error) ? EXIT.refused : EXIT.provider;
    case 'rate_limited':
    case 'timeout':
    case 'network_error':
    case 'not_found':
    case 'unexpected_response':
    case 'download_refused':
      return EXIT.provider;
    default:
      return EXIT.failure;
  }
}
