/**
 * An independent writer of link tokens, from the layout documented in
 * src/links/encoding.ts, with node:crypto only: the tests use it to check
 * that `sign` writes exactly that layout and to build tokens, properly
 * tagged, whose content the signer would never write.
 */
import { createHmac } from 'node:crypto';

const TAG_LABEL = 'idv-providers link token';
const KEY_ID_LABEL = 'idv-providers link key id';

/** A text field: its UTF-8 length (one byte under 128, else two with the top bit set), then the bytes. */
export function textField(text: string, longForm = false): Buffer {
  const body = Buffer.from(text, 'utf8');
  const n = body.byteLength;
  const head = n < 128 && !longForm ? Buffer.of(n) : Buffer.of(0x80 | (n >> 8), n & 0xff);
  return Buffer.concat([head, body]);
}

/** A UUID field: 0x00, then the 16 bytes. */
export function uuidField(uuid: string): Buffer {
  return Buffer.concat([Buffer.of(0), Buffer.from(uuid.replaceAll('-', ''), 'hex')]);
}

/** The content of a token (what the tag covers). */
export interface Content {
  version?: number;
  keyId: number;
  issuedAt: number;
  expiresAt: number;
  tokenId?: Buffer;
  fields: Buffer[];
}

/** The content bytes. */
export function contentBytes(c: Content): Buffer {
  const head = Buffer.alloc(18);
  head.writeUInt8(c.version ?? 1, 0);
  head.writeUInt8(c.keyId, 1);
  head.writeUInt32BE(c.issuedAt, 2);
  head.writeUInt32BE(c.expiresAt, 6);
  (c.tokenId ?? Buffer.alloc(8, 0x5a)).copy(head, 10);
  return Buffer.concat([head, ...c.fields]);
}

/** The 16-byte tag of `content` under `key`. */
export function tagOf(content: Buffer, key: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(TAG_LABEL).update(content).digest().subarray(0, 16);
}

/** A token: content and tag, base64url. */
export function seal(content: Buffer, key: string | Uint8Array): string {
  return Buffer.concat([content, tagOf(content, key)]).toString('base64url');
}

/** The key id a key gets when none is given. */
export function keyIdOf(key: string | Uint8Array): number {
  return createHmac('sha256', key).update(KEY_ID_LABEL).digest()[0] as number;
}

/** A token's bytes split into content and tag. */
export function open(token: string): { content: Buffer; tag: Buffer } {
  const bytes = Buffer.from(token, 'base64url');
  return { content: bytes.subarray(0, -16), tag: bytes.subarray(-16) };
}
