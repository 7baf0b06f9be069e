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
import { open, seal } from './token-bytes';

const KEY = 'k'.repeat(16) + 'link-signing-key-0123456789';
const session = {
  provider: 'onfido',
  subjectId: 'applicant-123',
  identityReference: 'identity-42',
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** The claims of a JWT naming the session, as earlier versions signed them. */
const jwtClaims = (now = Math.floor(Date.now() / 1000)) => ({
  provider: 'onfido',
  sid: 'applicant-123',
  ref: 'identity-42',
  iss: 'idv-providers',
  aud: 'idv-verification-link',
  iat: now,
  exp: now + 60,
});

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
    const { token, expiresAt, tokenId, keyId } = await links.sign(session);
    expect(expiresAt.toISOString()).toBe('2026-11-22T13:30:00.000Z');
    const claims = await links.verify(token, { subjectId: 'applicant-123', provider: 'onfido' });
    expect(claims).toEqual({
      ...session,
      issuedAt: new Date('2026-11-22T12:00:00.000Z'),
      expiresAt: new Date('2026-11-22T13:30:00.000Z'),
      tokenId,
      keyId,
    });
    expect(tokenId).toMatch(/^[0-9a-f]{16}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token, 'base64url')[0]).toBe(1);
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
    const { content, tag } = open((await links.sign(session)).token);
    // applicant-123 → applicant-923, the tag left as it was.
    const forged = Buffer.from(content);
    forged[forged.indexOf('applicant-123') + 'applicant-'.length] = '9'.charCodeAt(0);
    const token = Buffer.concat([forged, tag]).toString('base64url');
    expect((await refusal(links.verify(token))).reason).toBe('invalid_signature');
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
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(jwtClaims())}.`;
    expect((await refusal(links.verify(unsigned))).reason).toBe('unsupported_algorithm');
  });

  it('refuses a token stripped of its tag, or with a zeroed tag (alg "none" for this format)', async () => {
    const links = createLinkSigner({ key: KEY });
    const { content } = open((await links.sign(session)).token);
    const zeroed = Buffer.concat([content, Buffer.alloc(16)]).toString('base64url');
    expect((await refusal(links.verify(zeroed))).reason).toBe('invalid_signature');
    const stripped = content.toString('base64url');
    expect(['malformed', 'invalid_signature']).toContain(
      (await refusal(links.verify(stripped))).reason,
    );
  });

  it('refuses HS512 even with the right key (only HS256 is accepted)', async () => {
    const links = createLinkSigner({ key: KEY });
    const head = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(jwtClaims())}`;
    const sig = createHmac('sha512', KEY).update(head).digest('base64url');
    expect((await refusal(links.verify(`${head}.${sig}`))).reason).toBe('unsupported_algorithm');
  });

  it('refuses a JWT signed with the right key: this version reads no JWT', async () => {
    const links = createLinkSigner({ key: KEY });
    const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(jwtClaims())}`;
    const sig = createHmac('sha256', KEY).update(head).digest('base64url');
    expect((await refusal(links.verify(`${head}.${sig}`))).reason).toBe('malformed');
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

  it('refuses to sign a session field that UTF-8 cannot hold (a lone surrogate)', async () => {
    await expect(
      createLinkSigner({ key: KEY }).sign({ ...session, identityReference: 'identity-\ud800' }),
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
    for (const key of ['short-secret-key', 'weak-secret-key-'.repeat(4)]) {
      try {
        createLinkSigner({ key });
      } catch (error) {
        errors.push(error);
      }
    }
    expect(errors).toHaveLength(5);
    for (const error of errors) {
      const text = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}`;
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('short-secret-key');
      expect(text).not.toContain('weak-secret-key');
    }
  });

  it('puts the token in a link', () => {
    expect(withLinkToken('https://verify.example.com/?applicant_id=a1', 'abc.def.ghi')).toBe(
      'https://verify.example.com/?applicant_id=a1&token=abc.def.ghi',
    );
  });
});

describe('one spelling per token (a token string is a unique key)', () => {
  const links = createLinkSigner({ key: KEY });

  it.each([
    ['a trailing "="', (t: string) => `${t}=`],
    ['trailing "=="', (t: string) => `${t}==`],
    ['a trailing space', (t: string) => `${t} `],
    ['a leading space', (t: string) => ` ${t}`],
    ['a trailing newline', (t: string) => `${t}\n`],
    ['a CRLF', (t: string) => `${t}\r\n`],
    ['a tab in the middle', (t: string) => `${t.slice(0, 40)}\t${t.slice(40)}`],
    ['a newline in the middle', (t: string) => `${t.slice(0, 40)}\n${t.slice(40)}`],
    ['standard base64 (+ and /)', (t: string) => Buffer.from(t, 'base64url').toString('base64')],
    [
      'a percent-encoded character',
      (t: string) => `${t.slice(0, -1)}%${t.charCodeAt(t.length - 1).toString(16)}`,
    ],
  ])('refuses the token with %s as malformed', async (_name, change) => {
    const { token } = await links.sign(session);
    const changed = change(token);
    expect(changed).not.toBe(token);
    expect((await refusal(links.verify(changed))).reason).toBe('malformed');
  });

  it('refuses the same bytes spelled with non-zero unused bits in the last character', async () => {
    // 94 characters hold 70 bytes and 4 unused bits: every other spelling of the last character decodes alike.
    let token = '';
    for (let i = 0; token.length % 4 === 0; i++) {
      token = (await links.sign({ ...session, identityReference: `identity-${'4'.repeat(i)}` }))
        .token;
    }
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const alike = [...alphabet]
      .map((c) => `${token.slice(0, -1)}${c}`)
      .filter(
        (t) => t !== token && Buffer.from(t, 'base64url').equals(Buffer.from(token, 'base64url')),
      );
    expect(alike.length).toBeGreaterThan(0);
    for (const t of alike) expect((await refusal(links.verify(t))).reason).toBe('malformed');
  });

  it('refuses a lower-case UUID sent as text, though properly tagged (the signer packs it in 16 bytes)', async () => {
    const uuid = '3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d';
    const packed = await links.sign({ ...session, subjectId: uuid });
    const { content } = open(packed.token);
    const at = content.indexOf(Buffer.of(0, ...Buffer.from(uuid.replaceAll('-', ''), 'hex')));
    const asText = Buffer.concat([
      content.subarray(0, at),
      Buffer.of(36),
      Buffer.from(uuid),
      content.subarray(at + 17),
    ]);
    expect((await refusal(links.verify(seal(asText, KEY)))).reason).toBe('malformed');
  });

  it('refuses a short field written with the two-byte length form, though properly tagged', async () => {
    const { content } = open((await links.sign(session)).token);
    const at = content.indexOf(Buffer.from('\x0bidentity-42'));
    const long = Buffer.concat([
      content.subarray(0, at),
      Buffer.of(0x80, 11),
      content.subarray(at + 1),
    ]);
    expect((await refusal(links.verify(seal(long, KEY)))).reason).toBe('malformed');
  });
});
