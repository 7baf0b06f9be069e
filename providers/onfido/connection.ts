/**
 * The connection check: one cheap authenticated call.
 *
 * @module
 */
import {
  type CallOptions,
  type ConnectionCheck,
  describeUrl,
  isIdvError,
  ProviderApiError,
} from 'idv-providers/kit';
import type { OnfidoContext } from './context';
import { applicantListSchema } from './schemas';

/**
 * Proves the credentials with `GET /applicants?per_page=1` (with OAuth2,
 * obtaining an access token first). A refused token (HTTP 401) gives a
 * `ProviderApiError` saying so; the credentials never appear in it.
 */
export async function checkConnection(
  ctx: OnfidoContext,
  call: CallOptions = {},
): Promise<ConnectionCheck> {
  const started = ctx.clock.now();
  try {
    await ctx.http.request({
      method: 'GET',
      url: '/applicants',
      params: { page: 1, per_page: 1 },
      schema: applicantListSchema,
      signal: call.signal,
    });
  } catch (error) {
    if (
      isIdvError(error) &&
      error.code === 'provider_api_error' &&
      (error as ProviderApiError).status === 401
    ) {
      const refused = error as ProviderApiError;
      const what =
        ctx.auth === 'oauth2' ? 'the OAuth2 credentials were refused' : 'the API token was refused';
      const check = ctx.auth === 'oauth2' ? 'clientId, clientSecret' : 'apiToken';
      // The token endpoint's refusal already says which credentials to check.
      if (refused.request?.url.endsWith('/oauth/token') === true) throw error;
      throw new ProviderApiError(
        `[idv] [onfido] ${what} by ${describeUrl(ctx.baseUrl)} (HTTP 401): check ${check} and region`,
        {
          provider: 'onfido',
          status: 401,
          providerErrorType: refused.providerErrorType,
          request: refused.request,
          attempts: refused.attempts,
          cause: error,
        },
      );
    }
    throw error;
  }
  return {
    provider: 'onfido',
    ok: true,
    baseUrl: describeUrl(ctx.baseUrl),
    latencyMs: Math.max(0, ctx.clock.now() - started),
    detail:
      ctx.auth === 'oauth2'
        ? 'GET /applicants answered: the OAuth2 access token was accepted'
        : 'GET /applicants answered: the API token was accepted',
  };
}
