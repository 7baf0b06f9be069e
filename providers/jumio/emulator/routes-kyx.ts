/**
 * The emulated KYX hosts: the OAuth2 token endpoint
 * (docs/provider-facts.md#j-auth-1 to #j-auth-3), the account API that starts
 * transactions (docs/provider-facts.md#j-acc-1, #j-acc-2; the request rules of
 * #j-acc-3 and #j-acc-4; the answer of #j-acc-7), and the retrieval API:
 * status, details and image parts (docs/provider-facts.md#j-ret-1 to #j-ret-4),
 * with 404 for what does not exist (docs/provider-facts.md#j-err-2).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import { type EmulatorContext, linkRegion, randomToken, timestamp } from './context';
import { basicCredentials, jsonBody, type Route, type RouteContext, route } from './router';
import type { Account, Execution, RegionKey } from './state';
import { executionView, findOr404, problem } from './views';

/** Characters Jumio refuses in `customerInternalReference` (docs/provider-facts.md#j-acc-3). */
const FORBIDDEN = /[<>"/;`%{}|]/;
const LIFETIME = /^(\d+)([mhd])$/;
const MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440 };

/** `POST /oauth2/token`. */
async function issueToken({ emulator, region, request }: RouteContext): Promise<Response> {
  emulator.state.tokenRequests++;
  const credentials = basicCredentials(request);
  if (
    credentials === undefined ||
    credentials.user !== emulator.clientId ||
    credentials.password !== emulator.clientSecret
  ) {
    return HttpResponse.json(
      { error: 'invalid_client', error_description: 'Bad client credentials' },
      { status: 401 },
    );
  }
  const form = new URLSearchParams(await request.text());
  if (form.get('grant_type') !== 'client_credentials') {
    return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
  }
  const token = randomToken(32);
  emulator.state.tokens.set(token, {
    token,
    region,
    expiresAt: emulator.now() + emulator.tokenLifetimeSeconds * 1000,
    revoked: false,
  });
  return HttpResponse.json({
    access_token: token,
    expires_in: emulator.tokenLifetimeSeconds,
    token_type: 'Bearer',
  });
}

/** A 401 answer unless the request carries a live token issued for this region. */
export function checkBearer(
  context: EmulatorContext,
  region: RegionKey,
  request: Request,
): Response | undefined {
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
  return undefined;
}

function validateAccountBody(body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return 'The request body must be a JSON object';
  const reference = body['customerInternalReference'];
  if (typeof reference !== 'string' || reference === '') {
    return 'customerInternalReference is required';
  }
  if (reference.length > 100) return 'customerInternalReference must be at most 100 characters';
  if (FORBIDDEN.test(reference)) return 'customerInternalReference contains invalid characters';
  const user = body['userReference'];
  if (user !== undefined && (typeof user !== 'string' || user.length > 100)) {
    return 'userReference must be a string of at most 100 characters';
  }
  const callback = body['callbackUrl'];
  if (
    callback !== undefined &&
    (typeof callback !== 'string' || callback.length > 255 || !/^https?:\/\//.test(callback))
  ) {
    return 'callbackUrl must be a URL of at most 255 characters';
  }
  const definition = body['workflowDefinition'];
  const key = (definition as { key?: unknown } | undefined)?.key;
  if (typeof key !== 'number' && !(typeof key === 'string' && /^\d+$/.test(key))) {
    return 'workflowDefinition.key is required';
  }
  const lifetime = body['tokenLifetime'];
  if (lifetime !== undefined) {
    const match = typeof lifetime === 'string' ? LIFETIME.exec(lifetime) : null;
    const minutes = match === null ? Number.NaN : Number(match[1]) * (MINUTES[match[2] ?? ''] ?? 0);
    if (!(minutes >= 5 && minutes <= 60 * 1440)) {
      return 'tokenLifetime must be between 5m and 60d';
    }
  }
  return undefined;
}

function lifetimeMinutes(body: Record<string, unknown>): number {
  const match = LIFETIME.exec(String(body['tokenLifetime'] ?? '30m'));
  return match === null ? 30 : Number(match[1]) * (MINUTES[match[2] ?? ''] ?? 1);
}

/** Starts a transaction on `account`, a new one when `undefined`. */
async function startTransaction(
  { emulator, region, request }: RouteContext,
  existing: Account | undefined,
): Promise<Response> {
  const body = await jsonBody(request);
  const invalid = validateAccountBody(body);
  if (invalid !== undefined || body === undefined) return problem(400, invalid ?? 'Bad request');

  const account = existing ?? { id: randomUUID(), region, executions: [] };
  emulator.state.accounts.set(account.id, account);
  const web = (body['web'] ?? {}) as Record<string, unknown>;
  const locale = typeof web['locale'] === 'string' ? web['locale'] : 'en';
  const definitionKey = Number((body['workflowDefinition'] as { key: unknown }).key);
  const execution: Execution = {
    id: randomUUID(),
    accountId: account.id,
    region,
    status: 'INITIATED',
    definitionKey,
    customerInternalReference: String(body['customerInternalReference']),
    userReference: typeof body['userReference'] === 'string' ? body['userReference'] : undefined,
    callbackUrl: typeof body['callbackUrl'] === 'string' ? body['callbackUrl'] : undefined,
    createdAt: timestamp(emulator),
    requestBody: body,
    credentials: [
      { id: randomUUID(), category: 'ID', parts: [] },
      { id: randomUUID(), category: 'SELFIE', parts: [] },
      { id: randomUUID(), category: 'FACEMAP', parts: [] },
    ],
  };
  account.executions.push(execution);
  emulator.state.executions.set(execution.id, execution);

  const authorizationToken = randomToken(48);
  const expiry = new Date(emulator.now() + lifetimeMinutes(body) * 60_000).toISOString();
  return HttpResponse.json({
    timestamp: timestamp(emulator),
    account: { id: account.id },
    web: {
      href: `https://${emulator.tenant}.web.${linkRegion(region)}.jumio.ai/web/v4/app?authorizationToken=${authorizationToken}&locale=${locale}`,
      ...(typeof web['successUrl'] === 'string' ? { successUrl: web['successUrl'] } : {}),
      ...(typeof web['errorUrl'] === 'string' ? { errorUrl: web['errorUrl'] } : {}),
    },
    sdk: { token: `${randomToken(12)}.${randomToken(48)}.${randomToken(32)}` },
    workflowExecution: {
      id: execution.id,
      credentials: execution.credentials.map((c) => ({
        id: c.id,
        category: c.category,
        allowedChannels: ['WEB', 'API', 'SDK'],
      })),
      tokenExpiry: expiry,
    },
  });
}

/** The workflow execution the path names, if it belongs to the account and region named. */
function executionOf({ emulator, region, params }: RouteContext): Execution | undefined {
  const found = emulator.state.executions.get(params[1] as string);
  return found !== undefined && found.accountId === params[0] && found.region === region
    ? found
    : undefined;
}

/** The auth host's routes. */
export const authRoutes: readonly Route[] = [route('POST', '/oauth2/token', issueToken)];

/** The account host's routes: `POST /api/v1/accounts` and `PUT /api/v1/accounts/{id}`. */
export const accountRoutes: readonly Route[] = [
  route('POST', '/api/v1/accounts', (ctx) => startTransaction(ctx, undefined)),
  route('PUT', '/api/v1/accounts/:id', (ctx) => {
    const account = ctx.emulator.state.accounts.get(ctx.params[0] as string);
    return findOr404(account?.region === ctx.region ? account : undefined, 'Account', (found) =>
      startTransaction(ctx, found),
    );
  }),
];

/** The retrieval host's routes: workflow details, status and credential parts. */
export const retrievalRoutes: readonly Route[] = [
  route('GET', '/api/v1/accounts/:account/workflow-executions/:execution', (ctx) =>
    findOr404(executionOf(ctx), 'Workflow execution', (found) =>
      HttpResponse.json(executionView(found)),
    ),
  ),
  route('GET', '/api/v1/accounts/:account/workflow-executions/:execution/status', (ctx) =>
    findOr404(executionOf(ctx), 'Workflow execution', (found) => {
      const retrieval = ctx.emulator.hosts[ctx.region]?.retrieval ?? '';
      const accountHref = `${retrieval}/api/v1/accounts/${found.accountId}`;
      // The status answer's href has no account segment (docs/provider-facts.md#j-ret-7).
      return HttpResponse.json({
        account: { id: found.accountId, href: accountHref },
        workflowExecution: {
          id: found.id,
          href: `${retrieval}/api/v1/workflow-executions/${found.id}`,
          definitionKey: String(found.definitionKey),
          status: found.status,
        },
      });
    }),
  ),
  route('GET', '/api/v1/accounts/:account/credentials/:credential/parts/:classifier', (ctx) => {
    const [accountId, credentialId, classifier] = ctx.params as [string, string, string];
    const account = ctx.emulator.state.accounts.get(accountId);
    const owned = account?.executions.some((e) => e.credentials.some((c) => c.id === credentialId));
    const image = ctx.emulator.state.images.get(`${credentialId}:${classifier}`);
    const visible = account?.region === ctx.region && owned === true ? image : undefined;
    return findOr404(
      visible,
      'Credential part',
      (found) =>
        new HttpResponse(found.bytes.slice().buffer, {
          status: 200,
          headers: {
            'Content-Type': found.contentType,
            'Content-Length': String(found.bytes.byteLength),
          },
        }),
    );
  }),
];
