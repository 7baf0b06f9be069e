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
  createTokenCache,
  credentialsRefused,
  type HttpClientOptions,
  type TokenCache,
} from 'idv-providers/kit';
import { z } from 'zod';

export { bearerAuth } from 'idv-providers/kit';

/** How long before `expires_in` runs out a token is replaced (the official client's margin). */
export const ONFIDO_TOKEN_REFRESH_MARGIN_MS = 30_000;

/** The token endpoint's answer: `access_token` and `expires_in` are required (docs/provider-facts.md#o-auth-3). */
const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().nullish(),
});

/** The access tokens of one provider instance. */
export type OnfidoTokenSource = TokenCache;

/** Settings of {@link createOnfidoTokenSource}. */
export interface OnfidoTokenSourceOptions {
  /** The client settings, without authentication (the token request carries the credentials). */
  http: Omit<HttpClientOptions, 'authorize' | 'onUnauthorized'>;
  clientId: string;
  clientSecret: string;
  clock: Clock;
}

/** Creates the token source of one provider instance. */
export function createOnfidoTokenSource(options: OnfidoTokenSourceOptions): OnfidoTokenSource {
  const http = createHttpClient(options.http);
  return createTokenCache({
    clock: options.clock,
    // 30 seconds, or half of a shorter lifetime.
    refreshMarginMs: (expiresIn) =>
      Math.min(ONFIDO_TOKEN_REFRESH_MARGIN_MS, (expiresIn * 1000) / 2),
    async fetch() {
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
        return { token: answer.data.access_token, expiresIn: answer.data.expires_in };
      } catch (error) {
        throw credentialsRefused(error, 'onfido', 'Onfido');
      }
    },
  });
}
