/**
 * Onfido's OAuth2 token endpoint, `POST <base>/oauth/token`, as the official
 * client uses it (docs/provider-facts.md#o-auth-3): a form with `client_id`
 * and `client_secret` (a `grant_type`, if sent, must be
 * `client_credentials`), answered with `access_token` and `expires_in`.
 *
 * The spec names the endpoint and its single scope `all_scopes`, but not the
 * token's lifetime nor the body of a refusal (docs/provider-facts.md#o-open-11):
 * the emulator answers 3600 seconds unless told otherwise, and refuses wrong
 * credentials with HTTP 401 and an RFC 6749 error body (`invalid_client`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { HttpResponse } from 'msw';
import type { OnfidoEngine } from './engine';

/** The client credentials the emulator accepts, and the lifetime of its tokens. */
export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  /** `expires_in` of the tokens issued, seconds. */
  lifetimeSeconds: number;
}

function refusal(status: number, error: string, description: string): Response {
  return HttpResponse.json({ error, error_description: description }, { status });
}

/** Answers a token request. */
export async function tokenEndpoint(
  request: Request,
  engine: OnfidoEngine,
  settings: OAuthSettings,
): Promise<Response> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return refusal(400, 'invalid_request', 'send the credentials as a form');
  }
  const form = new URLSearchParams(await request.text());
  const grant = form.get('grant_type');
  if (grant !== null && grant !== 'client_credentials') {
    return refusal(400, 'unsupported_grant_type', 'only client_credentials is supported');
  }
  if (
    form.get('client_id') !== settings.clientId ||
    form.get('client_secret') !== settings.clientSecret
  ) {
    return refusal(401, 'invalid_client', 'client authentication failed');
  }
  const token = randomBytes(32).toString('base64url');
  engine.state.accessTokens.set(token, engine.now() + settings.lifetimeSeconds * 1000);
  return HttpResponse.json(
    {
      access_token: token,
      token_type: 'Bearer',
      expires_in: settings.lifetimeSeconds,
      scope: 'all_scopes',
    },
    { headers: { 'cache-control': 'no-store' } },
  );
}

/** True for a token the endpoint issued that has not expired. */
export function accessTokenValid(engine: OnfidoEngine, token: string): boolean {
  const expires = engine.state.accessTokens.get(token);
  return expires !== undefined && engine.now() < expires;
}
