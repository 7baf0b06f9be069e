/**
 * Printing a failure: one headline saying what went wrong in plain words, the
 * library's own message beneath it (it names the provider, the option or the
 * request, and never a secret), and the exit code it ends with.
 *
 * @module
 */
import { isIdvError, type ProviderApiError } from 'idv-providers';
import { type ExitCode, exitCodeOf, isCredentialsRefused, LocalError } from './exit-codes';
import type { Out } from './term';

function headline(error: unknown, provider: string | undefined): string {
  const who = provider ?? (isIdvError(error) ? error.provider : undefined) ?? 'the provider';
  if (error instanceof LocalError) return error.message;
  if (!isIdvError(error)) return 'unexpected error';
  switch (error.code) {
    case 'config_error':
      return 'invalid configuration';
    case 'invalid_input':
      return 'invalid input';
    case 'provider_api_error': {
      const status = (error as ProviderApiError).status;
      return isCredentialsRefused(error)
        ? `${who} refused the credentials (HTTP ${status})`
        : `${who} answered with an error (HTTP ${status})`;
    }
    case 'rate_limited':
      return `${who} is rate limiting requests (HTTP 429)`;
    case 'not_found':
      return `${who} answered 404: is the base URL right?`;
    case 'timeout':
      return `${who} did not answer in time`;
    case 'network_error':
      return `${who} could not be reached`;
    case 'unexpected_response':
      return `${who} answered with something unexpected: is the base URL right?`;
    default:
      return `${who}: ${error.code}`;
  }
}

/**
 * Prints `error` to `err` and returns its exit code. `hint`, when given, is
 * printed last (what to check next).
 */
export function reportError(
  err: Out,
  error: unknown,
  options: { provider?: string | undefined; hint?: string | undefined } = {},
): ExitCode {
  const title = headline(error, options.provider);
  err.fail(err.style('bold', title));
  if (isIdvError(error)) {
    err.line(`  ${error.message}`);
  } else if (!(error instanceof LocalError)) {
    const message = error instanceof Error ? error.message : String(error);
    err.line(`  ${message}`);
  }
  if (options.hint !== undefined) err.line(`  ${err.style('dim', `hint: ${options.hint}`)}`);
  return exitCodeOf(error);
}
