/**
 * Routes for Onfido Studio workflow runs and webhook registrations.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import { applicantParam, jsonBody, named, pathRecord, type Route, route, text } from './router';
import type { WebhookRecord } from './state';
import { findOr404, runView, validationError, webhookView } from './views';
import { WEBHOOK_EVENTS, type WebhookAction } from './webhook-events';

/** A webhook signing token as Onfido issues them. */
export function newWebhookToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Builds the workflow run routes; `knownWorkflows` are the workflow ids that exist. */
export function studioRoutes(knownWorkflows: ReadonlySet<string>): readonly Route[] {
  const createRun = route('POST', '/workflow_runs', async (ctx) => {
    const body = await jsonBody(ctx.request);
    if (body instanceof Response) return body;
    const workflowId = text(body['workflow_id']);
    if (workflowId === undefined) return validationError({ workflow_id: ["can't be blank"] });
    if (!knownWorkflows.has(workflowId)) return validationError({ workflow_id: ['not found'] });
    const applicant = applicantParam(ctx, body['applicant_id']);
    if (applicant instanceof Response) return applicant;
    const link = body['link'];
    const given =
      typeof link === 'object' && link !== null ? (link as Record<string, unknown>) : {};
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
      workflowId,
      text(body['customer_user_id']),
      {
        ...(expiresAt === undefined ? {} : { expiresAt }),
        ...(completedRedirectUrl === undefined ? {} : { completedRedirectUrl }),
        ...(expiredRedirectUrl === undefined ? {} : { expiredRedirectUrl }),
        ...(language === undefined ? {} : { language }),
      },
    );
    return HttpResponse.json(runView(run), { status: 201 });
  });

  const listRuns = route('GET', '/workflow_runs', (ctx) => {
    const runs = [...ctx.engine.state.runs.values()]
      .filter((r) => r.realm === ctx.realm.name)
      .sort((a, b) => b.updatedAt - a.updatedAt);
    return HttpResponse.json(runs.map(runView));
  });

  const getRun = route('GET', '/workflow_runs/:id', (ctx) =>
    findOr404(pathRecord(ctx, ctx.engine.state.runs), named(ctx, 'WorkflowRun'), (run) =>
      HttpResponse.json(runView(run)),
    ),
  );

  return [createRun, listRuns, getRun];
}

const createWebhook = route('POST', '/webhooks', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const url = text(body['url']);
  let parsed: URL | undefined;
  try {
    parsed = url === undefined ? undefined : new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.protocol !== 'https:') {
    return validationError({ url: ['must be a valid https URL'] });
  }
  const events = body['events'];
  if (events !== undefined) {
    if (
      !Array.isArray(events) ||
      events.some((e) => typeof e !== 'string' || !WEBHOOK_EVENTS.has(e))
    ) {
      return validationError({ events: ['contains an unknown event'] });
    }
  }
  const environments = body['environments'];
  if (
    environments !== undefined &&
    (!Array.isArray(environments) || environments.some((e) => e !== 'sandbox' && e !== 'live'))
  ) {
    return validationError({ environments: ['must be sandbox and/or live'] });
  }
  const webhook: WebhookRecord = {
    realm: ctx.realm.name,
    id: randomUUID(),
    url: url as string,
    token: newWebhookToken(),
    events: events === undefined ? null : [...(events as WebhookAction[])],
    // A sandbox webhook created without environments answers ["sandbox"]
    // (docs/provider-facts.md#o-wh-3).
    environments:
      environments === undefined ? ['sandbox'] : [...(environments as Array<'sandbox' | 'live'>)],
    enabled: body['enabled'] !== false,
  };
  ctx.engine.state.webhooks.set(webhook.id, webhook);
  return HttpResponse.json(webhookView(webhook, ctx.realm), { status: 201 });
});

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

/** Webhook registration routes. */
export const webhookRoutes: readonly Route[] = [
  createWebhook,
  listWebhooks,
  getWebhook,
  deleteWebhook,
];
