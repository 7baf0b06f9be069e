/**
 * `keyedHmacSha256`: the HMAC of its prepared key blocks is the HMAC
 * `createHmac` gives, byte for byte, for any key and data (RFC 4231's vectors,
 * generated input, data around the staged limit, calls whose lengths rise and
 * fall); and where `crypto.hash` is missing or wrong, it answers through
 * `createHmac` all the same.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { keyedHmacSha256, MAX_STAGED_BYTES } from 'idv-providers/kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PARAMETERS } from '../fuzz/fuzz';

const reference = (key: string | Uint8Array, data: string | Uint8Array): string =>
  createHmac('sha256', key).update(data).digest('hex');

/** RFC 4231, section 4: test cases 1, 2, 3, 6 and 7 (6 and 7 have a key longer than a block). */
const RFC_4231: ReadonlyArray<[string, string | Uint8Array, string | Uint8Array, string]> = [
  [
    'case 1',
    Buffer.alloc(20, 0x0b),
    'Hi There',
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  ],
  [
    'case 2',
    'Jefe',
    'what do ya want for nothing?',
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  ],
  [
    'case 3',
    Buffer.alloc(20, 0xaa),
    Buffer.alloc(50, 0xdd),
    '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
  ],
  [
    'case 6',
    Buffer.alloc(131, 0xaa),
    'Test Using Larger Than Block-Size Key - Hash Key First',
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  ],
  [
    'case 7',
    Buffer.alloc(131, 0xaa),
    'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  ],
];

describe('keyedHmacSha256', () => {
  it.each(RFC_4231)('gives RFC 4231 %s', (_case, key, data, mac) => {
    expect(keyedHmacSha256(key)(data).toString('hex')).toBe(mac);
  });

  it('gives what createHmac gives, for any key and data (strings as UTF-8, bytes as they are)', () => {
    const key = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.uint8Array({ maxLength: 200 }),
    );
    const data = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 3000 }),
      fc.uint8Array({ maxLength: 3000 }),
    );
    fc.assert(
      fc.property(key, fc.array(data, { minLength: 1, maxLength: 6 }), (k, items) => {
        const mac = keyedHmacSha256(k);
        for (const item of items) {
          expect(mac(item).toString('hex')).toBe(reference(k, item));
        }
      }),
      PARAMETERS,
    );
  });

  it('gives the same across the staged limit, as lengths rise and fall on one key', () => {
    const key = 'webhook-token-with-some-length-1f2e3d';
    const mac = keyedHmacSha256(key);
    const lengths = [
      0,
      1,
      MAX_STAGED_BYTES - 1,
      5,
      MAX_STAGED_BYTES,
      MAX_STAGED_BYTES + 1,
      64,
      4 * MAX_STAGED_BYTES,
      2,
    ];
    for (const length of lengths) {
      const bytes = Buffer.alloc(length, length % 251);
      expect(mac(bytes).toString('hex'), `${length} bytes`).toBe(reference(key, bytes));
      // The same length as text: ASCII, then three-byte characters (3x the bytes).
      const ascii = 'a'.repeat(length);
      expect(mac(ascii).toString('hex'), `${length} ASCII`).toBe(reference(key, ascii));
      const wide = '€'.repeat(Math.ceil(length / 3));
      expect(mac(wide).toString('hex'), `${wide.length} x €`).toBe(reference(key, wide));
    }
  });

  it('reads a byte view at its own offset, not its backing buffer', () => {
    const backing = Buffer.from('xx{"payload":{}}yy');
    const view = backing.subarray(2, backing.length - 2);
    expect(keyedHmacSha256('t')(view).toString('hex')).toBe(reference('t', '{"payload":{}}'));
  });

  it('takes a string key as UTF-8, as createHmac does', () => {
    const key = 'tökén-✓';
    expect(keyedHmacSha256(key)('body').toString('hex')).toBe(reference(key, 'body'));
    expect(keyedHmacSha256(Buffer.from(key, 'utf8'))('body').toString('hex')).toBe(
      reference(key, 'body'),
    );
  });

  it('keeps the key it was given: changing the caller bytes later changes no answer', () => {
    const key = Buffer.from('a-token-in-a-buffer');
    const original = Buffer.from(key);
    const mac = keyedHmacSha256(key);
    key.fill(0);
    const long = Buffer.alloc(MAX_STAGED_BYTES + 1, 7);
    expect(mac('body').toString('hex')).toBe(reference(original, 'body'));
    expect(mac(long).toString('hex')).toBe(reference(original, long));
  });

  it('returns a new buffer each call (a result is not overwritten by the next)', () => {
    const mac = keyedHmacSha256('k');
    const first = mac('one');
    const copy = Buffer.from(first);
    mac('two');
    expect(first.equals(copy)).toBe(true);
  });
});

describe('keyedHmacSha256 without a usable crypto.hash', () => {
  afterEach(() => {
    vi.doUnmock('node:crypto');
    vi.resetModules();
  });

  /** The kit, loaded afresh with `hash` in place of `crypto.hash`, and a spy on `createHmac`. */
  async function kitWith(hash: unknown) {
    vi.resetModules();
    const spy = { createHmac: vi.fn() };
    vi.doMock('node:crypto', async (importOriginal) => {
      const actual = await importOriginal<typeof import('node:crypto')>();
      spy.createHmac = vi.fn(actual.createHmac);
      const mocked = { ...actual, hash, createHmac: spy.createHmac };
      return { ...mocked, default: mocked };
    });
    const kit: typeof import('idv-providers/kit') = await import('idv-providers/kit');
    return { kit, spy };
  }

  it.each([
    ['missing (Node before 20.12)', undefined],
    ['giving wrong digests', vi.fn(() => Buffer.alloc(32))],
    [
      'throwing',
      vi.fn(() => {
        throw new Error('no such digest');
      }),
    ],
  ])('answers through createHmac when crypto.hash is %s', async (_case, hash) => {
    const { kit, spy } = await kitWith(hash);
    const [, key, data, mac] = RFC_4231[3]!;
    const keyed = kit.keyedHmacSha256(key);
    // The self-check in this fresh module tried the broken hash, and gave up on it.
    if (hash !== undefined) expect(hash).toHaveBeenCalled();
    spy.createHmac.mockClear();
    expect(keyed(data).toString('hex')).toBe(mac);
    expect(spy.createHmac).toHaveBeenCalledTimes(1);
    expect(kit.keyedHmacSha256('token')('body').toString('hex')).toBe(reference('token', 'body'));
  });

  it('prepares the key once when crypto.hash works: no createHmac per call', async () => {
    const { kit, spy } = await kitWith((await import('node:crypto')).hash);
    const keyed = kit.keyedHmacSha256('token');
    spy.createHmac.mockClear();
    expect(keyed('body').toString('hex')).toBe(reference('token', 'body'));
    expect(spy.createHmac).not.toHaveBeenCalled();
  });
});
