/**
 * Onfido Studio: verifications run as workflow runs (`workflowId` set), and the
 * run's status decides the outcome's family.
 */
import {
  createProvider,
  type FinalStatus,
  InvalidInputError,
  ProviderApiError,
  type ReasonCode,
} from 'idv-providers';
import { describe, expect, it } from 'vitest';
import { ADA, GRACE, useOnfidoEmulator } from './helpers';

const { emulator } = useOnfidoEmulator();

async function studio(extra: Record<string, unknown> = {}) {
  return createProvider(
    emulator.config({ workflowId: emulator.workflowId, autoRegistration: true, ...extra }),
  );
}

async function runView(runId: string): Promise<Record<string, unknown>> {
  const answer = await fetch(`https://api.eu.onfido.com/v3.6/workflow_runs/${runId}`, {
    headers: { Authorization: `Token token=${emulator.apiToken}` },
  });
  return (await answer.json()) as Record<string, unknown>;
}

describe('starting a workflow run', () => {
  it('creates the applicant and the run, and links to the hosted page', async () => {
    const idv = await studio();
    expect(idv.capabilities).toEqual({
      signedWebhooks: true,
      requiresCompleteCapture: false,
      hostedCapture: true,
      sdkToken: true,
    });
    const started = await idv.startVerification({ identityReference: 'identity-21', person: ADA });
    const runId = started.session.attemptId!;
    const run = await runView(runId);
    expect(run).toMatchObject({
      id: runId,
      applicant_id: started.session.subjectId,
      workflow_id: emulator.workflowId,
      status: 'awaiting_input',
      customer_user_id: 'identity-21',
    });
    expect(started.customerUrl).toBe((run['link'] as { url: string }).url);
    expect(started.sdkToken).toBe(run['sdk_token']);
    expect(started.expiresAt.getTime()).toBe(emulator.clock.now() + 90 * 60 * 1000);
    expect(
      emulator.requests().map((r) => `${r.method} ${r.pathname.replace(/[0-9a-f-]{36}/, ':id')}`),
    ).toEqual(['POST /v3.6/applicants', 'POST /v3.6/workflow_runs', 'GET /v3.6/workflow_runs/:id']);
  });

  it('needs no submit: completeCapture returns the session and creates no check', async () => {
    const idv = await studio();
    const started = await idv.startVerification({ identityReference: 'identity-22', person: ADA });
    expect(await idv.completeCapture(started.session)).toEqual(started.session);
    expect(emulator.requestCount('POST', /\/checks$/)).toBe(0);
  });

  it('refuses an unknown workflow with a 422', async () => {
    const idv = await createProvider(emulator.config({ workflowId: 'no-such-workflow' }));
    const error = await idv
      .startVerification({ identityReference: 'identity-23', person: ADA })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ status: 422, fields: { workflow_id: ['not found'] } });
  });

  it('needs the run id to fetch a result', async () => {
    const idv = await studio();
    await expect(
      idv.getResult({ provider: 'onfido', subjectId: 'applicant-1' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('run status → outcome', () => {
  const CASES: ReadonlyArray<[ReasonCode, string, ReasonCode, FinalStatus]> = [
    ['CLEAR', 'approved', 'CLEAR', 'registered'],
    ['SUSPECTED_DATA_VALIDATION', 'declined', 'SUSPECTED_DATA_VALIDATION', 'rejected'],
    ['SUSPECTED_COMPROMISED_DOCUMENT', 'declined', 'SUSPECTED_COMPROMISED_DOCUMENT', 'rejected'],
    ['REJECTED_IMAGE_INTEGRITY', 'declined', 'REJECTED_IMAGE_INTEGRITY', 'retry'],
    ['CAUTION_DATA_COMPARISON', 'review', 'CAUTION_DATA_COMPARISON', 'awaiting_registration'],
    ['CAUTION_FACIAL_COMPARISON', 'review', 'CAUTION_FACIAL_COMPARISON', 'awaiting_registration'],
    ['EXPIRED', 'abandoned', 'EXPIRED', 'retry'],
    ['UNKNOWN', 'error', 'UNKNOWN', 'awaiting_registration'],
  ];

  it.each(CASES)('verdict %s: run %s → %s, %s', async (verdict, runStatus, reason, status) => {
    const idv = await studio();
    const started = await idv.startVerification({ identityReference: 'identity-24', person: ADA });
    emulator.setVerdict(started.session.subjectId, { reason: verdict, person: GRACE });
    expect((await idv.getResult(started.session)).status).toBe('pending');

    await emulator.completeCustomerJourney(started.session);
    const result = await idv.getResult(started.session);
    expect(result.providerLabels[0]).toEqual({ source: 'workflow_run.status', value: runStatus });
    expect(result.reasons).toEqual([reason]);
    expect(result.status).toBe(status);
    expect(result.person).toEqual(verdict === 'EXPIRED' || verdict === 'UNKNOWN' ? null : GRACE);

    const delivery = emulator.deliveries().find((d) => d.body.includes('workflow_run.completed'));
    const event = await idv.verifyWebhook({ body: delivery!.body, headers: delivery!.headers });
    expect(event).toMatchObject({
      type: 'workflow_run.completed',
      actionable: true,
      session: { attemptId: started.session.attemptId, subjectId: started.session.subjectId },
    });
  });

  it('with auto-registration off, an approved run awaits registration', async () => {
    const idv = await studio({ autoRegistration: false });
    const started = await idv.startVerification({ identityReference: 'identity-25', person: ADA });
    await emulator.completeCustomerJourney(started.session);
    expect(await idv.getResult(started.session)).toMatchObject({
      reason: 'CLEAR',
      status: 'awaiting_registration',
    });
  });

  it('the run status wins over the reports: approved despite a caution is CLEAR', async () => {
    const idv = await studio();
    const started = await idv.startVerification({ identityReference: 'identity-26', person: ADA });
    emulator.setOutcome(started.session.subjectId, {
      reports: { document: { subResult: 'caution', consider: ['data_comparison'] } },
      workflowStatus: 'approved',
    });
    await emulator.completeCustomerJourney(started.session);
    const result = await idv.getResult(started.session);
    expect(result.reasons).toEqual(['CLEAR']);
    expect(result.providerLabels).toContainEqual({
      source: 'document.sub_result',
      value: 'caution',
    });
  });

  it('a review keeps only the cautions: suspected reports are labels, the reason is UNKNOWN', async () => {
    const idv = await studio();
    const started = await idv.startVerification({ identityReference: 'identity-27', person: ADA });
    emulator.setOutcome(started.session.subjectId, {
      reports: { document: { subResult: 'suspected', consider: ['police_record'] } },
      workflowStatus: 'review',
    });
    await emulator.completeCustomerJourney(started.session);
    const result = await idv.getResult(started.session);
    expect(result.reasons).toEqual(['UNKNOWN']);
    expect(result.status).toBe('awaiting_registration');
    expect(result.providerLabels).toContainEqual({
      source: 'document.breakdown.police_record',
      value: 'consider',
    });
  });

  it('a run declined without any readable reason goes to a person', async () => {
    const idv = await studio();
    const started = await idv.startVerification({ identityReference: 'identity-28', person: ADA });
    emulator.setOutcome(started.session.subjectId, {
      workflowStatus: 'declined',
      workflowReasons: ['custom_rule_7'],
    });
    await emulator.completeCustomerJourney(started.session);
    const result = await idv.getResult(started.session);
    expect(result.reasons).toEqual(['UNKNOWN']);
    expect(result.status).toBe('awaiting_registration');
    expect(result.providerLabels).toContainEqual({
      source: 'workflow_run.reasons',
      value: 'custom_rule_7',
    });
  });

  it('a run declined with a reason named after a reason code takes that code', async () => {
    const idv = await studio();
    const started = await idv.startVerification({ identityReference: 'identity-29', person: ADA });
    emulator.setOutcome(started.session.subjectId, {
      workflowStatus: 'declined',
      workflowReasons: ['SUSPECTED_POLICE_RECORD'],
    });
    await emulator.completeCustomerJourney(started.session);
    expect(await idv.getResult(started.session)).toMatchObject({
      reasons: ['SUSPECTED_POLICE_RECORD'],
      status: 'rejected',
    });
  });
});

describe('documents of a run', () => {
  it('lists the captured files from the run id alone', async () => {
    const idv = await studio();
    const started = await idv.startVerification({ identityReference: 'identity-30', person: ADA });
    await emulator.completeCustomerJourney(started.session);
    const docs = await idv.listDocuments({
      provider: 'onfido',
      attemptId: started.session.attemptId!,
    });
    expect(docs.map((d) => d.kind)).toEqual(['document', 'document', 'selfie']);
    expect(docs).toEqual(await idv.listDocuments(started.session));
  });
});
