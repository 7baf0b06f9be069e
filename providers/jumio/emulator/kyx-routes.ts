/**
 * The emulated KYX hosts: the OAuth2 token endpoint, the account API that
 * starts transactions, and the retrieval API (status, details, image parts).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import {
  basicCredentials,
  type EmulatorContext,
  jsonBody,
  linkRegion,
  randomToken,
  timestamp,
} from './context';
import { problem } from './faults';
import type { Account, Execution, RegionKey } from './state';

/** Characters Jumio refuses in `customerInternalReference`. */
const FORBIDDEN = /[<>"/;`%{}|]/;
const LIFETIME = /^(\d+)([mhd])$/;
const MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440 };

/** `POST /oauth2/token`. */
export async function tokenRoute(
  context: EmulatorContext,
  region: RegionKey,
  request: Request,
  path: string,
): Promise<Response> {
  if (request.method !== 'POST' || path !== '/oauth2/token') {
    return problem(404, 'No such endpoint');
  }
  context.state.tokenRequests++;
  const credentials = basicCredentials(request);
  if (
    credentials === undefined ||
    credentials.user !== context.clientId ||
    credentials.password !== context.clientSecret
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
  context.state.tokens.set(token, {
    token,
    region,
    expiresAt: context.now() + context.tokenLifetimeSeconds * 1000,
    revoked: false,
  });
  return HttpResponse.json({
    access_token: token,
    expires_in: context.tokenLifetimeSeconds,
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
    return problem(401, 'Full authentication is required to access this resource');
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

/** `POST /api/v1/accounts` and `PUT /api/v1/accounts/{id}`. */
export async function accountRoute(
  context: EmulatorContext,
  region: RegionKey,
  request: Request,
  path: string,
): Promise<Response> {
  const put = /^\/api\/v1\/accounts\/([^/]+)$/.exec(path);
  const isCreate = request.method === 'POST' && path === '/api/v1/accounts';
  const isUpdate = request.method === 'PUT' && put !== null;
  if (!isCreate && !isUpdate) return problem(404, 'No such endpoint');

  let account: Account | undefined;
  if (isUpdate) {
    account = context.state.accounts.get(put?.[1] ?? '');
    if (account === undefined || account.region !== region) {
      return problem(404, 'Account not found');
    }
  }
  const body = await jsonBody(request);
  const invalid = validateAccountBody(body);
  if (invalid !== undefined || body === undefined) return problem(400, invalid ?? 'Bad request');

  if (account === undefined) {
    account = { id: randomUUID(), region, executions: [] };
    context.state.accounts.set(account.id, account);
  }
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
    createdAt: timestamp(context),
    requestBody: body,
    credentials: [
      { id: randomUUID(), category: 'ID', parts: [] },
      { id: randomUUID(), category: 'SELFIE', parts: [] },
      { id: randomUUID(), category: 'FACEMAP', parts: [] },
    ],
  };
  account.executions.push(execution);
  context.state.executions.set(execution.id, execution);

  const authorizationToken = randomToken(48);
  const expiry = new Date(context.now() + lifetimeMinutes(body) * 60_000).toISOString();
  return HttpResponse.json({
    timestamp: timestamp(context),
    account: { id: account.id },
    web: {
      href: `https://${context.tenant}.web.${linkRegion(region)}.jumio.ai/web/v4/app?authorizationToken=${authorizationToken}&locale=${locale}`,
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

function detailsJson(execution: Execution): Record<string, unknown> {
  return {
    workflow: {
      id: execution.id,
      status: execution.status,
      definitionKey: String(execution.definitionKey),
      ...(execution.userReference === undefined ? {} : { userReference: execution.userReference }),
      customerInternalReference: execution.customerInternalReference,
    },
    account: { id: execution.accountId },
    createdAt: execution.createdAt,
    ...(execution.startedAt === undefined ? {} : { startedAt: execution.startedAt }),
    ...(execution.completedAt === undefined ? {} : { completedAt: execution.completedAt }),
    credentials: execution.credentials
      .filter((c) => c.parts.length > 0)
      .map((c) => ({
        id: c.id,
        category: c.category,
        parts: c.parts.map((p) => ({
          classifier: p.classifier,
          ...(p.href === undefined ? {} : { href: p.href }),
        })),
      })),
    ...(execution.decision === undefined ? {} : { decision: execution.decision }),
    ...(execution.capabilities === undefined ? {} : { capabilities: execution.capabilities }),
  };
}

/** The retrieval API: workflow details, status and credential parts. */
export function retrievalRoute(
  context: EmulatorContext,
  region: RegionKey,
  request: Request,
  path: string,
): Response {
  if (request.method !== 'GET') return problem(404, 'No such endpoint');
  const retrieval = context.hosts[region]?.retrieval ?? '';
  const execution = /^\/api\/v1\/accounts\/([^/]+)\/workflow-executions\/([^/]+)(\/status)?$/.exec(
    path,
  );
  if (execution !== null) {
    const found = context.state.executions.get(execution[2] ?? '');
    if (found === undefined || found.accountId !== execution[1] || found.region !== region) {
      return problem(404, 'Workflow execution not found');
    }
    if (execution[3] === undefined) return HttpResponse.json(detailsJson(found));
    return HttpResponse.json({
      account: { id: found.accountId, href: `${retrieval}/api/v1/accounts/${found.accountId}` },
      workflowExecution: {
        id: found.id,
        href: `${retrieval}/api/v1/accounts/${found.accountId}/workflow-executions/${found.id}`,
        definitionKey: String(found.definitionKey),
        status: found.status,
      },
    });
  }
  const part = /^\/api\/v1\/accounts\/([^/]+)\/credentials\/([^/]+)\/parts\/([^/]+)$/.exec(path);
  if (part !== null) {
    const account = context.state.accounts.get(part[1] ?? '');
    const owned = account?.executions.some((e) => e.credentials.some((c) => c.id === part[2]));
    const image = context.state.images.get(`${part[2]}:${part[3]}`);
    if (account === undefined || account.region !== region || !owned || image === undefined) {
      return problem(404, 'Credential part not found');
    }
    return new HttpResponse(image.bytes.slice().buffer, {
      status: 200,
      headers: {
        'Content-Type': image.contentType,
        'Content-Length': String(image.bytes.byteLength),
      },
    });
  }
  return problem(404, 'No such endpoint');
}
