/**
 * Verification-link tokens under generated input: arbitrary strings (and
 * values that are not strings at all) and real tokens mutated in every way a
 * customer or an attacker could, verified with `createLinkSigner(...).verify`.
 * Every outcome is the claims or a `LinkTokenError`; a changed token is only
 * ever accepted when it decodes to exactly the bytes that were signed.
 */

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
const decoded = (token: string) => token.split('.').map((part) => Buffer.from(part, 'base64url'));

const session = fc.record({
  provider: fc.constantFrom('onfido', 'jumio'),
  subjectId: fc.string({ minLength: 1, maxLength: 64 }),
  identityReference: fc.string({ minLength: 1, maxLength: 64 }),
});

async function sign(s: LinkSession): Promise<string> {
  return (await links.sign(s)).token;
}

/** One way to change a token. */
const mutation = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...BASE64URL)).map(([at, c]) => (t: string) => {
    const i = at % t.length;
    return `${t.slice(0, i)}${c}${t.slice(i + 1)}`;
  }),
  fc
    .tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
    .map(([at, s]) => (t: string) => {
      const i = at % (t.length + 1);
      return `${t.slice(0, i)}${s}${t.slice(i)}`;
    }),
  fc.nat().map((at) => (t: string) => {
    const i = at % t.length;
    return `${t.slice(0, i)}${t.slice(i + 1)}`;
  }),
  fc.nat().map((at) => (t: string) => t.slice(0, at % t.length)),
  fc.constant((t: string) => t.split('.').reverse().join('.')),
  fc.constant((t: string) => `${t}.`),
  fc.constant((t: string) => t.split('.').slice(0, 2).join('.')),
  fc.constant((t: string) => `${t.split('.').slice(0, 2).join('.')}.`),
  fc
    .constantFrom(
      { alg: 'none', typ: 'JWT' },
      { alg: 'HS512', typ: 'JWT' },
      { alg: 'RS256', typ: 'JWT' },
      { alg: 'hs256', typ: 'JWT' },
      { typ: 'JWT' },
      { alg: 'HS256', crit: ['exp'] },
      { alg: 'HS256', b64: false, crit: ['b64'] },
    )
    .map((header) => (t: string) => {
      const [, payload, signature] = t.split('.');
      return `${base64url(header)}.${payload}.${header.alg === 'none' ? '' : signature}`;
    }),
  fc
    .record({
      sid: fc.string({ maxLength: 20 }),
      exp: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
      aud: fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 8 }))),
    })
    .map((changes) => (t: string) => {
      const [header, payload, signature] = t.split('.');
      const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
      return `${header}.${base64url({ ...claims, ...changes })}.${signature}`;
    }),
);

function expectRefused(error: unknown): void {
  expect(error).toBeInstanceOf(LinkTokenError);
  expect((error as LinkTokenError).code).toBe('link_token_invalid');
  expect([
    'expired',
    'invalid_signature',
    'malformed',
    'wrong_session',
    'unsupported_algorithm',
  ]).toContain((error as LinkTokenError).reason);
}

describe('link tokens, fuzzed', () => {
  it('refuses any string that was not signed, with a LinkTokenError', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
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
        const claims = await links.verify(await sign(s), s);
        expect(claims).toMatchObject(s);
        expect(claims.expiresAt.getTime() - claims.issuedAt.getTime()).toBe(90 * 60 * 1000);
      }),
      PARAMETERS,
    );
  });

  it('refuses a mutated token unless it decodes to the very bytes signed', async () => {
    await fc.assert(
      fc.asyncProperty(session, mutation, async (s, mutate) => {
        const original = await sign(s);
        const changed = mutate(original);
        const outcome = await settle(() => links.verify(changed));
        if (!outcome.ok) return expectRefused(outcome.error);
        // Base64url is lenient about unused trailing bits: only an equivalent spelling passes.
        const [header, payload, signature] = decoded(changed);
        const [header0, payload0, signature0] = decoded(original);
        expect(changed.split('.').slice(0, 2)).toEqual(original.split('.').slice(0, 2));
        expect([header, payload, signature]).toEqual([header0, payload0, signature0]);
        expect(outcome.value).toMatchObject(s);
      }),
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
    const otherKey = fc.string({ minLength: 32, maxLength: 64 }).filter((k) => k !== KEY);
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
});
