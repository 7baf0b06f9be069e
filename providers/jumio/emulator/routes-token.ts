/**
 * The emulated OAuth2 token endpoint (docs/provider-facts.md#j-auth-1 to
 * #j-auth-3): `POST /oauth2/token` with HTTP Basic client credentials and the
 * form body `grant_type=client_credentials`, answering a bearer token that
 * lives `tokenLifetimeSeconds` on the emulator's clock; and the bearer check
 * every account and retrieval request passes.
 *
 * Jumio documents only that a bad token call answers 400 or 403
 * (docs/provider-facts.md#j-auth-6), not the body of a refused one
 * (docs/provider-facts.md#j-open-7). Where it is silent the emulator answers as
 * OAuth2 prescribes (RFC 6749 §5.2): a JSON `{error, error_description}` with
 * - 401 `invalid_client` and `WWW-Authenticate: Basic` for missing or wrong
 *   client credentials;
 * - 400 `invalid_request` for a body that is not
 *   `application/x-www-form-urlencoded`, lacks `grant_type`, repeats a
 *   parameter, or also carries client credentials;
 * - 400 `unsupported_grant_type` for any grant but `client_credentials`;
 *
 * and, as RFC 6749 §5.1 asks of every token answer, `Cache-Control: no-store`.
 *
 * @module
 */
import { HttpResponse } from 'msw';
import { type EmulatorContext, randomToken } from './context';
import { basicCredentials, type Route, type RouteContext, route } from './router';
import type { IssuedToken, RegionKey } from './state';
import { problem } from './views';

/** RFC 6749 §5.1: token answers must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** An OAuth2 error answer (RFC 6749 §5.2). */
function oauthError(
  status: 400 | 401,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return HttpResponse.json(
    { error, error_description: description },
    { status, headers: { ...NO_STORE, ...headers } },
  );
}

/** Why a token request's body is malformed, if it is. */
function malformed(request: Request, form: URLSearchParams): string | undefined {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return 'The request body must be application/x-www-form-urlencoded';
  }
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) return `The parameter ${name} is repeated`;
  }
  if (form.has('client_id') || form.has('client_secret')) {
    return 'Client credentials go in the Authorization header (HTTP Basic), not in the body';
  }
  if (!form.has('grant_type') || form.get('grant_type') === '') {
    return 'The parameter grant_type is required';
  }
  return undefined;
}

/** `POST /oauth2/token`. */
async function issueToken({ emulator, region, request }: RouteContext): Promise<Response> {
  const credentials = basicCredentials(request);
  if (
    credentials === undefined ||
    credentials.user !== emulator.clientId ||
    credentials.password !== emulator.clientSecret
  ) {
    return oauthError(401, 'invalid_client', 'Bad client credentials', {
      'WWW-Authenticate': 'Basic realm="jumio"',
    });
  }
  const form = new URLSearchParams(await request.text());
  const problemWithBody = malformed(request, form);
  if (problemWithBody !== undefined) return oauthError(400, 'invalid_request', problemWithBody);
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    return oauthError(
      400,
      'unsupported_grant_type',
      `The grant type ${JSON.stringify(grant)} is not supported: use client_credentials`,
    );
  }
  const token = randomToken(32);
  emulator.state.tokens.set(token, {
    token,
    clientId: credentials.user,
    region,
    expiresAt: emulator.now() + emulator.tokenLifetimeSeconds * 1000,
    revoked: false,
  });
  return HttpResponse.json(
    { access_token: token, expires_in: emulator.tokenLifetimeSeconds, token_type: 'Bearer' },
    { headers: NO_STORE },
  );
}

/**
 * The live token a request carries for this region, or the 401 answer: an
 * unknown, revoked, expired or other region's token.
 */
export function bearerOf(
  context: EmulatorContext,
  region: RegionKey,
  request: Request,
): IssuedToken | Response {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  const issued = match?.[1] === undefined ? undefined : context.state.tokens.get(match[1]);
  if (
    issued === undefined ||
    issued.revoked ||
    issued.region !== region ||
    context.now() >= issued.expiresAt
  ) {
    // The retrieval API's documented 401 (docs/provider-facts.md#j-err-1).
    return problem(401, 'The provided credentials are invalid');
  }
  return issued;
}

/** The auth host's routes. */
export const authRoutes: readonly Route[] = [route('POST', '/oauth2/token', issueToken)];
