/**
 * Verification-link tokens under generated input: arbitrary strings (and
 * values that are not strings at all) and real tokens mutated in every way a
 * customer or an attacker could, verified with `createLinkSigner(...).verify`.
 * Every outcome is the claims or a `LinkTokenError`; a token is accepted only
 * in the exact spelling the signer wrote: any change to the string is refused.
 */

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { createLinkSigner, type LinkSession, LinkTokenError } from 'idv-providers';
import { describe, expect, it } from 'vitest';
import { PARAMETERS, settle } from './fuzz';

const KEY = 'fuzz-link-signing-key-0123456789abcdef-0123456789';
const NOW = Date.UTC(2026, 0, 1);
const clock = { now: () => NOW };
const links = createLinkSigner({ key: KEY, clock });

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const uuid = fc.uuid().map((u) => u.toLowerCase());
const text = fc.string({ minLength: 1, maxLength: 64 });
const session = fc.record({
  provider: fc.constantFrom('onfido', 'jumio'),
  subjectId: fc.oneof(
    text,
    uuid,
    uuid.map((u) => u.toUpperCase()),
  ),
  identityReference: fc.oneof(
    text,
    uuid,
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  ),
});

async function sign(s: LinkSession): Promise<string> {
  return (await links.sign(s)).token;
}

const at = (i: number, t: string) => i % (t.length + 1);
const bytes = (t: string) => Buffer.from(t, 'base64url');

/** One way to change a token, with its name. */
const mutation: fc.Arbitrary<(t: string) => string> = fc.oneof(
  // A bit of a decoded byte flipped (content, key id, times, id or tag).
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([i, bit]) => (t: string) => {
    const b = bytes(t);
    b[i % b.length] = (b[i % b.length] as number) ^ (1 << bit);
    return b.toString('base64url');
  }),
  // A character replaced by another of the alphabet.
  fc.tuple(fc.nat(), fc.constantFrom(...BASE64URL)).map(([i, c]) => (t: string) => {
    const j = i % t.length;
    return `${t.slice(0, j)}${c}${t.slice(j + 1)}`;
  }),
  // Characters added anywhere: of the alphabet, padding, whitespace, anything.
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        fc.constantFrom(...BASE64URL),
        fc.constantFrom('=', '==', ' ', '\n', '\r\n', '\t', '%3D', '.', '+', '/', '\u00a0', '\0'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
      ),
    )
    .map(
      ([i, s]) =>
        (t: string) =>
          `${t.slice(0, at(i, t))}${s}${t.slice(at(i, t))}`,
    ),
  // A character removed anywhere, or the token cut short.
  fc.nat().map((i) => (t: string) => {
    const j = i % t.length;
    return `${t.slice(0, j)}${t.slice(j + 1)}`;
  }),
  fc.nat().map((i) => (t: string) => t.slice(0, i % t.length)),
  // Padding to a multiple of four, whitespace around it.
  fc.constant((t: string) => t.padEnd(Math.ceil(t.length / 4) * 4, '=')),
  fc.constantFrom(' ', '\n', '\r\n', '\t').map((w) => (t: string) => `${w}${t}${w}`),
  // The case of a letter changed, or of all of them.
  fc.nat().map((i) => (t: string) => {
    const letters = [...t].flatMap((c, j) => (/[A-Za-z]/.test(c) ? [j] : []));
    // An earlier mutation may have cut every letter away: nothing to change then.
    if (letters.length === 0) return t;
    const j = letters[i % letters.length] as number;
    const c = t[j] as string;
    const swapped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
    return `${t.slice(0, j)}${swapped}${t.slice(j + 1)}`;
  }),
  fc.constantFrom(
    (t: string) => t.toUpperCase(),
    (t: string) => t.toLowerCase(),
  ),
  // Another spelling of the same bytes: standard base64, the unused bits of the last character set.
  fc.constant((t: string) => bytes(t).toString('base64')),
  fc.integer({ min: 1, max: 15 }).map((bits) => (t: string) => {
    const last = BASE64URL.indexOf(t.at(-1) as string);
    return `${t.slice(0, -1)}${BASE64URL[(last ^ bits) & 63]}`;
  }),
  // Wrapped as a JWT.
  fc
    .constantFrom({ alg: 'none', typ: 'JWT' }, { alg: 'HS256', typ: 'JWT' }, { alg: 'HS512' })
    .map((header) => (t: string) => `${base64url(header)}.${t}.${header.alg === 'none' ? '' : t}`),
);

function expectRefused(error: unknown): void {
  expect(error).toBeInstanceOf(LinkTokenError);
  expect((error as LinkTokenError).code).toBe('link_token_invalid');
  expect([
    'expired',
    'not_yet_valid',
    'invalid_signature',
    'malformed',
    'wrong_session',
    'unsupported_algorithm',
    'revoked',
  ]).toContain((error as LinkTokenError).reason);
}

describe('link tokens, fuzzed', () => {
  it('refuses any string that was not signed, with a LinkTokenError', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{40,160}$/),
      fc.uint8Array({ minLength: 40, maxLength: 120 }).map((b) => {
        b[0] = 1;
        return Buffer.from(b).toString('base64url');
      }),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,120}\.[A-Za-z0-9_-]{0,60}$/),
      fc
        .json()
        .map((j) => `${base64url({ alg: 'HS256' })}.${Buffer.from(j).toString('base64url')}.`),
      fc.string({ minLength: 4097, maxLength: 5000 }),
    );
    await fc.assert(
      fc.asyncProperty(text, async (token) => {
        const outcome = await settle(() => links.verify(token));
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expectRefused(outcome.error);
      }),
      PARAMETERS,
    );
  });

  it('refuses values that are not strings with a LinkTokenError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything().filter((v) => typeof v !== 'string'),
        async (value) => {
          const outcome = await settle(() => links.verify(value as string));
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expectRefused(outcome.error);
        },
      ),
      PARAMETERS,
    );
  });

  it('accepts a signed token unchanged, with the claims it was signed with', async () => {
    await fc.assert(
      fc.asyncProperty(session, async (s) => {
        const signed = await links.sign(s);
        const claims = await links.verify(signed.token, s);
        expect(claims).toEqual({
          ...s,
          issuedAt: new Date(NOW),
          expiresAt: new Date(NOW + 90 * 60 * 1000),
          tokenId: signed.tokenId,
          keyId: signed.keyId,
        });
      }),
      PARAMETERS,
    );
  });

  it('refuses any mutation of a valid token: a byte flipped, characters added or removed, padding, whitespace, case', async () => {
    await fc.assert(
      fc.asyncProperty(
        session,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (s, changes) => {
          const original = await sign(s);
          const changed = changes.reduce((t, change) => change(t), original);
          fc.pre(changed !== original);
          const outcome = await settle(() => links.verify(changed));
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expectRefused(outcome.error);
        },
      ),
      PARAMETERS,
    );
  });

  it('refuses a token for another session as wrong_session', async () => {
    await fc.assert(
      fc.asyncProperty(
        session,
        fc.constantFrom<keyof LinkSession>('provider', 'subjectId', 'identityReference'),
        fc.string({ maxLength: 64 }),
        async (s, field, other) => {
          fc.pre(other !== s[field]);
          const token = await sign(s);
          const wrong = await settle(() => links.verify(token, { [field]: other }));
          expect(wrong.ok).toBe(false);
          if (!wrong.ok) expect((wrong.error as LinkTokenError).reason).toBe('wrong_session');
        },
      ),
      PARAMETERS,
    );
  });

  it('refuses a token signed with any other key, or after it expired', async () => {
    // Any other acceptable key: the SHA-256 of a generated seed, as base64 (44 characters).
    const otherKey = fc
      .uint8Array({ minLength: 1, maxLength: 32 })
      .map((seed) => createHash('sha256').update(seed).digest('base64'))
      .filter((k) => k !== KEY);
    await fc.assert(
      fc.asyncProperty(
        session,
        otherKey,
        fc.integer({ min: 0, max: 10 ** 9 }),
        async (s, key, late) => {
          const text = await sign(s);
          const stranger = createLinkSigner({ key, clock });
          const foreign = await settle(() => stranger.verify(text));
          expect(foreign.ok || (foreign.error as LinkTokenError).reason).toBe('invalid_signature');
          const later = createLinkSigner({
            key: KEY,
            clock: { now: () => NOW + 90 * 60_000 + late },
          });
          const expired = await settle(() => later.verify(text));
          expect(expired.ok || (expired.error as LinkTokenError).reason).toBe('expired');
        },
      ),
      PARAMETERS,
    );
  });

  it('refuses a token presented more than 30 seconds before its issue time as not_yet_valid', async () => {
    await fc.assert(
      fc.asyncProperty(session, fc.integer({ min: 30_001, max: 10 ** 9 }), async (s, early) => {
        const text = await sign(s);
        const behind = createLinkSigner({ key: KEY, clock: { now: () => NOW - early } });
        const outcome = await settle(() => behind.verify(text));
        expect(outcome.ok || (outcome.error as LinkTokenError).reason).toBe('not_yet_valid');
      }),
      PARAMETERS,
    );
  });
});
