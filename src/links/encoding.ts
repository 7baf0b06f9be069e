/**
 * The bytes of a verification-link token (format version 1), and the one
 * spelling of them that is accepted.
 *
 * ```text
 * offset  size  field
 *      0     1  version, 0x01
 *      1     1  key id (0–255)
 *      2     4  issued at, seconds since the epoch, unsigned big-endian
 *      6     4  expires at, seconds since the epoch, unsigned big-endian
 *     10     8  token id, random
 *     18     …  provider, subject id, identity reference, each a field:
 *                 0x00 + 16 bytes             a lower-case UUID (8-4-4-4-12 hex)
 *                 n (1 byte, 1–127) + n bytes UTF-8 text
 *                 0x80|n>>8, n&0xff + n bytes  UTF-8 text of 128 bytes or more
 *   end-16   16  tag: HMAC-SHA256(key, "idv-providers link token" ‖ bytes 0…end-16), first 16 bytes
 * ```
 *
 * The whole is written in base64url without padding. Decoding is strict and
 * checked by re-encoding: a token is accepted only in the exact spelling the
 * signer produced (no padding, whitespace, other alphabet or non-zero unused
 * bits; no text field holding what the signer would have packed as a UUID; no
 * long length form for a short field), so a token string is a unique key.
 *
 * @module
 */

/** The format version this module writes and reads. */
export const FORMAT_VERSION = 1;
/** Bytes of the truncated HMAC-SHA256 tag (128 bits). */
export const TAG_BYTES = 16;
/** Bytes of the random token id (64 bits). */
export const TOKEN_ID_BYTES = 8;
/** Version, key id, issued at, expires at, token id. */
const HEAD_BYTES = 1 + 1 + 4 + 4 + TOKEN_ID_BYTES;
/** The shortest content: the head and three one-character text fields. */
export const MIN_CONTENT_BYTES = HEAD_BYTES + 3 * 2;
/** The longest text field accepted, in UTF-16 code units (as `sign` checks). */
export const MAX_FIELD_LENGTH = 256;
/** The largest value of a 32-bit seconds field (2106-02-07). */
export const MAX_SECONDS = 0xffff_ffff;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const UUID_TAG = 0x00;
const LONG_FORM = 0x80;
const utf8 = new TextEncoder();
// `fatal`: invalid UTF-8 is refused, not replaced; `ignoreBOM`: a leading U+FEFF is kept.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What a token's content holds, seconds as integers. */
export interface TokenContent {
  version: number;
  keyId: number;
  issuedAt: number;
  expiresAt: number;
  tokenId: Uint8Array;
  provider: string;
  subjectId: string;
  identityReference: string;
}

/** Base64url without padding. */
export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * The bytes `text` spells in base64url, or `undefined` unless `text` is the
 * canonical spelling of them (alphabet `A–Z a–z 0–9 - _`, no padding, no
 * whitespace, unused trailing bits zero).
 */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function field(text: string): Uint8Array {
  if (UUID.test(text)) {
    const out = new Uint8Array(17);
    out[0] = UUID_TAG;
    out.set(Buffer.from(text.replaceAll('-', ''), 'hex'), 1);
    return out;
  }
  const body = utf8.encode(text);
  const n = body.byteLength;
  const head = n < LONG_FORM ? [n] : [LONG_FORM | (n >> 8), n & 0xff];
  const out = new Uint8Array(head.length + n);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** The content bytes (everything the tag covers). Seconds must fit 32 bits, ids one byte. */
export function encodeContent(content: TokenContent): Uint8Array {
  const fields = [content.provider, content.subjectId, content.identityReference].map(field);
  const out = new Uint8Array(HEAD_BYTES + fields.reduce((sum, f) => sum + f.byteLength, 0));
  const view = new DataView(out.buffer);
  view.setUint8(0, content.version);
  view.setUint8(1, content.keyId);
  view.setUint32(2, content.issuedAt);
  view.setUint32(6, content.expiresAt);
  out.set(content.tokenId, 10);
  let at = HEAD_BYTES;
  for (const f of fields) {
    out.set(f, at);
    at += f.byteLength;
  }
  return out;
}

/** Reads one field at `at`; `undefined` if it runs past the end or is not valid UTF-8. */
function readField(bytes: Uint8Array, at: number): { text: string; next: number } | undefined {
  const first = bytes[at];
  if (first === undefined) return undefined;
  if (first === UUID_TAG) {
    if (at + 17 > bytes.byteLength) return undefined;
    const hex = Buffer.from(bytes.subarray(at + 1, at + 17)).toString('hex');
    const text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return { text, next: at + 17 };
  }
  let n = first;
  let start = at + 1;
  if (first & LONG_FORM) {
    const low = bytes[at + 1];
    if (low === undefined) return undefined;
    n = ((first & ~LONG_FORM) << 8) | low;
    start = at + 2;
  }
  if (start + n > bytes.byteLength) return undefined;
  try {
    return { text: strictUtf8.decode(bytes.subarray(start, start + n)), next: start + n };
  } catch {
    return undefined;
  }
}

/**
 * Reads content bytes. `undefined` unless they are exactly what
 * {@link encodeContent} writes for what they hold (so the encoding is unique),
 * with every text field non-empty and at most {@link MAX_FIELD_LENGTH} long.
 */
export function decodeContent(bytes: Uint8Array): TokenContent | undefined {
  if (bytes.byteLength < MIN_CONTENT_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const texts: string[] = [];
  let at = HEAD_BYTES;
  for (let i = 0; i < 3; i++) {
    const read = readField(bytes, at);
    if (read === undefined || read.text === '' || read.text.length > MAX_FIELD_LENGTH) {
      return undefined;
    }
    texts.push(read.text);
    at = read.next;
  }
  if (at !== bytes.byteLength) return undefined;
  const [provider, subjectId, identityReference] = texts as [string, string, string];
  const content: TokenContent = {
    version: view.getUint8(0),
    keyId: view.getUint8(1),
    issuedAt: view.getUint32(2),
    expiresAt: view.getUint32(6),
    tokenId: bytes.slice(10, HEAD_BYTES),
    provider,
    subjectId,
    identityReference,
  };
  return Buffer.from(encodeContent(content)).equals(bytes) ? content : undefined;
}
