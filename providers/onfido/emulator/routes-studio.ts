/**
 * Routes for Onfido Studio workflow runs and webhook registrations.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import { applicantParam, jsonBody, named, pathRecord, type Route, route, text } from './router';
import type { WebhookRecord, WorkflowRunRecord } from './state';
import { findOr404, runView, validationError, webhookView } from './views';
import { WEBHOOK_EVENTS, type WebhookAction } from './webhook-events';

type Problems = Record<string, string[]>;

/** A webhook signing token as Onfido issues them. */
export function newWebhookToken(): string {
  return randomBytes(24).toString('base64url');
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/**
 * `POST /workflow_runs` (docs/provider-facts.md#o-wf-1): the workflow must be
 * one the emulator knows (declared with its steps: the `workflows` option,
 * `--onfido-workflow`).
 */
const createRun = route('POST', '/workflow_runs', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const workflowId = text(body['workflow_id']);
  if (workflowId === undefined) return validationError({ workflow_id: ["can't be blank"] });
  const workflow = ctx.engine.state.workflows.get(workflowId);
  if (workflow === undefined) return validationError({ workflow_id: ['not found'] });
  const applicant = applicantParam(ctx, body['applicant_id']);
  if (applicant instanceof Response) return applicant;
  const tags = body['tags'] === undefined || body['tags'] === null ? [] : stringList(body['tags']);
  if (tags === undefined || tags.length > 30 || tags.some((t) => t.length < 1 || t.length > 128)) {
    return validationError({ tags: ['must be at most 30 strings of 1 to 128 characters'] });
  }
  const link = body['link'];
  const given = typeof link === 'object' && link !== null ? (link as Record<string, unknown>) : {};
  const expires = text(given['expires_at']);
  const expiresAt = expires === undefined ? undefined : Date.parse(expires);
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    return validationError({ 'link.expires_at': ['must be a date-time'] });
  }
  const completedRedirectUrl = text(given['completed_redirect_url']);
  const expiredRedirectUrl = text(given['expired_redirect_url']);
  const language = text(given['language']);
  const run = ctx.engine.createRun(
    ctx.realm,
    applicant,
    workflow.id,
    workflow.steps,
    text(body['customer_user_id']),
    tags,
    {
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(completedRedirectUrl === undefined ? {} : { completedRedirectUrl }),
      ...(expiredRedirectUrl === undefined ? {} : { expiredRedirectUrl }),
      ...(language === undefined ? {} : { language }),
    },
  );
  return HttpResponse.json(runView(run), { status: 201 });
});

/** True when a run passes the filters of `GET /workflow_runs` (docs/provider-facts.md#o-wf-6). */
function listed(run: WorkflowRunRecord, query: URLSearchParams): boolean {
  const statuses = query
    .get('status')
    ?.split(',')
    .filter((s) => s !== '');
  if (statuses !== undefined && statuses.length > 0 && !statuses.includes(run.status)) return false;
  const applicant = query.get('applicant_id');
  if (applicant !== null && applicant !== run.applicantId) return false;
  const after = query.get('created_at_gt');
  if (after !== null && !(run.createdAt > Date.parse(after))) return false;
  const before = query.get('created_at_lt');
  if (before !== null && !(run.createdAt < Date.parse(before))) return false;
  const tags = query.getAll('tags[]');
  return tags.every((tag) => run.tags.includes(tag));
}

/** `GET /workflow_runs`: a bare array, newest first unless `sort=asc`, 25 a page (the page size is the emulator's). */
const listRuns = route('GET', '/workflow_runs', (ctx) => {
  const query = ctx.url.searchParams;
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const ascending = query.get('sort') === 'asc';
  const runs = [...ctx.engine.state.runs.values()]
    .filter((r) => r.realm === ctx.realm.name && listed(r, query))
    .sort((a, b) => (ascending ? a.createdAt - b.createdAt : b.createdAt - a.createdAt));
  return HttpResponse.json(runs.slice((page - 1) * 25, page * 25).map(runView));
});

const getRun = route('GET', '/workflow_runs/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.runs), named(ctx, 'WorkflowRun'), (run) =>
    HttpResponse.json(runView(run)),
  ),
);

/** Workflow run routes. */
export const studioRoutes: readonly Route[] = [createRun, listRuns, getRun];

const isHttpsUrl = (value: string | undefined): boolean => {
  try {
    return value !== undefined && new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * The settings of a webhook a create or update body sends
 * (docs/provider-facts.md#o-wh-1), validated; on update only what is sent
 * changes.
 */
function webhookSettings(
  body: Record<string, unknown>,
  problems: Problems,
): Partial<Omit<WebhookRecord, 'oauth'>> & { oauth: Partial<WebhookRecord['oauth']> } {
  const out: Partial<Omit<WebhookRecord, 'oauth'>> & { oauth: Partial<WebhookRecord['oauth']> } = {
    oauth: {},
  };
  if (body['url'] !== undefined) {
    const url = text(body['url']);
    if (!isHttpsUrl(url)) problems['url'] = ['must be a valid https URL'];
    else out.url = url as string;
  }
  const events = body['events'];
  if (events !== undefined) {
    const list = stringList(events);
    if (list === undefined || list.some((e) => !WEBHOOK_EVENTS.has(e))) {
      problems['events'] = ['contains an unknown event'];
    } else out.events = list as WebhookAction[];
  }
  const environments = body['environments'];
  if (environments !== undefined) {
    const list = stringList(environments);
    if (list === undefined || list.some((e) => e !== 'sandbox' && e !== 'live')) {
      problems['environments'] = ['must be sandbox and/or live'];
    } else out.environments = list as Array<'sandbox' | 'live'>;
  }
  if (body['enabled'] !== undefined) {
    if (typeof body['enabled'] !== 'boolean') problems['enabled'] = ['must be true or false'];
    else out.enabled = body['enabled'];
  }
  if (body['payload_version'] !== undefined) {
    const version = body['payload_version'];
    if (!Number.isInteger(version)) problems['payload_version'] = ['must be an integer'];
    else out.payloadVersion = version as number;
  }
  if (body['name'] !== undefined) {
    if (body['name'] !== null && typeof body['name'] !== 'string') {
      problems['name'] = ['must be a string'];
    } else out.name = text(body['name']) ?? null;
  }
  if (body['oauth_enabled'] !== undefined) {
    if (typeof body['oauth_enabled'] !== 'boolean') {
      problems['oauth_enabled'] = ['must be true or false'];
    } else out.oauth.enabled = body['oauth_enabled'];
  }
  const oauthFields = {
    oauth_server_url: 'serverUrl',
    oauth_server_client_id: 'clientId',
    oauth_server_client_secret: 'clientSecret',
    oauth_server_scope: 'scope',
  } as const;
  for (const [field, key] of Object.entries(oauthFields)) {
    const value = body[field];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string') problems[field] = ['must be a string'];
    else if (field === 'oauth_server_url' && value !== null && !isHttpsUrl(value)) {
      problems[field] = ['must be a valid https URL'];
    } else out.oauth[key] = value;
  }
  return out;
}

/** `POST /webhooks` → 201 (docs/provider-facts.md#o-wh-2). */
const createWebhook = route('POST', '/webhooks', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const problems: Problems = {};
  if (body['url'] === undefined) problems['url'] = ['must be a valid https URL'];
  const given = webhookSettings(body, problems);
  if (Object.keys(problems).length > 0) return validationError(problems);
  const webhook: WebhookRecord = {
    realm: ctx.realm.name,
    id: randomUUID(),
    url: given.url as string,
    token: newWebhookToken(),
    events: given.events ?? null,
    // A sandbox webhook created without environments answers ["sandbox"]
    // (docs/provider-facts.md#o-wh-3).
    environments: given.environments ?? ['sandbox'],
    enabled: given.enabled ?? true,
    name: given.name ?? null,
    payloadVersion: given.payloadVersion ?? 3,
    oauth: {
      enabled: given.oauth.enabled ?? false,
      serverUrl: given.oauth.serverUrl ?? null,
      clientId: given.oauth.clientId ?? null,
      clientSecret: given.oauth.clientSecret ?? null,
      scope: given.oauth.scope ?? null,
    },
  };
  ctx.engine.state.webhooks.set(webhook.id, webhook);
  return HttpResponse.json(webhookView(webhook, ctx.realm), { status: 201 });
});

/** `PUT /webhooks/{id}` → 200: what is sent changes, the rest stays (docs/provider-facts.md#o-wh-2). */
const updateWebhook = route('PUT', '/webhooks/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.webhooks), named(ctx, 'Webhook'), async (hook) => {
    const body = await jsonBody(ctx.request);
    if (body instanceof Response) return body;
    const problems: Problems = {};
    const { oauth, ...given } = webhookSettings(body, problems);
    if (Object.keys(problems).length > 0) return validationError(problems);
    Object.assign(hook, given);
    Object.assign(hook.oauth, oauth);
    return HttpResponse.json(webhookView(hook, ctx.realm));
  }),
);

const listWebhooks = route('GET', '/webhooks', (ctx) => {
  const hooks = [...ctx.engine.state.webhooks.values()].filter((w) => w.realm === ctx.realm.name);
  return HttpResponse.json({ webhooks: hooks.map((w) => webhookView(w, ctx.realm)) });
});

const getWebhook = route('GET', '/webhooks/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.webhooks), named(ctx, 'Webhook'), (hook) =>
    HttpResponse.json(webhookView(hook, ctx.realm)),
  ),
);

const deleteWebhook = route('DELETE', '/webhooks/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.webhooks), named(ctx, 'Webhook'), (hook) => {
    ctx.engine.state.webhooks.delete(hook.id);
    return new HttpResponse(null, { status: 204 });
  }),
);

/**
 * `POST /webhooks/resend` with `{data: [{resource_id, event}]}` → 204
 * (docs/provider-facts.md#o-wh-2): each event of a check is sent again, to
 * the webhooks that take it. The spec names `check.completed`; the emulator
 * resends it for a complete check and answers 422 for anything else.
 */
const resendWebhooks = route('POST', '/webhooks/resend', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const data = body['data'];
  const items = Array.isArray(data) ? (data as Array<Record<string, unknown>>) : undefined;
  if (items === undefined || items.length === 0)
    return validationError({ data: ["can't be blank"] });
  const checks = [];
  for (const [i, item] of items.entries()) {
    const id = typeof item?.['resource_id'] === 'string' ? item['resource_id'] : '';
    const check = ctx.engine.state.find(ctx.engine.state.checks, ctx.realm.name, id);
    if (item?.['event'] !== 'check.completed' || check?.status !== 'complete') {
      return validationError({ [`data[${i}]`]: ['no such completed check to resend'] });
    }
    checks.push(check);
  }
  for (const check of checks) ctx.engine.resendCompleted(ctx.realm, check);
  return new HttpResponse(null, { status: 204 });
});

/** Webhook registration routes. */
export const webhookRoutes: readonly Route[] = [
  createWebhook,
  resendWebhooks,
  listWebhooks,
  getWebhook,
  updateWebhook,
  deleteWebhook,
];
