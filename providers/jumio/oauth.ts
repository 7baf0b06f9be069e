/**
 * OAuth2 client credentials for the KYX platform (a Basic-authenticated
 * `grant_type=client_credentials` POST, docs/provider-facts.md#j-auth-1 to
 * #j-auth-3): one token, reused until shortly before it expires (Jumio advises
 * renewing before expiry, docs/provider-facts.md#j-auth-4; the lifetime is
 * the answer's `expires_in`, docs/provider-facts.md#j-open-8), fetched by at
 * most one request at a time however many calls need it (single flight), and
 * refreshed once when an API call is answered 401 (the token expired or was
 * revoked early).
 *
 * @module
 */
import {
  bearerAuth,
  type Clock,
  createHttpClient,
  createTokenCache,
  credentialsRefused,
  type HttpClient,
  type HttpClientOptions,
  type TokenCache,
} from 'idv-providers/kit';
import { tokenResponseSchema } from './schemas';

/** Longest margin before `expires_in` at which a token is replaced. */
export const MAX_REFRESH_MARGIN_MS = 60_000;

/** The source of access tokens for one provider instance. */
export type TokenSource = TokenCache;

/** Settings of {@link createTokenSource}. */
export interface TokenSourceOptions {
  /** A client for the auth host. */
  http: HttpClient;
  clientId: string;
  clientSecret: string;
  clock: Clock;
}

/** How long before expiry a token is replaced: a tenth of its lifetime, at most a minute. */
export function refreshMarginMs(expiresInSeconds: number): number {
  return Math.min(MAX_REFRESH_MARGIN_MS, (expiresInSeconds * 1000) / 10);
}

/** Creates the token source of one provider instance. */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { http } = options;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  return createTokenCache({
    clock: options.clock,
    refreshMarginMs,
    async fetch() {
      try {
        const answer = await http.request({
          method: 'POST',
          url: '/oauth2/token',
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
          headers: { Authorization: `Basic ${basic}` },
          schema: tokenResponseSchema,
          // Asking for a token changes nothing at Jumio: safe to repeat.
          idempotent: true,
        });
        return { token: answer.data.access_token, expiresIn: answer.data.expires_in };
      } catch (error) {
        throw credentialsRefused(error, 'jumio', 'Jumio');
      }
    },
  });
}

/**
 * Creates a client whose every request carries `Authorization: Bearer <token>`
 * and which, on a 401, drops the token that request used (not one a concurrent
 * call already refreshed), gets a fresh one and repeats the request once.
 */
export function createBearerClient(
  options: Omit<HttpClientOptions, 'authorize' | 'onUnauthorized'>,
  tokens: TokenSource,
): HttpClient {
  return createHttpClient({ ...options, ...bearerAuth(tokens) });
}
