/**
 * An OAuth2 access-token cache for an adapter whose provider issues
 * short-lived tokens (client credentials): one token, reused until a margin
 * before it expires; fetched by at most one request at a time however many
 * calls need it (single flight); dropped when the provider refuses it, and
 * fetched again once. The adapter supplies how a token is asked for; the
 * cache owns when.
 *
 * @module
 */
import { type Clock, isIdvError, ProviderApiError } from 'idv-providers';
import type { HttpClientOptions } from './http/client';

/** A token as the provider issued it. */
export interface IssuedToken {
  /** The access token (a secret). */
  token: string;
  /** Its lifetime, seconds, as the provider's `expires_in` says. */
  expiresIn: number;
}

/** Settings of {@link createTokenCache}. */
export interface TokenCacheOptions {
  /** Asks the provider for a new token. */
  fetch: () => Promise<IssuedToken>;
  /** How long before a token's lifetime runs out it is replaced, milliseconds, given the lifetime in seconds. */
  refreshMarginMs: (expiresInSeconds: number) => number;
  /** Time, for when a token is due for replacement. */
  clock: Pick<Clock, 'now'>;
  /** How many recently issued tokens {@link TokenCache.secrets} keeps. Default 8. */
  keepRecent?: number | undefined;
}

/** The access tokens of one provider instance. */
export interface TokenCache {
  /** A valid token: the cached one, or a fresh one (one request however many callers wait). */
  get(): Promise<string>;
  /** Fetches a new token now, replacing the cached one (a connection check). */
  refresh(): Promise<IssuedToken>;
  /** Forgets `token` if it is the cached one (it was refused); `undefined` forgets any. */
  invalidate(token: string | undefined): void;
  /** Tokens issued recently, to keep out of error messages. */
  secrets(): string[];
}

interface Cached extends IssuedToken {
  /** Epoch ms after which the token is replaced. */
  refreshAt: number;
}

/** Creates the token cache of one provider instance. */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const { clock } = options;
  const keep = options.keepRecent ?? 8;
  const recent: string[] = [];
  let cached: Cached | undefined;
  let inflight: Promise<Cached> | undefined;

  async function fetchToken(): Promise<Cached> {
    // The lifetime counts from the request, not the answer: the token may be older than it looks.
    const startedAt = clock.now();
    const issued = await options.fetch();
    recent.push(issued.token);
    if (recent.length > keep) recent.shift();
    const lifetimeMs = issued.expiresIn * 1000;
    return {
      ...issued,
      refreshAt: startedAt + lifetimeMs - options.refreshMarginMs(issued.expiresIn),
    };
  }

  function load(): Promise<Cached> {
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
      if (cached !== undefined && (token === undefined || cached.token === token)) {
        cached = undefined;
      }
    },
    secrets: () => [...recent],
  };
}

/**
 * The `authorize` and `onUnauthorized` hooks of an API client that sends the
 * cache's token as `Authorization: Bearer ...`, and on a 401 drops the token
 * that request carried (not one a concurrent call already refreshed), gets a
 * fresh one and has the request repeated once.
 */
export function bearerAuth(
  tokens: Pick<TokenCache, 'get' | 'invalidate'>,
): Pick<HttpClientOptions, 'authorize' | 'onUnauthorized'> {
  return {
    authorize: async () => ({ Authorization: `Bearer ${await tokens.get()}` }),
    onUnauthorized: async (sent) => {
      tokens.invalidate(sent['Authorization']?.replace(/^Bearer /, ''));
      try {
        await tokens.get();
      } catch (error) {
        if (isIdvError(error)) throw error;
        return false;
      }
      return true;
    },
  };
}

/**
 * `error` restated when the token endpoint refused the client credentials
 * (HTTP 400 or 401), naming the options to check; any other error as it is.
 */
export function credentialsRefused(error: unknown, provider: string, vendor: string): unknown {
  if (!(error instanceof ProviderApiError) || (error.status !== 400 && error.status !== 401)) {
    return error;
  }
  return new ProviderApiError(
    `[idv] [${provider}] ${vendor} refused the OAuth2 client credentials (HTTP ${error.status} from the token endpoint): check "clientId", "clientSecret" and "region"`,
    {
      provider,
      status: error.status,
      providerErrorType: error.providerErrorType,
      request: error.request,
      attempts: error.attempts,
      cause: error,
    },
  );
}
