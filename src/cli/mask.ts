/**
 * Showing configuration without its secrets: secret-looking options become
 * `abcd…` (their first four characters, when long enough that four give
 * little away) or `***`, and passwords inside URLs become `***`.
 *
 * @module
 */

/** Option names that hold a secret whatever their provider (`apiToken`, `clientSecret`, ...). */
const SECRET_NAME =
  /(token|secret|password|passphrase|apikey|api_key|privatekey|private_key|clientid|client_id|credential|signingkey|linkkey)/i;

/** Secrets shorter than this are shown as `***` only. */
const MIN_PREFIXED_LENGTH = 16;

/** True when an option's name says it holds a secret. */
export function isSecretOption(option: string): boolean {
  return SECRET_NAME.test(option.replace(/[-\s]/g, ''));
}

/** A secret as it may be shown: `abcd…` or `***`. */
export function maskSecret(value: string): string {
  return value.length >= MIN_PREFIXED_LENGTH ? `${value.slice(0, 4)}…` : '***';
}

function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password === '' && url.username === '') return value;
    url.username = url.username === '' ? '' : '***';
    url.password = url.password === '' ? '' : '***';
    return url.toString();
  } catch {
    return '***';
  }
}

/** An option's value as it may be printed. */
export function displayValue(option: string, value: unknown): string {
  if (isSecretOption(option)) {
    return typeof value === 'string' ? maskSecret(value) : '***';
  }
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item) => displayValue(option, item)).join(',');
  if (typeof value === 'function') return '(function)';
  if (typeof value === 'object' && value !== null) return '(object)';
  return String(value);
}
