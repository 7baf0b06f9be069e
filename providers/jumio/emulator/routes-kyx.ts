/**
 * The emulated KYX hosts (the token endpoint is in ./routes-token.ts):
 * - the account API that starts transactions: `POST /api/v1/accounts` and, for
 *   an existing account, `PUT /api/v1/accounts/{id}`, a new workflow execution
 *   (docs/provider-facts.md#j-acc-1, #j-acc-2; the request rules of #j-acc-3
 *   and #j-acc-4; the answer of #j-acc-7);
 * - the retrieval API: status, details, steps and image parts
 *   (docs/provider-facts.md#j-ret-1 to #j-ret-4, #j-ret-6), and deletion of an
 *   account or of one workflow execution (docs/provider-facts.md#j-acc-9);
 * - the health check (docs/provider-facts.md#j-host-4);
 *
 * with 404 for what does not exist or was deleted (docs/provider-facts.md#j-err-2,
 * #j-ret-4). No account read (`GET /api/v1/accounts/{id}`) is served: Jumio
 * documents none (docs/provider-facts.md#j-acc-8, #j-open-9), so it answers
 * 404 like any path the emulator does not know.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import { type EmulatorContext, linkRegion, randomToken, timestamp } from './context';
import { jsonBody, type Route, type RouteContext, route } from './router';
import type { Account, Execution } from './state';
import { executionView, findOr404, problem, stepsView } from './views';

/** Characters Jumio refuses in `customerInternalReference` (docs/provider-facts.md#j-acc-3). */
const FORBIDDEN = /[<>"/;`%{}|]/;
const LIFETIME = /^(\d+)([mhd])$/;
const MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440 };

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

/**
 * The account host's routes: `POST /api/v1/accounts` and `PUT
 * /api/v1/accounts/{id}` (a new workflow execution for the account; 404 for
 * an unknown or deleted account, docs/provider-facts.md#j-acc-2).
 */
export const accountRoutes: readonly Route[] = [
  route('POST', '/api/v1/accounts', (ctx) => startTransaction(ctx, undefined)),
  route('PUT', '/api/v1/accounts/:id', (ctx) =>
    findOr404(accountOf(ctx), 'Account', (found) => startTransaction(ctx, found)),
  ),
];

/** Forgets a workflow execution: its record, its images and its chosen verdict. */
function forgetExecution(context: EmulatorContext, execution: Execution): void {
  const { state } = context;
  state.executions.delete(execution.id);
  state.verdicts.delete(execution.id);
  state.captures.delete(execution.id);
  for (const credential of execution.credentials) {
    for (const part of credential.parts) state.images.delete(`${credential.id}:${part.classifier}`);
  }
}

/** The account the path names, if it is in the region called. */
function accountOf({ emulator, region, params }: RouteContext): Account | undefined {
  const found = emulator.state.accounts.get(params[0] as string);
  return found?.region === region ? found : undefined;
}

/**
 * Deletion answers `200 OK` (docs/provider-facts.md#j-acc-9); the body of that
 * answer is not documented, so it is empty.
 */
const deleted = (): Response => new HttpResponse(null, { status: 200 });

/** The retrieval host's routes: status, details, steps, credential parts, and deletion. */
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
  route('GET', '/api/v1/accounts/:account/workflow-executions/:execution/steps', (ctx) =>
    findOr404(executionOf(ctx), 'Workflow execution', (found) =>
      HttpResponse.json(stepsView(found)),
    ),
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
  route('DELETE', '/api/v1/accounts/:account', (ctx) =>
    findOr404(accountOf(ctx), 'Account', (found) => {
      for (const execution of found.executions) forgetExecution(ctx.emulator, execution);
      ctx.emulator.state.accounts.delete(found.id);
      ctx.emulator.state.verdicts.delete(found.id);
      ctx.emulator.state.captures.delete(found.id);
      return deleted();
    }),
  ),
  route('DELETE', '/api/v1/accounts/:account/workflow-executions/:execution', (ctx) =>
    findOr404(executionOf(ctx), 'Workflow execution', (found) => {
      forgetExecution(ctx.emulator, found);
      const account = ctx.emulator.state.accounts.get(found.accountId);
      if (account !== undefined) {
        account.executions = account.executions.filter((e) => e.id !== found.id);
      }
      return deleted();
    }),
  ),
];

/**
 * The health check's one route, `GET /` (docs/provider-facts.md#j-host-4,
 * historical): every component `UP`. It asks for no credentials; whether
 * Jumio's does is not documented.
 */
export const statusRoutes: readonly Route[] = [
  route('GET', '/', () =>
    HttpResponse.json({
      status: 'UP',
      details: Object.fromEntries(
        ['api', 'callback', 'mobile', 'processing', 'retrieval', 'web'].map((c) => [c, 'UP']),
      ),
    }),
  ),
];
