/**
 * Signature comparison is constant-time, shown structurally rather than with
 * timings: every well-formed signature reaches `crypto.timingSafeEqual` (once,
 * with the 32 bytes given and the 32 bytes expected), whether it matches or
 * not, and nothing compares the signature before it; `constantTimeEqual`
 * answers unequal lengths without a `RangeError`; and a malformed header (not
 * hex, odd length, wrong length) is refused as such before any comparison.
 */
import * as crypto from 'node:crypto';
import { WebhookVerificationError } from 'idv-providers';
import { constantTimeEqual } from 'idv-providers/kit';
import { onfido, signOnfidoWebhook, verifyOnfidoSignature } from 'idv-providers/onfido';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
const TOKEN = 'constant-time-webhook-token-51c0e7';
const BODY = JSON.stringify({
  payload: { resource_type: 'check', action: 'check.completed', object: { id: 'check-1' } },
});
const RIGHT = signOnfidoWebhook(BODY, TOKEN);
const idv = onfido({
  apiToken: 'api_sandbox.constant-time',
  webhookToken: TOKEN,
  verificationSiteUrl: 'https://verify.example.com/',
});

function refusal(signature: string): WebhookVerificationError {
  try {
    verifyOnfidoSignature({ body: BODY, headers: { 'x-sha2-signature': signature } }, TOKEN);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('expected the signature to be refused');
}

beforeEach(() => {
  timingSafeEqual.mockClear();
});

describe('Onfido webhook signatures', () => {
  it('compares a matching signature with timingSafeEqual, once, on the raw 32 bytes', async () => {
    const event = await idv.verifyWebhook({ body: BODY, headers: { 'x-sha2-signature': RIGHT } });
    expect(event.session.attemptId).toBe('check-1');
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [given, expected] = timingSafeEqual.mock.calls[0] as [Uint8Array, Uint8Array];
    expect(Buffer.from(given).toString('hex')).toBe(RIGHT);
    expect(Buffer.from(expected).toString('hex')).toBe(RIGHT);
    expect(timingSafeEqual.mock.results[0]?.value).toBe(true);
  });

  it.each([
    ['the first byte differs', `${RIGHT[0] === '0' ? '1' : '0'}${RIGHT.slice(1)}`],
    ['the last byte differs', `${RIGHT.slice(0, -1)}${RIGHT.endsWith('0') ? '1' : '0'}`],
    ['every byte differs', RIGHT.replace(/./g, (c) => (c === 'f' ? '0' : 'f'))],
    ['signed with another token', signOnfidoWebhook(BODY, 'another-token')],
  ])('compares a wrong signature the same way (%s): bad_signature', (_case, signature) => {
    expect(refusal(signature).reason).toBe('bad_signature');
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [given, expected] = timingSafeEqual.mock.calls[0] as [Uint8Array, Uint8Array];
    expect(given.byteLength).toBe(32);
    expect(expected.byteLength).toBe(32);
    expect(timingSafeEqual.mock.results[0]?.value).toBe(false);
  });

  it('accepts the signature in upper case and with surrounding white space, still through timingSafeEqual', () => {
    expect(() =>
      verifyOnfidoSignature(
        { body: BODY, headers: { 'X-SHA2-Signature': `  ${RIGHT.toUpperCase()} ` } },
        TOKEN,
      ),
    ).not.toThrow();
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['missing', '', 'missing_signature'],
    ['not hex', 'z'.repeat(64), 'malformed_signature'],
    ['odd length', RIGHT.slice(0, 63), 'malformed_signature'],
    ['too short (31 bytes)', RIGHT.slice(0, 62), 'malformed_signature'],
    ['too long (33 bytes)', `${RIGHT}00`, 'malformed_signature'],
    ['hex with a sha256= prefix', `sha256=${RIGHT}`, 'malformed_signature'],
    ['empty after trimming', '   ', 'missing_signature'],
  ])(
    'refuses a signature that is %s without comparing it, and without a RangeError',
    (_case, signature, reason) => {
      expect(refusal(signature).reason).toBe(reason);
      expect(timingSafeEqual).not.toHaveBeenCalled();
    },
  );
});

describe('constantTimeEqual', () => {
  it('compares equal lengths with timingSafeEqual', () => {
    expect(constantTimeEqual(Buffer.from('abcd'), Buffer.from('abcd'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abcd'), Buffer.from('abce'))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it.each([
    [0, 32],
    [31, 32],
    [33, 32],
    [64, 32],
  ])('answers false for %i bytes against %i, without a RangeError', (a, b) => {
    expect(constantTimeEqual(new Uint8Array(a), new Uint8Array(b))).toBe(false);
    // crypto.timingSafeEqual itself throws on unequal lengths; it is not reached.
    expect(timingSafeEqual).not.toHaveBeenCalled();
    expect(() => crypto.timingSafeEqual(new Uint8Array(a), new Uint8Array(b))).toThrow(RangeError);
  });

  it('compares byte views of larger buffers by their own bytes only', () => {
    const backing = Buffer.from('xxabcdyy');
    expect(constantTimeEqual(backing.subarray(2, 6), Buffer.from('abcd'))).toBe(true);
  });
});
