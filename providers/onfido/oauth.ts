/**
 * Onfido's OAuth2 client credentials (docs/provider-facts.md#o-auth-3), the
 * alternative to the API token: an access token obtained from
 * `<baseUrl>/oauth/token`, sent as `Authorization: Bearer ...`.
 *
 * The token request is the one Onfido's official client sends: a form with
 * only `client_id` and `client_secret` (no `grant_type`, no `scope`). The
 * token is kept until 30 seconds before `expires_in` runs out, as the official
 * client does; concurrent calls that need a new one share one request; an API
 * call answered 401 drops the token it carried and is repeated once with a
 * fresh one.
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
import { z } from 'zod';

/** How long before `expires_in` runs out a token is replaced (the official client's margin). */
export const ONFIDO_TOKEN_REFRESH_MARGIN_MS = 30_000;

/** The token endpoint's answer: `access_token` and `expires_in` are required (docs/provider-facts.md#o-auth-3). */
const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().nullish(),
});

/** The access tokens of one provider instance. */
export interface OnfidoTokenSource {
  /** A valid token: the cached one, or a fresh one (one request however many callers wait). */
  get(): Promise<string>;
  /** Forgets `token` if it is the cached one (it was refused). */
  invalidate(token: string | undefined): void;
  /** Tokens issued recently, to keep out of messages. */
  secrets(): string[];
}

/** Settings of {@link createOnfidoTokenSource}. */
export interface OnfidoTokenSourceOptions {
  /** The client settings, without authentication (the token request carries the credentials). */
  http: Omit<HttpClientOptions, 'authorize' | 'onUnauthorized'>;
  clientId: string;
  clientSecret: string;
  clock: Clock;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which the token is replaced. */
  refreshAt: number;
}

/** Creates the token source of one provider instance. */
export function createOnfidoTokenSource(options: OnfidoTokenSourceOptions): OnfidoTokenSource {
  const { clock } = options;
  const http: HttpClient = createHttpClient(options.http);
  const recent: string[] = [];
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;

  async function fetchToken(): Promise<CachedToken> {
    const startedAt = clock.now();
    try {
      const answer = await http.request({
        method: 'POST',
        url: '/oauth/token',
        body: new URLSearchParams({
          client_id: options.clientId,
          client_secret: options.clientSecret,
        }),
        schema: tokenAnswerSchema,
        // Asking for a token changes nothing at Onfido: safe to repeat.
        idempotent: true,
      });
      const { access_token: token, expires_in: expiresIn } = answer.data;
      recent.push(token);
      if (recent.length > 8) recent.shift();
      const margin = Math.min(ONFIDO_TOKEN_REFRESH_MARGIN_MS, (expiresIn * 1000) / 2);
      return { token, refreshAt: startedAt + expiresIn * 1000 - margin };
    } catch (error) {
      if (error instanceof ProviderApiError && (error.status === 400 || error.status === 401)) {
        throw new ProviderApiError(
          `[idv] [onfido] Onfido refused the OAuth2 client credentials (HTTP ${error.status} from the token endpoint): check "clientId", "clientSecret" and "region"`,
          {
            provider: 'onfido',
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
 * source's token, and on a 401 drops the token that request carried (not one
 * a concurrent call already refreshed) and repeats the request once.
 */
export function bearerAuth(
  tokens: OnfidoTokenSource,
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
