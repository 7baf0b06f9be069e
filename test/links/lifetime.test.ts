/**
 * Time and revocation: a token presented before its issue time (beyond the
 * documented clock skew) is refused; every token has its own id, which the
 * host can revoke, so a re-sent link supersedes the one before it.
 */
import {
  createLinkSigner,
  LINK_CLOCK_SKEW_SECONDS,
  type LinkClaims,
  LinkTokenError,
} from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { contentBytes, keyIdOf, seal, textField } from './token-bytes';

const KEY = 'lifetime-link-key-7b3e9d1f5a2c8e4b-60d2f9a1';
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const session = { provider: 'onfido', subjectId: 'applicant-1', identityReference: 'identity-1' };
const fields = [textField('onfido'), textField('applicant-1'), textField('identity-1')];

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LinkTokenError);
    return (error as LinkTokenError).reason;
  }
  throw new Error('expected the token to be refused');
}

describe('a token used before its issue time', () => {
  it('is refused as not_yet_valid beyond 30 seconds of clock skew, accepted within', async () => {
    expect(LINK_CLOCK_SKEW_SECONDS).toBe(30);
    const clock = createTestClock({ start: START });
    const signer = createLinkSigner({ key: KEY, clock });
    const { token } = await signer.sign(session);
    // A verifier whose clock is behind the signer's.
    const at = (offsetMs: number) =>
      createLinkSigner({ key: KEY, clock: { now: () => START + offsetMs } });
    await expect(at(-30_000).verify(token)).resolves.toMatchObject(session);
    expect(await reason(at(-31_000).verify(token))).toBe('not_yet_valid');
    expect(await reason(at(-3600_000).verify(token))).toBe('not_yet_valid');
  });

  it('is refused when forged with a future issue time and a long expiry (a link that starts working later)', async () => {
    const links = createLinkSigner({ key: KEY, clock: { now: () => START } });
    const iat = START / 1000 + 86_400;
    const token = seal(
      contentBytes({ keyId: keyIdOf(KEY), issuedAt: iat, expiresAt: iat + 5400, fields }),
      KEY,
    );
    const error = await links.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkTokenError);
    expect((error as LinkTokenError).reason).toBe('not_yet_valid');
    expect((error as LinkTokenError).message).toBe(
      '[idv] verification link refused: the link was issued in the future',
    );
  });
});

describe('token ids and revocation', () => {
  it('gives every token its own id, returned by sign and by verify', async () => {
    const links = createLinkSigner({ key: KEY, clock: { now: () => START } });
    const signed = await Promise.all(Array.from({ length: 200 }, () => links.sign(session)));
    const ids = new Set(signed.map((s) => s.tokenId));
    expect(ids.size).toBe(200);
    expect(new Set(signed.map((s) => s.token)).size).toBe(200);
    for (const s of signed.slice(0, 5)) {
      expect((await links.verify(s.token)).tokenId).toBe(s.tokenId);
    }
  });

  it('refuses a revoked token as revoked, and asks only about authentic, current tokens', async () => {
    const revoked = new Set<string>();
    const asked: Array<[string, LinkClaims]> = [];
    const links = createLinkSigner({
      key: KEY,
      isRevoked: async (tokenId, claims) => {
        asked.push([tokenId, claims]);
        return revoked.has(tokenId);
      },
    });
    const { token, tokenId } = await links.sign(session);
    await expect(links.verify(token)).resolves.toMatchObject({ tokenId });
    revoked.add(tokenId);
    expect(await reason(links.verify(token))).toBe('revoked');
    expect(asked.map(([id]) => id)).toEqual([tokenId, tokenId]);
    expect(asked[0]?.[1]).toMatchObject({ ...session, tokenId });

    const foreign = await createLinkSigner({ key: `${KEY}-other` }).sign(session);
    expect(await reason(links.verify(foreign.token))).toBe('invalid_signature');
    expect(await reason(links.verify(token, { subjectId: 'applicant-2' }))).toBe('wrong_session');
    expect(asked).toHaveLength(2);
  });

  it('a re-sent link supersedes the old one: the host keeps the newest token id per identity', async () => {
    const newest = new Map<string, string>();
    const links = createLinkSigner({
      key: KEY,
      isRevoked: (tokenId, claims) => newest.get(claims.identityReference) !== tokenId,
    });
    const send = async () => {
      const signed = await links.sign(session);
      newest.set(signed.identityReference, signed.tokenId);
      return signed.token;
    };
    const first = await send();
    await expect(links.verify(first)).resolves.toMatchObject(session);
    const second = await send();
    expect(await reason(links.verify(first))).toBe('revoked');
    await expect(links.verify(second)).resolves.toMatchObject(session);
  });

  it('fails closed: anything but false from isRevoked refuses, and its error rejects verify', async () => {
    const answer = { value: undefined as unknown };
    const links = createLinkSigner({ key: KEY, isRevoked: () => answer.value as boolean });
    const { token } = await links.sign(session);
    for (const value of [undefined, null, 0, 'no', true]) {
      answer.value = value;
      expect(await reason(links.verify(token))).toBe('revoked');
    }
    const outage = new Error('revocation store unavailable');
    const failing = createLinkSigner({
      key: KEY,
      isRevoked: () => {
        throw outage;
      },
    });
    await expect(failing.verify((await failing.sign(session)).token)).rejects.toBe(outage);
  });
});
