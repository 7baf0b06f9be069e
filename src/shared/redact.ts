/**
 * Removes secrets from text before it can reach an error, a log line or a snapshot.
 *
 * A provider may echo a secret in another spelling than the one configured:
 * lower or upper case, URL-encoded, as hex, or Base64 (alone, or inside the
 * Base64 of a longer text such as a Basic auth header's `id:secret`). Each of
 * those spellings is searched for, case-insensitively where the encoding
 * ignores case.
 *
 * @module
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not searched for (they would match ordinary text). */
const MIN_SECRET_LENGTH = 4;

/**
 * Derived spellings (hex, and Base64 cut out of a longer text) shorter than
 * this are not searched for: a few characters of Base64 match ordinary text.
 */
const MIN_DERIVED_LENGTH = 8;

const SPECIAL = /[.*+?^${}()|[\]\\]/g;
const escapeRegExp = (text: string): string => text.replace(SPECIAL, '\\$&');

const toBase64Url = (base64: string): string =>
  base64.replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');

/**
 * The Base64 characters that spell `bytes` wherever they sit in a longer
 * text: for each of the three alignments the bytes can start at, the
 * characters that depend on these bytes only.
 */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const pad of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(pad), bytes]);
    const encoded = padded.toString('base64');
    // Characters before `skip` mix in the padding bytes; after `end`, the bytes that follow.
    const skip = pad === 0 ? 0 : pad === 1 ? 2 : 3;
    const end = Math.floor(padded.length / 3) * 4;
    if (end - skip >= MIN_DERIVED_LENGTH) out.push(encoded.slice(skip, end));
  }
  return out;
}

/** The spellings of the secrets to search for: [case-insensitive ones, case-sensitive ones]. */
function spellings(secrets: Iterable<string | undefined>): [string[], string[]] {
  const folded = new Set<string>();
  const exact = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    const bytes = Buffer.from(secret);
    folded.add(secret);
    folded.add(encodeURIComponent(secret));
    const hex = bytes.toString('hex');
    if (hex.length >= MIN_DERIVED_LENGTH) folded.add(hex);
    const base64 = bytes.toString('base64');
    exact.add(base64);
    exact.add(toBase64Url(base64));
    for (const core of base64Cores(bytes)) {
      exact.add(core);
      exact.add(toBase64Url(core));
    }
  }
  return [[...folded], [...exact]];
}

/** One regular expression finding any of `forms`, longest first (literals only: linear). */
function finder(forms: readonly string[], flags: string): RegExp | undefined {
  if (forms.length === 0) return undefined;
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegExp).join('|'), flags);
}

/** A function that redacts text, compiled once for a list of secrets. */
export type Redactor = (text: string) => string;

/** Compiles {@link redact} for `secrets`, for redacting many texts with the same secrets. */
export function redactor(secrets: Iterable<string | undefined>): Redactor {
  const [folded, exact] = spellings(secrets);
  const caseSensitive = finder(exact, 'g');
  const caseInsensitive = finder(folded, 'gi');
  return (text) => {
    let out = text;
    if (caseSensitive !== undefined) out = out.replace(caseSensitive, REDACTED);
    if (caseInsensitive !== undefined) out = out.replace(caseInsensitive, REDACTED);
    return out;
  };
}

/**
 * Replaces every occurrence of each secret in `text` with `[REDACTED]`: the
 * secret in any letter case, URL-encoded or as hex, and its Base64 and
 * Base64url forms, also inside the encoding of a longer text (a Basic auth
 * header's `id:secret`).
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  return redactor(secrets)(text);
}

function redactValue(value: unknown, clean: Redactor, depth: number): unknown {
  if (typeof value === 'string') return clean(value);
  if (depth > 8 || typeof value !== 'object' || value === null) {
    return typeof value === 'object' && value !== null ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, clean, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[clean(key)] = redactValue(item, clean, depth + 1);
  }
  return out;
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
  return redactValue(value, redactor(secrets), depth);
}

/** Where the authority (`user:pass@host:port`) of an absolute or scheme-relative URL starts, or -1. */
function authorityStart(url: string): number {
  if (url.startsWith('//')) return 2;
  const colon = url.indexOf(':');
  if (colon < 1 || !url.startsWith('//', colon + 1)) return -1;
  for (let i = 0; i < colon; i++) {
    const c = url.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    const other = (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
    if (!letter && !(i > 0 && other)) return -1;
  }
  return colon + 3;
}

/**
 * The URL without its user name and password (`http://user:pass@proxy/v1` →
 * `http://proxy/v1`), its query string and its fragment, for error messages
 * and logs. Works on the text as written (nothing is normalised), in one pass;
 * an `@` anywhere before the path ends the user part, so a password holding
 * `#` or `?` is removed whole too.
 */
export function describeUrl(url: string): string {
  let text = url;
  const start = authorityStart(text);
  if (start !== -1) {
    let end = text.length;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '/' || c === '\\') {
        end = i;
        break;
      }
    }
    const at = text.lastIndexOf('@', end - 1);
    if (at >= start) text = text.slice(0, start) + text.slice(at + 1);
  }
  const cut = text.search(/[?#]/);
  return cut === -1 ? text : text.slice(0, cut);
}
