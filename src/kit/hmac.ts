/**
 * HMAC-SHA256 with its key prepared once, for checking many webhook
 * signatures made with one token.
 *
 * `createHmac` sets up a keyed context on every call, and that set-up costs
 * more than hashing a webhook-sized body. Here the two padded key blocks of
 * RFC 2104 (the key XOR `ipad`, the key XOR `opad`) are made once per key, and
 * each call is two one-shot SHA-256 hashes (`crypto.hash`, Node 20.12 and
 * later): of the inner block followed by the data, then of the outer block
 * followed by that digest. The result is the HMAC `createHmac` gives, byte for
 * byte (`test/core/hmac.test.ts` holds the two to the same answers on
 * generated keys and data, and on RFC 4231's vectors).
 *
 * Where `crypto.hash` is missing (Node before 20.12), or does not give the
 * HMAC of a known vector when the key is prepared, and for data longer than
 * {@link MAX_STAGED_BYTES}, the call goes through `createHmac` with a
 * `KeyObject` made on the first such call.
 *
 * @module
 */
import * as crypto from 'node:crypto';

/** SHA-256's block size in bytes: RFC 2104's `B`. */
const BLOCK_BYTES = 64;
/** SHA-256's digest size in bytes: RFC 2104's `L`. */
const DIGEST_BYTES = 32;
/** RFC 2104's inner and outer pad bytes. */
const IPAD = 0x36;
const OPAD = 0x5c;

/**
 * Longest data hashed through the prepared blocks (16 KiB); longer data goes
 * through `createHmac`, where the set-up is small beside the hashing. The
 * buffer that holds the inner block and the data grows to the longest data
 * seen, up to this size (Onfido's events are a few KiB).
 */
export const MAX_STAGED_BYTES = 16 * 1024;

/** HMAC-SHA256 of `data` (a string is taken as UTF-8) under the prepared key: 32 bytes. */
export type HmacSha256 = (data: string | Uint8Array) => Buffer;

/** `crypto.hash` where this Node has it (20.12 and later). */
type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer;
const oneShot = (crypto as { hash?: unknown }).hash as OneShotHash | undefined;

/** RFC 4231, test case 2: a key shorter than a block, and its HMAC-SHA256 of `what do ya want for nothing?`. */
const VECTOR = {
  key: 'Jefe',
  data: 'what do ya want for nothing?',
  mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
};

/**
 * Prepares `key` (a string is taken as UTF-8) and returns its HMAC-SHA256
 * function. The key stays in the returned closure; no error carries it.
 *
 * @example
 * ```ts
 * const mac = keyedHmacSha256(webhookToken);
 * const expected = mac(rawBody); // the 32 bytes to compare with the decoded signature
 * ```
 */
export function keyedHmacSha256(key: string | Uint8Array): HmacSha256 {
  // A copy, so that a caller changing its bytes later changes neither path.
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  // The KeyObject is made on the first call that needs it (none, on the prepared path).
  let keyObject: crypto.KeyObject | undefined;
  const viaContext: HmacSha256 = (data) => {
    keyObject ??= crypto.createSecretKey(keyBytes);
    return crypto.createHmac('sha256', keyObject).update(data).digest();
  };
  const hash = oneShotHash();
  return hash === undefined ? viaContext : preparedHmac(keyBytes, hash, viaContext);
}

let checked: { hash: OneShotHash | undefined } | undefined;

/**
 * `crypto.hash`, once it has given RFC 4231's HMAC through the prepared
 * blocks in this process; `undefined` where it is missing or did not.
 */
function oneShotHash(): OneShotHash | undefined {
  if (checked !== undefined) return checked.hash;
  let hash = oneShot;
  if (hash !== undefined) {
    const viaContext: HmacSha256 = (data) =>
      crypto.createHmac('sha256', VECTOR.key).update(data).digest();
    try {
      const prepared = preparedHmac(Buffer.from(VECTOR.key), hash, viaContext);
      const mac = prepared(VECTOR.data).toString('hex');
      if (mac !== VECTOR.mac) hash = undefined;
    } catch {
      hash = undefined;
    }
  }
  checked = { hash };
  return hash;
}

/** The RFC 2104 construction over two one-shot hashes, `viaContext` for data too long to stage. */
function preparedHmac(key: Uint8Array, hash: OneShotHash, viaContext: HmacSha256): HmacSha256 {
  let keyBytes = key;
  // A key longer than a block is replaced by its digest (RFC 2104, section 2).
  if (keyBytes.byteLength > BLOCK_BYTES) keyBytes = hash('sha256', keyBytes, 'buffer');
  const innerBlock = Buffer.alloc(BLOCK_BYTES, IPAD);
  // The outer block followed by the inner digest: hashed whole for the result.
  const outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES, OPAD);
  for (let i = 0; i < keyBytes.byteLength; i++) {
    innerBlock[i] = (keyBytes[i] as number) ^ IPAD;
    outer[i] = (keyBytes[i] as number) ^ OPAD;
  }
  // The inner block followed by the data; grown (up to MAX_STAGED_BYTES) as data needs.
  let inner = Buffer.alloc(BLOCK_BYTES + 1024);
  innerBlock.copy(inner);
  const room = (bytes: number): void => {
    if (BLOCK_BYTES + bytes <= inner.length) return;
    inner = Buffer.alloc(
      BLOCK_BYTES + Math.min(MAX_STAGED_BYTES, Math.max(bytes, inner.length * 2)),
    );
    innerBlock.copy(inner);
  };
  return (data) => {
    let length: number;
    if (typeof data === 'string') {
      // A UTF-16 unit is at most 3 bytes of UTF-8: only a string that surely fits is staged.
      if (data.length * 3 > MAX_STAGED_BYTES) return viaContext(data);
      room(data.length * 3);
      length = inner.write(data, BLOCK_BYTES, 'utf8');
    } else {
      if (data.byteLength > MAX_STAGED_BYTES) return viaContext(data);
      room(data.byteLength);
      inner.set(data, BLOCK_BYTES);
      length = data.byteLength;
    }
    outer.set(hash('sha256', inner.subarray(0, BLOCK_BYTES + length), 'buffer'), BLOCK_BYTES);
    return hash('sha256', outer, 'buffer');
  };
}
