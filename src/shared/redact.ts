/**
 * Removes secrets from text before it can reach an error, a log line or a snapshot.
 *
 * @module
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not searched for (they would match ordinary text). */
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces every occurrence of each secret in `text` (and of its Base64 and
 * URL-encoded forms, as in a Basic auth header or a query string) with `[REDACTED]`.
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of expand(secrets)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

function* expand(secrets: Iterable<string | undefined>): Generator<string> {
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of [
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
    ]) {
      if (!seen.has(form)) {
        seen.add(form);
        yield form;
      }
    }
  }
}

/**
 * Redacts every string inside a JSON-like value (object keys included), for
 * provider error details that are kept on an error.
 */
export function redactDeep(
  value: unknown,
  secrets: Iterable<string | undefined>,
  depth = 0,
): unknown {
  const list = [...secrets];
  if (typeof value === 'string') return redact(value, list);
  if (depth > 8 || typeof value !== 'object' || value === null) {
    return typeof value === 'object' && value !== null ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, list, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[redact(key, list)] = redactDeep(item, list, depth + 1);
  }
  return out;
}

/** The URL without its query string and fragment, for error messages. */
export function describeUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
