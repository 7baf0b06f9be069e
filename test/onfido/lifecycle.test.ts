/**
 * The check's life as the host sees it when Onfido takes its time: submit,
 * pending, the signed `check.completed` delivery to the host's webhook, then
 * the result. The emulator holds checks until the test completes them.
 */
import {
  createProvider,
  type IdentityVerificationProvider,
  type WebhookEvent,
} from 'idv-providers';
import type { EmulatorDelivery } from 'idv-providers/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

/** The host's webhook endpoint: verifies the delivery and records the event. */
let host: IdentityVerificationProvider;
const received: WebhookEvent[] = [];
async function webhookEndpoint(delivery: EmulatorDelivery): Promise<number> {
  try {
    received.push(await host.verifyWebhook({ body: delivery.body, headers: delivery.headers }));
    return 200;
  } catch {
    return 401;
  }
}

const { emulator } = useOnfidoEmulator({ autoCompleteChecks: false, deliver: webhookEndpoint });

beforeEach(async () => {
  received.length = 0;
  host = await createProvider(emulator.config({ autoRegistration: true }));
});

async function submitted() {
  const started = await host.startVerification({ identityReference: 'identity-9', person: ADA });
  await emulator.completeCustomerJourney(started.session);
  return host.completeCapture(started.session);
}

describe('a check that takes its time', () => {
  it('is pending until Onfido completes it, and the webhook says when', async () => {
    const session = await submitted();
    expect(emulator.checks(session.subjectId!)).toEqual([
      expect.objectContaining({ id: session.attemptId, status: 'in_progress', result: null }),
    ]);
    const pending = await host.getResult(session);
    expect(pending.status).toBe('pending');
    expect(pending.providerLabels).toEqual([{ source: 'check.status', value: 'in_progress' }]);
    await emulator.settle();
    expect(received.map((e) => [e.type, e.actionable])).toEqual([['check.started', false]]);

    await emulator.completeChecks();
    expect(received.map((e) => [e.type, e.actionable])).toEqual([
      ['check.started', false],
      ['check.completed', true],
    ]);
    const completed = received[1]!;
    expect(completed.session).toEqual({ provider: 'onfido', attemptId: session.attemptId });
    expect(completed.dedupeKey).toBe(
      `onfido:check.completed:${session.attemptId}:${completed.occurredAt}`,
    );
    expect(completed.occurredAt).toBe(new Date(emulator.clock.now()).toISOString());
    expect(emulator.deliveries().map((d) => d.answeredStatus)).toEqual([200, 200]);

    const result = await host.getResult(completed.session);
    expect(result.status).toBe('registered');
    expect(result.session.subjectId).toBe(session.subjectId);
  });

  it('a webhook delivery is refused by a host with another token', async () => {
    host = await createProvider(emulator.config({ webhookToken: 'some-other-webhook-token' }));
    await submitted();
    await emulator.completeChecks();
    expect(received).toEqual([]);
    expect(emulator.deliveries().map((d) => d.answeredStatus)).toEqual([401, 401]);
  });

  it('a withdrawn check is final: EXPIRED, and the customer retries', async () => {
    const session = await submitted();
    await emulator.withdrawCheck(session.attemptId!);
    expect(received.at(-1)).toMatchObject({ type: 'check.withdrawn', actionable: true });
    const result = await host.getResult(session);
    expect(result.reason).toBe('EXPIRED');
    expect(result.status).toBe('retry');
    expect(result.providerLabels).toEqual([{ source: 'check.status', value: 'withdrawn' }]);
  });

  it('a repeated submit does not start a second check', async () => {
    const session = await submitted();
    const again = await host.completeCapture(session);
    expect(again).toEqual(session);
    expect(emulator.checks(session.subjectId!)).toHaveLength(1);
    expect(emulator.requestCount('POST', /\/checks$/)).toBe(1);
  });

  it('an applicant who never captured is pending for 90 minutes, then EXPIRED', async () => {
    const started = await host.startVerification({ identityReference: 'identity-10', person: ADA });
    emulator.clock.advance(89 * 60 * 1000);
    expect((await host.getResult(started.session)).status).toBe('pending');
    emulator.clock.advance(60 * 1000);
    const expired = await host.getResult(started.session);
    expect(expired.reason).toBe('EXPIRED');
    expect(expired.status).toBe('retry');
    // And the customer can no longer capture with the old token.
    await expect(emulator.completeCustomerJourney(started.session)).rejects.toThrow(/expired/);
  });
});
