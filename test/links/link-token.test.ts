import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import {
  ConfigError,
  createLinkSigner,
  InvalidInputError,
  LinkTokenError,
  withLinkToken,
} from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';

const KEY = 'k'.repeat(16) + 'link-signing-key-0123456789';
const session = {
  provider: 'onfido',
  subjectId: 'applicant-123',
  identityReference: 'identity-42',
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];

async function refusal(promise: Promise<unknown>): Promise<LinkTokenError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LinkTokenError);
    return error as LinkTokenError;
  }
  throw new Error('expected the token to be refused');
}

describe('verification link tokens', () => {
  it('round-trips the session and expires after 90 minutes by default', async () => {
    const clock = createTestClock({ start: Date.UTC(2026, 10, 22, 12, 0, 0) });
    const links = createLinkSigner({ key: KEY, clock });
    const { token, expiresAt } = await links.sign(session);
    expect(expiresAt.toISOString()).toBe('2026-11-22T13:30:00.000Z');
    const claims = await links.verify(token, { subjectId: 'applicant-123', provider: 'onfido' });
    expect(claims).toEqual({
      ...session,
      issuedAt: new Date('2026-11-22T12:00:00.000Z'),
      expiresAt: new Date('2026-11-22T13:30:00.000Z'),
    });
    expect(parts(token).length).toBe(3);
    expect(JSON.parse(Buffer.from(parts(token)[0], 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
  });

  it('accepts a token one second before expiry and refuses it at expiry', async () => {
    const clock = createTestClock();
    const links = createLinkSigner({ key: KEY, clock });
    const { token } = await links.sign(session);
    clock.advance(90 * 60 * 1000 - 1000);
    await expect(links.verify(token)).resolves.toMatchObject(session);
    clock.advance(1000);
    const error = await refusal(links.verify(token));
    expect(error.reason).toBe('expired');
    expect(error.message).toBe('[idv] verification link refused: the link has expired');
  });

  it('honours a custom lifetime', async () => {
    const clock = createTestClock();
    const links = createLinkSigner({ key: KEY, clock, ttlSeconds: 60 });
    const { token } = await links.sign(session);
    clock.advance(61_000);
    expect((await refusal(links.verify(token))).reason).toBe('expired');
  });

  it('refuses a tampered payload', async () => {
    const links = createLinkSigner({ key: KEY });
    const [header, payload, signature] = parts((await links.sign(session)).token);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${b64url({ ...claims, sid: 'applicant-999' })}.${signature}`;
    expect((await refusal(links.verify(forged))).reason).toBe('invalid_signature');
  });

  it('refuses a token signed with another key', async () => {
    const other = createLinkSigner({ key: `${KEY}-other` });
    const { token } = await other.sign(session);
    expect((await refusal(createLinkSigner({ key: KEY }).verify(token))).reason).toBe(
      'invalid_signature',
    );
  });

  it('refuses alg "none"', async () => {
    const links = createLinkSigner({ key: KEY });
    const claims = JSON.parse(
      Buffer.from(parts((await links.sign(session)).token)[1], 'base64url').toString(),
    );
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
    expect((await refusal(links.verify(unsigned))).reason).toBe('unsupported_algorithm');
  });

  it('refuses HS512 even with the right key (only HS256 is accepted)', async () => {
    const links = createLinkSigner({ key: KEY });
    const claims = JSON.parse(
      Buffer.from(parts((await links.sign(session)).token)[1], 'base64url').toString(),
    );
    const head = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(claims)}`;
    const sig = createHmac('sha512', KEY).update(head).digest('base64url');
    expect((await refusal(links.verify(`${head}.${sig}`))).reason).toBe('unsupported_algorithm');
  });

  it('refuses a token for another session', async () => {
    const links = createLinkSigner({ key: KEY });
    const { token } = await links.sign(session);
    const error = await refusal(links.verify(token, { subjectId: 'applicant-456' }));
    expect(error.reason).toBe('wrong_session');
    expect((await refusal(links.verify(token, { provider: 'jumio' }))).reason).toBe(
      'wrong_session',
    );
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-token'],
    ['two parts', 'a.b'],
    ['bad base64', '!!!.???.***'],
    ['huge', 'a'.repeat(5000)],
  ])('refuses a malformed token (%s)', async (_name, token) => {
    expect((await refusal(createLinkSigner({ key: KEY }).verify(token))).reason).toBe('malformed');
  });

  it('refuses a properly signed token from another issuer or audience', async () => {
    const links = createLinkSigner({ key: KEY });
    const now = Math.floor(Date.now() / 1000);
    const head = `${b64url({ alg: 'HS256' })}.${b64url({ provider: 'onfido', sid: 'a', ref: 'b', iat: now, exp: now + 60, iss: 'someone-else', aud: 'idv-verification-link' })}`;
    const sig = createHmac('sha256', KEY).update(head).digest('base64url');
    expect((await refusal(links.verify(`${head}.${sig}`))).reason).toBe('malformed');
  });

  it('refuses keys shorter than 32 bytes and bad sessions', async () => {
    expect(() => createLinkSigner({ key: 'short' })).toThrow(ConfigError);
    expect(() => createLinkSigner({ key: KEY, ttlSeconds: 0 })).toThrow(ConfigError);
    await expect(
      createLinkSigner({ key: KEY }).sign({ ...session, subjectId: '' }),
    ).rejects.toThrow(InvalidInputError);
  });

  it('never shows the key in an error', async () => {
    const links = createLinkSigner({ key: KEY });
    const errors: unknown[] = [];
    for (const token of [
      '',
      'x.y.z',
      (await createLinkSigner({ key: `${KEY}!` }).sign(session)).token,
    ]) {
      try {
        await links.verify(token);
      } catch (error) {
        errors.push(error);
      }
    }
    try {
      createLinkSigner({ key: 'short-secret-key' });
    } catch (error) {
      errors.push(error);
    }
    expect(errors).toHaveLength(4);
    for (const error of errors) {
      const text = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}`;
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('short-secret-key');
    }
  });

  it('puts the token in a link', () => {
    expect(withLinkToken('https://verify.example.com/?applicant_id=a1', 'abc.def.ghi')).toBe(
      'https://verify.example.com/?applicant_id=a1&token=abc.def.ghi',
    );
  });
});
