/**
 * Signed verification links. The host puts a short-lived token in the link it
 * sends the customer; the verification page hands it back on *submit*, and the
 * host accepts the submit only for a valid, unexpired token naming that very
 * session. The token is a JWT signed with HS256 under a key only the host holds,
 * so the link's lifetime (90 minutes by default) is enforced by every process
 * that knows the key, not by one process's memory.
 *
 * @module
 */
import { type Clock, systemClock } from '../config/common';
import { ConfigError, InvalidInputError, LinkTokenError } from '../errors';

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
/** jose loads on first use, so importing the library does not pay for it. */
const loadJose = (): Promise<Jose> => {
  jose ??= import('jose');
  return jose;
};

/** The default lifetime of a verification link: 90 minutes, as in the CAS flow. */
export const DEFAULT_LINK_TTL_SECONDS = 90 * 60;

/** The shortest signing key accepted, in bytes (the HS256 key size). */
export const MIN_LINK_KEY_BYTES = 32;

const ISSUER = 'idv-providers';
const AUDIENCE = 'idv-verification-link';
const ALGORITHM = 'HS256';

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
  /** When it was issued. */
  issuedAt: Date;
  /** When it stops being accepted. */
  expiresAt: Date;
}

/** Settings of {@link createLinkSigner}. */
export interface LinkSignerOptions {
  /** The signing key: at least 32 bytes (a string is taken as UTF-8). Secret. */
  key: string | Uint8Array;
  /** Lifetime of a token, seconds. Default 5 400 (90 minutes). */
  ttlSeconds?: number | undefined;
  /** Injectable time. */
  clock?: Pick<Clock, 'now'> | undefined;
}

/** The fields of a {@link LinkSession} a verified token must match; unset (or `undefined`) fields are not compared. */
export type ExpectedLinkSession = { [K in keyof LinkSession]?: LinkSession[K] | undefined };

/** Signs and verifies verification-link tokens. */
export interface LinkSigner {
  /** Signs a token for a session. */
  sign(session: LinkSession): Promise<{ token: string; expiresAt: Date }>;
  /**
   * Verifies a token and, when `expected` is given, that it names that session.
   * Throws a {@link LinkTokenError} whose `reason` is `expired`,
   * `invalid_signature`, `unsupported_algorithm`, `malformed` or `wrong_session`.
   */
  verify(token: string, expected?: ExpectedLinkSession): Promise<LinkClaims>;
}

function keyBytes(key: string | Uint8Array): Uint8Array {
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < MIN_LINK_KEY_BYTES) {
    throw new ConfigError(
      `[idv] link signing key must be at least ${MIN_LINK_KEY_BYTES} bytes (generate one with: openssl rand -base64 48)`,
      { option: 'key' },
    );
  }
  return bytes;
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 256) {
    throw new InvalidInputError(
      `[idv] link session ${field} must be a non-empty string of at most 256 characters`,
      {
        field,
      },
    );
  }
  return value;
}

function refused(reason: string, message: string): LinkTokenError {
  return new LinkTokenError(`[idv] verification link refused: ${message}`, { reason });
}

function classify(error: unknown, { errors: joseErrors }: Jose): LinkTokenError {
  if (error instanceof LinkTokenError) return error;
  if (error instanceof joseErrors.JWTExpired) return refused('expired', 'the link has expired');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return refused('invalid_signature', 'the signature does not match');
  }
  if (
    error instanceof joseErrors.JOSEAlgNotAllowed ||
    error instanceof joseErrors.JOSENotSupported
  ) {
    return refused('unsupported_algorithm', `only ${ALGORITHM} tokens are accepted`);
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return refused('malformed', `the token's "${error.claim}" claim is not valid`);
  }
  return refused('malformed', 'the token is not a well-formed signed token');
}

/**
 * Creates a signer for verification-link tokens.
 *
 * @example
 * ```ts
 * const links = createLinkSigner({ key: process.env.IDV_LINK_KEY! });
 * const { token } = await links.sign({ provider: 'onfido', subjectId: applicantId, identityReference: 'identity-42' });
 * // later, on submit:
 * const claims = await links.verify(token, { subjectId: applicantId });
 * ```
 */
export function createLinkSigner(options: LinkSignerOptions): LinkSigner {
  const key = keyBytes(options.key);
  const ttl = options.ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) {
    throw new ConfigError('[idv] link ttlSeconds must be a positive whole number', {
      option: 'ttlSeconds',
    });
  }
  const clock = options.clock ?? systemClock;

  return {
    async sign(session) {
      const claims = {
        provider: requireText(session.provider, 'provider'),
        sid: requireText(session.subjectId, 'subjectId'),
        ref: requireText(session.identityReference, 'identityReference'),
      };
      const issuedAt = Math.floor(clock.now() / 1000);
      const expiresAt = issuedAt + ttl;
      const { SignJWT } = await loadJose();
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(key);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },

    async verify(token, expected = {}) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
        throw refused('malformed', 'no token, or one of impossible length');
      }
      const lib = await loadJose();
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await lib.jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          requiredClaims: ['exp', 'iat'],
          currentDate: new Date(clock.now()),
          clockTolerance: 0,
        }));
      } catch (error) {
        throw classify(error, lib);
      }
      const { provider, sid, ref, iat, exp } = payload;
      if (typeof provider !== 'string' || typeof sid !== 'string' || typeof ref !== 'string') {
        throw refused('malformed', 'the token does not name a session');
      }
      const claims: LinkClaims = {
        provider,
        subjectId: sid,
        identityReference: ref,
        issuedAt: new Date(Number(iat) * 1000),
        expiresAt: new Date(Number(exp) * 1000),
      };
      for (const field of ['provider', 'subjectId', 'identityReference'] as const) {
        const want = expected[field];
        if (want !== undefined && want !== claims[field]) {
          throw refused('wrong_session', `the link was issued for another ${field}`);
        }
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
