/**
 * Signing keys: the strength rule (src/links/keys.ts) refuses the mistakes
 * hosts make with a ConfigError that never shows the key, and accepts what
 * key generators produce; rotation signs with the newest key and verifies
 * with every listed one, by the key id the token names.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, createLinkSigner, LinkTokenError } from 'idv-providers';
import { describe, expect, it } from 'vitest';
import { contentBytes, keyIdOf, open, seal, textField } from './token-bytes';

const OLD = 'old-link-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const NEW = 'new-link-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const session = { provider: 'onfido', subjectId: 'applicant-1', identityReference: 'identity-1' };

const PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PUBLIC KEY-----`;

function configError(make: () => unknown): ConfigError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LinkTokenError);
    return (error as LinkTokenError).reason;
  }
  throw new Error('expected the token to be refused');
}

describe('link signing keys: the strength rule', () => {
  it.each([
    ['all spaces', ' '.repeat(48), 'repeats a shorter block'],
    ['one byte repeated', 'x'.repeat(64), 'repeats a shorter block'],
    ['all zero bytes', new Uint8Array(32), 'repeats a shorter block'],
    ['all zero digits', '0'.repeat(64), 'repeats a shorter block'],
    ['a placeholder repeated', 'changeme'.repeat(5), 'repeats a shorter block'],
    ['16 characters twice', 'abcdefghijklmnop'.repeat(2), 'repeats a shorter block'],
    ['a PEM public key', PUBLIC_KEY_PEM, 'holds a PEM block'],
    [
      'any PEM block',
      `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}`,
      'holds a PEM block',
    ],
    [
      'few distinct bytes',
      'password1234password1234password9',
      'fewer than 16 different byte values',
    ],
    ['a mostly-one-character key', `${'a'.repeat(17)}bcdefghijklmnop`, 'too predictable'],
    ['32 hex digits (128 bits)', randomBytes(16).toString('hex'), 'at least 64 of them'],
    ['too short', 'short-link-key', 'at least 32 bytes'],
  ])('refuses a weak key (%s) with a ConfigError that does not show it', (_name, key, why) => {
    const error = configError(() => createLinkSigner({ key }));
    expect(error.message).toContain(why);
    expect(error.option).toBe('key');
    const text = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { showHidden: true, depth: 9 })}`;
    const start = typeof key === 'string' ? key.trim().slice(0, 12) : '';
    if (start.length === 12) expect(text).not.toContain(start);
  });

  it('refuses a weak key in a list or in keys, naming its place', () => {
    expect(configError(() => createLinkSigner({ key: [NEW, 'y'.repeat(40)] })).message).toContain(
      '(key[1])',
    );
    expect(
      configError(() => createLinkSigner({ keys: [{ id: 1, key: PUBLIC_KEY_PEM }] })).option,
    ).toBe('keys');
  });

  it.each([
    ['32 random bytes', () => randomBytes(32)],
    ['openssl rand -base64 24', () => randomBytes(24).toString('base64')],
    ['openssl rand -base64 32', () => randomBytes(32).toString('base64')],
    ['openssl rand -base64 48', () => randomBytes(48).toString('base64')],
    ['openssl rand -hex 32', () => randomBytes(32).toString('hex')],
    ['randomBytes(48).toString("base64url")', () => randomBytes(48).toString('base64url')],
  ])('accepts generated keys (%s), 2 000 of them', (_name, generate) => {
    for (let i = 0; i < 2000; i++)
      expect(() => createLinkSigner({ key: generate() })).not.toThrow();
  });
});

describe('link signing keys: rotation', () => {
  it('signs with the newest (first) key and verifies tokens of every listed key', async () => {
    const before = createLinkSigner({ key: OLD });
    const rotated = createLinkSigner({ key: [NEW, OLD] });
    const old = await before.sign(session);
    const fresh = await rotated.sign(session);
    expect(fresh.keyId).toBe(keyIdOf(NEW));
    expect(old.keyId).toBe(keyIdOf(OLD));
    await expect(rotated.verify(old.token)).resolves.toMatchObject({ keyId: keyIdOf(OLD) });
    await expect(rotated.verify(fresh.token)).resolves.toMatchObject({ keyId: keyIdOf(NEW) });
    // Once the old key is dropped, its tokens stop verifying; the old signer never knew the new key.
    expect(await reason(createLinkSigner({ key: NEW }).verify(old.token))).toBe(
      'invalid_signature',
    );
    expect(await reason(before.verify(fresh.token))).toBe('invalid_signature');
  });

  it('keys with explicit ids: the token names its key id; an id left out is the derived one', async () => {
    const links = createLinkSigner({ keys: [{ id: 7, key: NEW }, { key: OLD }] });
    const signed = await links.sign(session);
    expect(signed.keyId).toBe(7);
    expect(open(signed.token).content[1]).toBe(7);
    const old = await createLinkSigner({ key: OLD }).sign(session);
    await expect(links.verify(old.token)).resolves.toMatchObject({ keyId: keyIdOf(OLD) });
  });

  it('refuses a token naming an unknown key id as invalid_signature, even if the tag is right for another key', async () => {
    const links = createLinkSigner({ keys: [{ id: 7, key: NEW }] });
    const { content } = open((await links.sign(session)).token);
    const other = Buffer.from(content);
    other[1] = 8;
    expect(await reason(links.verify(seal(other, NEW)))).toBe('invalid_signature');
  });

  it('tries every key whose derived id matches (two keys may share one)', async () => {
    // Find a key whose derived id equals OLD's: 1 in 256, so a few hundred tries.
    let twin = '';
    for (let i = 0; keyIdOf(twin) !== keyIdOf(OLD) || twin === ''; i++) {
      twin = `twin-link-key-${i}-4c8e2a6f1d9b3e7a5c0f8d2b6e4a`;
    }
    const links = createLinkSigner({ key: [twin, OLD] });
    const old = await createLinkSigner({ key: OLD }).sign(session);
    await expect(links.verify(old.token)).resolves.toMatchObject(session);
    const iat = Math.floor(Date.now() / 1000);
    const token = seal(
      contentBytes({
        keyId: keyIdOf(OLD),
        issuedAt: iat,
        expiresAt: iat + 60,
        fields: [textField('onfido'), textField('applicant-1'), textField('identity-1')],
      }),
      twin,
    );
    await expect(links.verify(token)).resolves.toMatchObject({ keyId: keyIdOf(OLD) });
  });

  it.each([
    ['both key and keys', { key: NEW, keys: [{ key: OLD }] }],
    ['an empty list', { key: [] }],
    ['no key', {}],
    ['an id out of range', { keys: [{ id: 256, key: NEW }] }],
    ['a fractional id', { keys: [{ id: 1.5, key: NEW }] }],
    [
      'two keys with one id',
      {
        keys: [
          { id: 3, key: NEW },
          { id: 3, key: OLD },
        ],
      },
    ],
    ['a key that is not a string or bytes', { key: 42 }],
  ])('refuses %s with a ConfigError', (_name, options) => {
    configError(() => createLinkSigner(options as never));
  });
});
