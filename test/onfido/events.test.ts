/**
 * The typed events of `verifyWebhook`: each of Onfido's 17 actions is its own
 * variant with the ids of its kind, and an action the adapter does not know
 * is verified and returned as `known: false`, never dropped.
 */
import { WebhookEventType } from '@onfido/api';
import { createProvider } from 'idv-providers';
import {
  isKnownOnfidoEvent,
  ONFIDO_EVENT_TYPES,
  type OnfidoWebhookEvent,
  onfido,
  signOnfidoWebhook,
} from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

const TOKEN = 'events-test-webhook-token-0123456789';
const provider = onfido({
  apiToken: 'api_sandbox.unused-in-these-tests',
  verificationSiteUrl: 'https://verify.example.com/',
  webhookToken: TOKEN,
});

function verify(payload: Record<string, unknown>): Promise<OnfidoWebhookEvent> {
  const body = JSON.stringify({ payload });
  return provider.verifyWebhook({
    body,
    headers: { 'x-sha2-signature': signOnfidoWebhook(body, TOKEN) },
  });
}

const resourceOf = (action: string) => action.slice(0, action.indexOf('.'));

describe('the 17 actions', () => {
  it('are the official client’s WebhookEventType values, no more, no fewer', () => {
    // The generated enum ends with a sentinel for values added later (`11184809`).
    const official = Object.values(WebhookEventType).filter((v) => /^[a-z_]+\.[a-z_]+$/.test(v));
    expect([...ONFIDO_EVENT_TYPES].sort()).toEqual([...official].sort());
    expect(ONFIDO_EVENT_TYPES).toHaveLength(17);
  });

  it.each([...ONFIDO_EVENT_TYPES])(
    '%s is known, with its resource type and object id',
    async (action) => {
      const event = await verify({
        resource_type: resourceOf(action),
        action,
        object: { id: 'obj-1', workflow_run_id: 'run-9' },
        resource: { applicant_id: 'applicant-3' },
      });
      expect(event.known).toBe(true);
      expect(event.type).toBe(action);
      expect(event.resourceType).toBe(resourceOf(action));
      expect(event.objectId).toBe('obj-1');
      expect(event.provider).toBe('onfido');
      expect(event.dedupeKey).toBe(`onfido:${action}:obj-1`);
    },
  );
});

describe('the ids of each kind', () => {
  it('check events carry checkId, the session’s attemptId', async () => {
    const event = await verify({
      resource_type: 'check',
      action: 'check.withdrawn',
      object: { id: 'chk-1' },
    });
    if (!event.known || event.resourceType !== 'check') throw new Error('expected a check event');
    expect(event.checkId).toBe('chk-1');
    expect(event.session.attemptId).toBe('chk-1');
    expect(event.actionable).toBe(true);
  });

  it('report events carry reportId and are not actionable', async () => {
    const event = await verify({
      resource_type: 'report',
      action: 'report.awaiting_approval',
      object: { id: 'rep-1' },
    });
    expect(event).toMatchObject({ known: true, reportId: 'rep-1', actionable: false });
    expect(event.session).toEqual({ provider: 'onfido' });
  });

  it('workflow_run.completed carries runId and the applicant of the resource', async () => {
    const event = await verify({
      resource_type: 'workflow_run',
      action: 'workflow_run.completed',
      object: { id: 'run-1' },
      resource: { applicant_id: 'applicant-1' },
    });
    expect(event).toMatchObject({
      known: true,
      runId: 'run-1',
      applicantId: 'applicant-1',
      actionable: true,
    });
  });

  it('workflow_task events carry taskId and the run the object names', async () => {
    const event = await verify({
      resource_type: 'workflow_task',
      action: 'workflow_task.completed',
      object: { id: 'task-1', workflow_run_id: 'run-2', task_spec_id: 'x', task_def_id: 'y' },
    });
    expect(event).toMatchObject({
      known: true,
      taskId: 'task-1',
      runId: 'run-2',
      actionable: false,
    });
    const without = await verify({
      resource_type: 'workflow_task',
      action: 'workflow_task.started',
      object: { id: 'task-2' },
    });
    expect(without).not.toHaveProperty('runId');
  });

  it('account events carry only the object id', async () => {
    const event = await verify({
      resource_type: 'audit_log',
      action: 'audit_log.created',
      object: { id: 'log-1' },
    });
    expect(Object.keys(event).sort()).toEqual(
      [
        'actionable',
        'dedupeKey',
        'known',
        'objectId',
        'provider',
        'resourceType',
        'session',
        'type',
      ].sort(),
    );
  });
});

describe('unknown events', () => {
  it('an action Onfido added later is verified and returned as known: false, not actionable', async () => {
    const event = await verify({
      resource_type: 'check',
      action: 'check.archived',
      object: { id: 'chk-7' },
    });
    expect(event).toMatchObject({
      provider: 'onfido',
      type: 'check.archived',
      known: false,
      resourceType: 'check',
      objectId: 'chk-7',
      actionable: false,
      dedupeKey: 'onfido:check.archived:chk-7',
    });
    expect(event).not.toHaveProperty('checkId');
  });

  it('a new resource type is kept too', async () => {
    const event = await verify({
      resource_type: 'passkey',
      action: 'passkey.registered',
      object: { id: 'pk-1' },
    });
    expect(event).toMatchObject({
      known: false,
      type: 'passkey.registered',
      resourceType: 'passkey',
    });
  });

  it('a known action naming another resource type is not taken for its kind', async () => {
    expect(isKnownOnfidoEvent('check.completed', 'report')).toBe(false);
    const event = await verify({
      resource_type: 'report',
      action: 'check.completed',
      object: { id: 'x-1' },
    });
    expect(event.known).toBe(false);
    expect(event).not.toHaveProperty('checkId');
  });
});

describe('the emulator’s deliveries', () => {
  const { emulator } = useOnfidoEmulator();

  it('arrive as known check events naming the check completeCapture answered', async () => {
    const idv = await createProvider(emulator.config());
    const started = await idv.startVerification({ identityReference: 'identity-ev', person: ADA });
    await emulator.completeCustomerJourney(started.session);
    const submitted = await idv.completeCapture(started.session);
    const events = await Promise.all(
      emulator.deliveries().map((d) => idv.verifyWebhook({ body: d.body, headers: d.headers })),
    );
    const checks = events.filter((e) => e.known && e.type.startsWith('check.'));
    expect(checks.map((e) => e.type)).toEqual(['check.started', 'check.completed']);
    for (const event of checks) {
      expect(event).toMatchObject({ resourceType: 'check', checkId: submitted.attemptId });
    }
    expect(events.filter((e) => e.type.startsWith('report.')).every((e) => e.known)).toBe(true);
  });
});
