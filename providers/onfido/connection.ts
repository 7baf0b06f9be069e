/**
 * The connection check: one cheap authenticated call.
 *
 * @module
 */
import {
  type CallOptions,
  type ConnectionCheck,
  isIdvError,
  ProviderApiError,
} from 'idv-providers/kit';
import type { OnfidoContext } from './context';
import { applicantListSchema } from './schemas';

/**
 * Proves the API token with `GET /applicants?per_page=1`. A refused token
 * (HTTP 401) gives a `ProviderApiError` saying so; the token itself never
 * appears in it.
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
      throw new ProviderApiError(
        `[idv] [onfido] the API token was refused by ${ctx.baseUrl} (HTTP 401): check apiToken and region`,
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
    baseUrl: ctx.baseUrl,
    latencyMs: Math.max(0, ctx.clock.now() - started),
    detail: 'GET /applicants answered: the API token was accepted',
  };
}
