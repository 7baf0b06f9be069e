/**
 * Signed verification links. The host puts a short-lived token in the link it
 * sends the customer; the verification page hands it back on *submit*, and the
 * host accepts the submit only for a valid, unexpired, unrevoked token naming
 * that very session. The token is a compact binary record (see `encoding.ts`:
 * version, key id, issue and expiry time, a random token id and the session)
 * with a 128-bit HMAC-SHA256 tag, in base64url: about 95 characters for an
 * Onfido applicant, so a link fits one SMS. The link's lifetime (90 minutes by
 * default) is enforced by every process that knows the key, not by one
 * process's memory.
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock, systemClock } from '../config/common';
import { ConfigError, InvalidInputError, LinkTokenError } from '../errors';
import {
  decodeContent,
  encodeContent,
  FORMAT_VERSION,
  fromBase64url,
  MAX_FIELD_LENGTH,
  MAX_SECONDS,
  MIN_CONTENT_BYTES,
  TAG_BYTES,
  TOKEN_ID_BYTES,
  toBase64url,
} from './encoding';
import { type KeyRing, keyRing, type LinkKey, type LinkKeyMaterial, type RingKey } from './keys';

/** The default lifetime of a verification link: 90 minutes, as in the CAS flow. */
export const DEFAULT_LINK_TTL_SECONDS = 90 * 60;

/**
 * How far in the future a token's issue time may lie, in seconds, for the
 * clocks of the process that signed it and the one that verifies it to
 * disagree. A token issued later than that is refused as `not_yet_valid`.
 */
export const LINK_CLOCK_SKEW_SECONDS = 30;

/** The longest token string `verify` reads; a longer one is `malformed`. */
const MAX_TOKEN_LENGTH = 4096;
/** Domain separation: a tag over the same bytes for any other purpose differs. */
const TAG_LABEL = Buffer.from('idv-providers link token');
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Why {@link LinkSigner.verify} refused a token: the `reason` of its {@link LinkTokenError}. */
export type LinkTokenReason =
  | 'malformed'
  | 'unsupported_algorithm'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_session'
  | 'revoked';

/** The session a link token is bound to. */
export interface LinkSession {
  /** The provider's name. */
  provider: string;
  /** The applicant (Onfido) or account (Jumio) id. */
  subjectId: string;
  /** The host's reference for the identity. */
  identityReference: string;
}

/** What a verified token says. */
export interface LinkClaims extends LinkSession {
  /** When it was issued (whole seconds). */
  issuedAt: Date;
  /** When it stops being accepted (whole seconds). */
  expiresAt: Date;
  /**
   * The token's own id: 16 lower-case hex digits (64 random bits), unique per
   * `sign` call. What a host records to revoke or supersede the link.
   */
  tokenId: string;
  /** The id of the key that signed it, 0–255. */
  keyId: number;
}

/** What {@link LinkSigner.sign} returns: the token and what it says. */
export interface SignedLink extends LinkClaims {
  /** The token, base64url: put it in the link with {@link withLinkToken}. */
  token: string;
}

/**
 * Tells {@link LinkSigner.verify} whether a token was revoked. Called only for
 * a token that is authentic, current and for the expected session; anything
 * but `false` refuses it as `revoked`, and an error it throws rejects `verify`
 * with that error (the link is not accepted either way).
 */
export type LinkRevocationCheck = (
  tokenId: string,
  claims: LinkClaims,
) => boolean | Promise<boolean>;

/** Settings of {@link createLinkSigner} other than the keys. */
export interface LinkSignerSettings {
  /** Lifetime of a token, seconds. Default 5 400 (90 minutes). */
  ttlSeconds?: number | undefined;
  /** Injectable time. */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Revocation: see {@link LinkRevocationCheck}. Default: nothing is revoked. */
  isRevoked?: LinkRevocationCheck | undefined;
}

/**
 * Settings of {@link createLinkSigner}: the keys, as `key` or `keys`, and the
 * {@link LinkSignerSettings}. The first key signs; every key verifies, so a
 * new key goes first and an old one stays listed until its links expired.
 */
export type LinkSignerOptions = LinkSignerSettings &
  (
    | {
        /** The signing key, or a list of them, newest first. Secret. */
        key: LinkKeyMaterial | readonly LinkKeyMaterial[];
        keys?: undefined;
      }
    | {
        key?: undefined;
        /** The signing keys with their ids, newest first. Secret. */
        keys: readonly LinkKey[];
      }
  );

/** The fields of a {@link LinkSession} a verified token must match; unset (or `undefined`) fields are not compared. */
export type ExpectedLinkSession = { [K in keyof LinkSession]?: LinkSession[K] | undefined };

/** Signs and verifies verification-link tokens. */
export interface LinkSigner {
  /** Signs a token for a session, with the newest key. */
  sign(session: LinkSession): Promise<SignedLink>;
  /**
   * Verifies a token and, when `expected` is given, that it names that session.
   * Throws a {@link LinkTokenError} whose `reason` is a {@link LinkTokenReason}.
   */
  verify(token: string, expected?: ExpectedLinkSession): Promise<LinkClaims>;
}

function requireText(value: unknown, field: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.length > MAX_FIELD_LENGTH ||
    LONE_SURROGATE.test(value)
  ) {
    throw new InvalidInputError(
      `[idv] link session ${field} must be a non-empty string of at most ${MAX_FIELD_LENGTH} characters (well-formed Unicode)`,
      { field },
    );
  }
  return value;
}

function refused(reason: LinkTokenReason, message: string): LinkTokenError {
  return new LinkTokenError(`[idv] verification link refused: ${message}`, { reason });
}

function tagOf(key: RingKey, content: Uint8Array): Buffer {
  return createHmac('sha256', key.secret)
    .update(TAG_LABEL)
    .update(content)
    .digest()
    .subarray(0, TAG_BYTES);
}

/**
 * A JWT (what earlier versions signed, or anyone else's) is refused as it
 * was: `unsupported_algorithm` when its header names an algorithm other than
 * HS256, `malformed` otherwise, since this version reads no JWT at all.
 */
function jwtRefusal(token: string): LinkTokenError | undefined {
  const parts = token.split('.');
  const header = parts.length === 3 ? fromBase64url(parts[0] ?? '') : undefined;
  if (header === undefined) return undefined;
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header).toString('utf8')) as { alg?: unknown })?.alg;
  } catch {
    return undefined;
  }
  if (typeof alg !== 'string' || alg === 'HS256') {
    return refused('malformed', 'a JWT is not a verification link token');
  }
  return refused('unsupported_algorithm', 'only idv-providers link tokens are accepted');
}

/** The content of an authentic token, or the refusal. */
function authenticate(token: unknown, ring: KeyRing): Uint8Array {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw refused('malformed', 'no token, or one of impossible length');
  }
  const bytes = fromBase64url(token);
  if (bytes === undefined) {
    throw jwtRefusal(token) ?? refused('malformed', 'the token is not canonical base64url');
  }
  if (bytes.byteLength < MIN_CONTENT_BYTES + TAG_BYTES) {
    throw refused('malformed', 'the token is too short');
  }
  if (bytes[0] !== FORMAT_VERSION) {
    throw refused('unsupported_algorithm', 'the token is of an unknown format version');
  }
  const content = bytes.subarray(0, bytes.byteLength - TAG_BYTES);
  const tag = bytes.subarray(bytes.byteLength - TAG_BYTES);
  // Every key with the token's key id is tried (derived ids may coincide); the tags compare in constant time.
  let authentic = false;
  for (const key of ring.keys) {
    if (key.id === bytes[1] && timingSafeEqual(tagOf(key, content), tag)) authentic = true;
  }
  if (!authentic) throw refused('invalid_signature', 'the signature does not match');
  return content;
}

/**
 * Creates a signer for verification-link tokens.
 *
 * @example
 * ```ts
 * const links = createLinkSigner({ key: process.env.IDV_LINK_KEY! });
 * const { token, tokenId } = await links.sign({ provider: 'onfido', subjectId: applicantId, identityReference: 'identity-42' });
 * // later, on submit:
 * const claims = await links.verify(token, { subjectId: applicantId });
 * ```
 */
export function createLinkSigner(options: LinkSignerOptions): LinkSigner {
  const ring = keyRing(options);
  const ttl = options.ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_SECONDS) {
    throw new ConfigError('[idv] link ttlSeconds must be a positive whole number', {
      option: 'ttlSeconds',
    });
  }
  const clock = options.clock ?? systemClock;
  const isRevoked = options.isRevoked;
  if (isRevoked !== undefined && typeof isRevoked !== 'function') {
    throw new ConfigError('[idv] link isRevoked must be a function (tokenId, claims) => boolean', {
      option: 'isRevoked',
    });
  }

  return {
    async sign(session) {
      const provider = requireText(session?.provider, 'provider');
      const subjectId = requireText(session.subjectId, 'subjectId');
      const identityReference = requireText(session.identityReference, 'identityReference');
      const issuedAt = Math.floor(clock.now() / 1000);
      const expiresAt = issuedAt + ttl;
      if (!Number.isInteger(issuedAt) || issuedAt < 0 || expiresAt > MAX_SECONDS) {
        throw new ConfigError('[idv] link clock is outside what a token can hold (1970–2106)', {
          option: 'clock',
        });
      }
      const tokenId = randomBytes(TOKEN_ID_BYTES);
      const keyId = ring.signing.id;
      const content = encodeContent({
        version: FORMAT_VERSION,
        keyId,
        issuedAt,
        expiresAt,
        tokenId,
        provider,
        subjectId,
        identityReference,
      });
      return {
        token: toBase64url(Buffer.concat([content, tagOf(ring.signing, content)])),
        provider,
        subjectId,
        identityReference,
        issuedAt: new Date(issuedAt * 1000),
        expiresAt: new Date(expiresAt * 1000),
        tokenId: tokenId.toString('hex'),
        keyId,
      };
    },

    async verify(token, expected = {}) {
      const content = decodeContent(authenticate(token, ring));
      if (content === undefined || content.expiresAt <= content.issuedAt) {
        throw refused('malformed', 'the token does not name a session');
      }
      const now = clock.now();
      if (!Number.isFinite(now)) {
        throw new ConfigError('[idv] link clock gave no time', { option: 'clock' });
      }
      if (now >= content.expiresAt * 1000) throw refused('expired', 'the link has expired');
      if (content.issuedAt * 1000 > now + LINK_CLOCK_SKEW_SECONDS * 1000) {
        throw refused('not_yet_valid', 'the link was issued in the future');
      }
      const claims: LinkClaims = {
        provider: content.provider,
        subjectId: content.subjectId,
        identityReference: content.identityReference,
        issuedAt: new Date(content.issuedAt * 1000),
        expiresAt: new Date(content.expiresAt * 1000),
        tokenId: Buffer.from(content.tokenId).toString('hex'),
        keyId: content.keyId,
      };
      for (const field of ['provider', 'subjectId', 'identityReference'] as const) {
        const want = expected?.[field];
        if (want !== undefined && want !== claims[field]) {
          throw refused('wrong_session', `the link was issued for another ${field}`);
        }
      }
      if (isRevoked !== undefined && (await isRevoked(claims.tokenId, { ...claims })) !== false) {
        throw refused('revoked', 'the link was revoked or replaced by a newer one');
      }
      return claims;
    },
  };
}

/** Adds a link token to a URL as its `token` query parameter. */
export function withLinkToken(url: string, token: string): string {
  const out = new URL(url);
  out.searchParams.set('token', token);
  return out.toString();
}
