/**
 * Link signing keys: the rule a key must meet, and the key ring (the newest
 * key signs, every listed key verifies, each named by a one-byte key id).
 *
 * The rule catches configuration mistakes (a placeholder, a key of one
 * repeated character, a public key pasted where the secret belongs), not a
 * determined choice of a weak but varied key: generate keys with
 * `openssl rand -base64 48`. A key is refused when
 * 1. it is shorter than {@link MIN_LINK_KEY_BYTES} bytes, or, written in hex
 *    digits only (4 bits each), shorter than 64 of them;
 * 2. it holds a PEM block (`-----BEGIN`): certificates and public keys are public;
 * 3. it is a shorter block repeated (`abab…`, `secretsecret…`);
 * 4. it has fewer than {@link MIN_LINK_KEY_DISTINCT_BYTES} different byte
 *    values (10 for a key of hex digits, which has only 16 to draw from: 64
 *    random hex digits practically always use 12 or more of them);
 * 5. its entropy estimate, length × the Shannon entropy of its byte
 *    frequencies, is below {@link MIN_LINK_KEY_ENTROPY_BITS} bits. Random keys
 *    score well above it: 32 random bytes 140 or more, 32 base64 characters
 *    (24 bytes) 114 or more, 64 hex digits 210 or more. (About one 32-character
 *    base64 key in a million has fewer than 16 different characters: prefer 48
 *    bytes, 64 characters, which never do.)
 * The error names the rule, never the key.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { ConfigError } from '../errors';

/** The shortest signing key accepted, in bytes. */
export const MIN_LINK_KEY_BYTES = 32;
/** The fewest different byte values a signing key may use (10 for a key written in hex digits). */
export const MIN_LINK_KEY_DISTINCT_BYTES = 16;
/** The lowest entropy estimate (length × Shannon entropy per byte) a signing key may have, in bits. */
export const MIN_LINK_KEY_ENTROPY_BITS = 96;

const MIN_HEX_KEY_DIGITS = 64;
const MIN_HEX_KEY_DISTINCT_BYTES = 10;
const HEX_ONLY = /^[0-9a-fA-F]+$/;
const PEM = '-----BEGIN';
const KEY_ID_LABEL = 'idv-providers link key id';
const GENERATE = '(generate one with: openssl rand -base64 48)';

/** Key material: a string (taken as UTF-8) or bytes. Secret. */
export type LinkKeyMaterial = string | Uint8Array;

/** A signing key with the id its tokens carry. */
export interface LinkKey {
  /**
   * The key id written in its tokens, 0–255. Omitted: derived from the key
   * (the first byte of HMAC-SHA256(key, "idv-providers link key id")), the
   * id `key: ...` gives it, so a key keeps its id when `key` becomes `keys`.
   */
  id?: number | undefined;
  /** The key: see {@link MIN_LINK_KEY_BYTES} and the rule in the README. Secret. */
  key: LinkKeyMaterial;
}

/** A checked key: its id and bytes (a copy of what the host passed). */
export interface RingKey {
  readonly id: number;
  readonly secret: Uint8Array;
}

/** The keys of a signer: the first signs, every one verifies. */
export interface KeyRing {
  readonly signing: RingKey;
  readonly keys: readonly RingKey[];
}

/** Why `bytes` is not an acceptable key, or `undefined` when it is (see the module's rule). */
export function weakKeyReason(bytes: Uint8Array): string | undefined {
  const n = bytes.byteLength;
  if (n < MIN_LINK_KEY_BYTES) return `must be at least ${MIN_LINK_KEY_BYTES} bytes`;
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1');
  const hex = HEX_ONLY.test(latin1);
  if (hex && n < MIN_HEX_KEY_DIGITS) {
    return `is written in hex digits only (4 bits each), so it must be at least ${MIN_HEX_KEY_DIGITS} of them`;
  }
  if (latin1.includes(PEM)) {
    return 'holds a PEM block: a certificate or public key is not a secret';
  }
  for (let period = 1; period <= n / 2; period++) {
    let repeats = true;
    for (let i = period; i < n && repeats; i++) repeats = bytes[i] === bytes[i - period];
    if (repeats) return 'repeats a shorter block';
  }
  const counts = new Map<number, number>();
  for (const byte of bytes) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  const distinct = hex ? MIN_HEX_KEY_DISTINCT_BYTES : MIN_LINK_KEY_DISTINCT_BYTES;
  if (counts.size < distinct) return `uses fewer than ${distinct} different byte values`;
  let bitsPerByte = 0;
  for (const count of counts.values()) bitsPerByte -= (count / n) * Math.log2(count / n);
  if (bitsPerByte * n < MIN_LINK_KEY_ENTROPY_BITS) {
    return `is too predictable (its entropy estimate is under ${MIN_LINK_KEY_ENTROPY_BITS} bits)`;
  }
  return undefined;
}

/** The key id a key gets when none is given. */
export function derivedKeyId(secret: Uint8Array): number {
  return createHmac('sha256', secret).update(KEY_ID_LABEL).digest()[0] as number;
}

function checkedKey(entry: LinkKey, option: string, label: string): RingKey {
  const material: unknown = entry?.key;
  const secret =
    typeof material === 'string'
      ? new TextEncoder().encode(material)
      : material instanceof Uint8Array
        ? new Uint8Array(material)
        : undefined;
  const why = secret === undefined ? 'must be a string or a Uint8Array' : weakKeyReason(secret);
  if (secret === undefined || why !== undefined) {
    throw new ConfigError(`[idv] link signing key${label} ${why} ${GENERATE}`, { option });
  }
  const id = entry.id ?? derivedKeyId(secret);
  if (!Number.isInteger(id) || id < 0 || id > 255) {
    throw new ConfigError(`[idv] link signing key${label}: id must be a whole number 0–255`, {
      option,
    });
  }
  return { id, secret };
}

/**
 * Checks the keys of `createLinkSigner` options: `key` (one key, or a list,
 * newest first) or `keys` (`{ id?, key }` entries, newest first), not both.
 */
export function keyRing(options: { key?: unknown; keys?: unknown }): KeyRing {
  const { key, keys } = options;
  if (key !== undefined && keys !== undefined) {
    throw new ConfigError('[idv] give the link signer "key" or "keys", not both', {
      option: 'keys',
    });
  }
  const option = keys !== undefined ? 'keys' : 'key';
  if (key === undefined && keys === undefined) {
    throw new ConfigError(`[idv] link signer needs a signing key ${GENERATE}`, { option });
  }
  const list: unknown = keys ?? (Array.isArray(key) ? key : [key]);
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(`[idv] link signer needs a signing key ${GENERATE}`, { option });
  }
  const ring = list.map((entry: unknown, i) =>
    checkedKey(
      keys !== undefined ? (entry as LinkKey) : { key: entry as LinkKeyMaterial },
      option,
      list.length > 1 ? ` (${option}[${i}])` : '',
    ),
  );
  if (keys !== undefined) {
    const given = (list as LinkKey[]).flatMap((entry, i) => (entry.id === undefined ? [] : [i]));
    const ids = given.map((i) => ring[i]?.id);
    if (new Set(ids).size !== ids.length) {
      throw new ConfigError('[idv] two link signing keys have the same id', { option });
    }
  }
  return { signing: ring[0] as RingKey, keys: ring };
}
