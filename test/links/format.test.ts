/**
 * The token layout (src/links/encoding.ts), checked against an independent
 * writer (./token-bytes.ts), and the size budget: a link of a 30-character
 * site URL and a typical token fits one SMS segment (160 GSM-7 characters).
 */
import { createLinkSigner, LinkTokenError, withLinkToken } from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { contentBytes, keyIdOf, open, seal, tagOf, textField, uuidField } from './token-bytes';

const KEY = 'format-test-link-key-5c1d9e7a3b0f4862-e4d1';
const APPLICANT = '3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d';
const SITE = 'https://cas.example.com/verify';
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const session = { provider: 'onfido', subjectId: APPLICANT, identityReference: 'identity-42' };

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LinkTokenError);
    return (error as LinkTokenError).reason;
  }
  throw new Error('expected the token to be refused');
}

describe('link token format', () => {
  it('writes the documented layout: version, key id, times, token id, fields, truncated HMAC tag', async () => {
    const links = createLinkSigner({ key: KEY, clock: createTestClock({ start: START }) });
    const signed = await links.sign(session);
    const iat = START / 1000;
    const expected = contentBytes({
      keyId: keyIdOf(KEY),
      issuedAt: iat,
      expiresAt: iat + 5400,
      tokenId: Buffer.from(signed.tokenId, 'hex'),
      fields: [textField('onfido'), uuidField(APPLICANT), textField('identity-42')],
    });
    expect(open(signed.token).content.toString('hex')).toBe(expected.toString('hex'));
    expect(open(signed.token).tag.toString('hex')).toBe(tagOf(expected, KEY).toString('hex'));
    expect(signed.token).toBe(seal(expected, KEY));
    expect(signed.keyId).toBe(keyIdOf(KEY));
    // 18 head bytes, 7 + 17 + 12 field bytes, 16 tag bytes.
    expect(Buffer.from(signed.token, 'base64url').byteLength).toBe(70);
  });

  it('accepts a token written independently from the documented layout', async () => {
    const links = createLinkSigner({ key: KEY, clock: createTestClock({ start: START }) });
    const iat = START / 1000 - 60;
    const token = seal(
      contentBytes({
        keyId: keyIdOf(KEY),
        issuedAt: iat,
        expiresAt: iat + 600,
        tokenId: Buffer.from('0123456789abcdef', 'hex'),
        fields: [textField('jumio'), uuidField(APPLICANT), textField('Ünïcødé ✓ 身份')],
      }),
      KEY,
    );
    await expect(links.verify(token)).resolves.toEqual({
      provider: 'jumio',
      subjectId: APPLICANT,
      identityReference: 'Ünïcødé ✓ 身份',
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date((iat + 600) * 1000),
      tokenId: '0123456789abcdef',
      keyId: keyIdOf(KEY),
    });
  });

  it('keeps an upper-case UUID and long fields as text, and round-trips them', async () => {
    const links = createLinkSigner({ key: KEY });
    const long = `ref-${'é'.repeat(200)}`; // 404 bytes of UTF-8: the two-byte length form
    const upper = APPLICANT.toUpperCase();
    const signed = await links.sign({
      provider: 'onfido',
      subjectId: upper,
      identityReference: long,
    });
    expect(open(signed.token).content.includes(textField(upper))).toBe(true);
    expect(open(signed.token).content.includes(textField(long))).toBe(true);
    await expect(links.verify(signed.token)).resolves.toMatchObject({
      subjectId: upper,
      identityReference: long,
    });
  });

  it('refuses an unknown format version, even properly tagged, as unsupported_algorithm', async () => {
    const links = createLinkSigner({ key: KEY });
    const { content } = open((await links.sign(session)).token);
    const v2 = Buffer.from(content);
    v2[0] = 2;
    expect(await reason(links.verify(seal(v2, KEY)))).toBe('unsupported_algorithm');
  });

  it('refuses properly tagged content that ends early, runs on, or expires before it is issued', async () => {
    const links = createLinkSigner({ key: KEY, clock: createTestClock({ start: START }) });
    const { content } = open((await links.sign(session)).token);
    const iat = START / 1000;
    const fields = [textField('onfido'), uuidField(APPLICANT), textField('identity-42')];
    for (const bad of [
      content.subarray(0, -1),
      Buffer.concat([content, Buffer.of(0)]),
      contentBytes({ keyId: keyIdOf(KEY), issuedAt: iat, expiresAt: iat, fields }),
      contentBytes({
        keyId: keyIdOf(KEY),
        issuedAt: iat,
        expiresAt: iat + 60,
        fields: fields.slice(0, 2),
      }),
      contentBytes({
        keyId: keyIdOf(KEY),
        issuedAt: iat,
        expiresAt: iat + 60,
        fields: [...fields.slice(0, 2), Buffer.of(3, 0xff, 0xfe, 0xfd)],
      }),
    ]) {
      expect(await reason(links.verify(seal(bad, KEY)))).toBe('malformed');
    }
  });
});

describe('SMS budget', () => {
  it('a 30-character site URL with ?token= and a typical Onfido token fits in 160 characters', async () => {
    expect(SITE).toHaveLength(30);
    const links = createLinkSigner({ key: KEY });
    const lengths: number[] = [];
    for (let i = 0; i < 50; i++) {
      const { token } = await links.sign(session);
      const link = withLinkToken(SITE, token);
      expect(link).toBe(`${SITE}?token=${token}`);
      expect(token.length).toBeLessThanOrEqual(120);
      expect(link.length).toBeLessThanOrEqual(160);
      // Only characters of the GSM 03.38 default alphabet: one 7-bit segment holds 160 of them.
      expect(link).toMatch(/^[A-Za-z0-9_\-:/.?=]+$/);
      lengths.push(token.length, link.length);
    }
    expect(new Set(lengths)).toEqual(new Set([94, 131]));
  });

  it('a Jumio session with a UUID account and a UUID reference fits too', async () => {
    const links = createLinkSigner({ key: KEY });
    const { token } = await links.sign({
      provider: 'jumio',
      subjectId: APPLICANT,
      identityReference: 'a81bc81b-dead-4e5d-abff-90865d1e13b1',
    });
    expect(token.length).toBe(99);
    expect(withLinkToken(SITE, token).length).toBeLessThanOrEqual(160);
  });
});
