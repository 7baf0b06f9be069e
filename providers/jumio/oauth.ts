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
  type Clock,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  isIdvError,
  ProviderApiError,
} from 'idv-providers/kit';
import { tokenResponseSchema } from './schemas';

/** Longest margin before `expires_in` at which a token is replaced. */
export const MAX_REFRESH_MARGIN_MS = 60_000;

/** A token and when to stop using it. */
interface CachedToken {
  token: string;
  /** Epoch ms after which the token is replaced. */
  refreshAt: number;
  /** Lifetime Jumio gave, seconds. */
  expiresIn: number;
}

/** The source of access tokens for one provider instance. */
export interface TokenSource {
  /** A valid token: the cached one, or a fresh one (one request however many callers wait). */
  get(): Promise<string>;
  /** Fetches a new token now, replacing the cached one (the connection check). */
  refresh(): Promise<{ token: string; expiresIn: number }>;
  /** Forgets `token` if it is the cached one (it was refused). */
  invalidate(token: string | undefined): void;
  /** Tokens issued recently, to keep out of error messages. */
  secrets(): string[];
}

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
  const { http, clock } = options;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const recent: string[] = [];
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;

  async function fetchToken(): Promise<CachedToken> {
    const startedAt = clock.now();
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
      const { access_token: token, expires_in: expiresIn } = answer.data;
      recent.push(token);
      if (recent.length > 8) recent.shift();
      const lifetimeMs = expiresIn * 1000;
      return { token, expiresIn, refreshAt: startedAt + lifetimeMs - refreshMarginMs(expiresIn) };
    } catch (error) {
      if (error instanceof ProviderApiError && (error.status === 400 || error.status === 401)) {
        throw new ProviderApiError(
          `[idv] [jumio] Jumio refused the OAuth2 client credentials (HTTP ${error.status} from the token endpoint): check "clientId", "clientSecret" and "region"`,
          {
            provider: 'jumio',
            status: error.status,
            providerErrorType: error.providerErrorType,
            request: error.request,
            attempts: error.attempts,
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  function load(): Promise<CachedToken> {
    if (inflight === undefined) {
      inflight = fetchToken()
        .then((fresh) => {
          cached = fresh;
          return fresh;
        })
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  }

  return {
    async get() {
      if (cached !== undefined && clock.now() < cached.refreshAt) return cached.token;
      return (await load()).token;
    },
    async refresh() {
      cached = undefined;
      const fresh = await load();
      return { token: fresh.token, expiresIn: fresh.expiresIn };
    },
    invalidate(token) {
      if (cached !== undefined && (token === undefined || cached.token === token))
        cached = undefined;
    },
    secrets: () => [...recent],
  };
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
  return createHttpClient({
    ...options,
    authorize: async () => ({ Authorization: `Bearer ${await tokens.get()}` }),
    onUnauthorized: async (sent) => {
      // Drop only the token this request carried: another request may already
      // have fetched a fresh one.
      tokens.invalidate(sent['Authorization']?.replace(/^Bearer /, ''));
      try {
        await tokens.get();
      } catch (error) {
        if (isIdvError(error)) throw error;
        return false;
      }
      return true;
    },
  });
}
