/**
 * Jumio's lifecycle around the flow: a new link for the same account (a new
 * workflow execution, KYX), the account's deletion on the retrieval host, the
 * submit that starts nothing, the typed callbacks, and what Netverify mode
 * leaves out.
 */
import {
  createProvider,
  type IdentityVerificationProvider,
  InvalidInputError,
  NotFoundError,
} from 'idv-providers';
import {
  isKnownKyxEvent,
  JUMIO_KYX_EVENT_TYPES,
  type JumioWebhookEvent,
  jumio,
} from 'idv-providers/jumio';
import { createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { useJumioEmulator } from './harness';

const { emulator } = useJumioEmulator();

const options = (overrides: Record<string, unknown> = {}) => {
  const { provider: _name, ...rest } = emulator.config({
    verifyCallbackSource: false,
    clock: createTestClock(),
    ...overrides,
  });
  return rest as Parameters<typeof jumio>[0];
};
const kyx = () => jumio(options());
const requests = () =>
  emulator.requests().map((r) => `${r.method} ${new URL(r.url).host}${r.path}`);

describe('refreshLink (KYX)', () => {
  it('starts a new workflow execution on the account, with the same request body and a new link', async () => {
    const idv = kyx();
    const started = await idv.startVerification({
      identityReference: 'identity-42',
      userReference: 'user-7',
      locale: 'de',
    });
    const before = requests().length;
    const refreshed = await idv.refreshLink!(started.session, {
      identityReference: 'identity-42',
      userReference: 'user-7',
      locale: 'de',
    });
    expect(requests().slice(before)).toEqual([
      `PUT account.amer-1.jumio.ai/api/v1/accounts/${started.session.subjectId}`,
    ]);
    expect(refreshed.session.subjectId).toBe(started.session.subjectId);
    expect(refreshed.session.attemptId).not.toBe(started.session.attemptId);
    expect(refreshed.customerUrl).toMatch(
      /^https:\/\/acme\.web\.amer-1\.jumio\.ai\/web\/v4\/app\?/,
    );
    expect(refreshed.customerUrl).not.toBe(started.customerUrl);
    expect(refreshed.sdkToken).not.toBe(started.sdkToken);
    const first = emulator.execution(started.session.attemptId!);
    const second = emulator.execution(refreshed.session.attemptId!);
    expect(second?.requestBody).toEqual(first?.requestBody);
    expect(second?.requestBody).toMatchObject({
      customerInternalReference: 'identity-42',
      userReference: 'user-7',
      web: { locale: 'de' },
    });
    // The superseded execution is not ended: it waits until its token runs out.
    expect(first?.status).toBe('INITIATED');
    expect(emulator.account(started.session.subjectId)?.executions).toHaveLength(2);
  });

  it('carries the flow: the callback names the new execution, whose result is read', async () => {
    const idv = kyx();
    const started = await idv.startVerification({ identityReference: 'identity-43' });
    const refreshed = await idv.refreshLink!(started.session, { identityReference: 'identity-43' });
    await emulator.completeCustomerJourney(refreshed.session);
    const [delivery] = emulator.deliveries();
    const event = await idv.verifyWebhook({ body: delivery!.body, headers: delivery!.headers });
    expect(event).toMatchObject({
      known: true,
      type: 'PROCESSED',
      workflowExecutionId: refreshed.session.attemptId,
    });
    expect((await idv.getResult(event.session)).reason).toBe('CLEAR');
  });

  it('the superseded execution still sends its TOKEN_EXPIRED, naming the old attempt', async () => {
    const idv = kyx();
    const started = await idv.startVerification({ identityReference: 'identity-44' });
    const refreshed = await idv.refreshLink!(started.session, { identityReference: 'identity-44' });
    await emulator.expire(started.session, 'TOKEN_EXPIRED');
    const [delivery] = emulator.deliveries();
    const event = await idv.verifyWebhook({ body: delivery!.body, headers: delivery!.headers });
    // A host compares it with the session it keeps (the refreshed one) and lets it go.
    expect(event).toMatchObject({ type: 'TOKEN_EXPIRED', actionable: true });
    expect(event.session.attemptId).toBe(started.session.attemptId);
    expect(event.session.attemptId).not.toBe(refreshed.session.attemptId);
  });

  it('refuses a bad reference or a session without an account before any request', async () => {
    const idv = kyx();
    await expect(
      idv.refreshLink!({ provider: 'jumio', subjectId: 'a1b2' }, { identityReference: 'a/b' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      idv.refreshLink!({ provider: 'jumio' }, { identityReference: 'identity-45' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(requests()).toEqual([]);
  });

  it('an account Jumio does not know is a NotFoundError', async () => {
    const idv = kyx();
    await expect(
      idv.refreshLink!(
        { provider: 'jumio', subjectId: '00000000-0000-4000-8000-000000000000' },
        { identityReference: 'identity-46' },
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('deleteSubject (KYX)', () => {
  async function processed(idv: IdentityVerificationProvider) {
    const started = await idv.startVerification({ identityReference: 'identity-50' });
    await emulator.completeCustomerJourney(started.session);
    expect((await idv.getResult(started.session)).reason).toBe('CLEAR');
    return started.session;
  }

  it('deletes the account and all its executions on the retrieval host; reads are 404 after', async () => {
    const idv = kyx();
    const session = await processed(idv);
    const again = await idv.refreshLink!(session, { identityReference: 'identity-50' });
    const documents = await idv.listDocuments(session);
    const before = requests().length;
    const deleted = await idv.deleteSubject!(session);
    expect(requests().slice(before)).toEqual([
      `DELETE retrieval.amer-1.jumio.ai/api/v1/accounts/${session.subjectId}`,
    ]);
    expect(deleted).toEqual({
      provider: 'jumio',
      subjectId: session.subjectId,
      outcome: 'deleted',
      restorable: false,
    });
    expect(emulator.account(session.subjectId!)).toBeUndefined();
    for (const attempt of [session, again.session]) {
      await expect(idv.getResult(attempt)).rejects.toBeInstanceOf(NotFoundError);
      await expect(idv.listDocuments(attempt)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(idv.downloadDocument(documents[0]!)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a second deletion is not_found; a session without an account is refused before any request', async () => {
    const idv = kyx();
    const session = await processed(idv);
    await idv.deleteSubject!(session);
    expect((await idv.deleteSubject!(session)).outcome).toBe('not_found');
    const before = requests().length;
    await expect(idv.deleteSubject!({ provider: 'jumio' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(requests()).toHaveLength(before);
  });
});

describe('completeCapture', () => {
  it('starts nothing, however often: every submit answers the session', async () => {
    const idv = kyx();
    const started = await idv.startVerification({ identityReference: 'identity-60' });
    const before = requests().length;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => idv.completeCapture(started.session)),
    );
    expect(answers.every((a) => a === started.session)).toBe(true);
    expect(requests()).toHaveLength(before);
  });
});

describe('typed callbacks', () => {
  function callback(status: string) {
    const account = '0d1b85cb-6693-40f3-a78a-ed1db2b1f565';
    const execution = '239ad0f7-6d1a-4157-bba4-cebdc56851af';
    return {
      body: JSON.stringify({
        callbackSentAt: '2026-01-01T10:00:00.000Z',
        workflowExecution: { id: execution, status },
        account: { id: account },
      }),
      headers: { 'content-type': 'application/json' },
    };
  }

  it.each([...JUMIO_KYX_EVENT_TYPES])(
    '%s is a known KYX event with the account and execution',
    async (status) => {
      const event: JumioWebhookEvent = await kyx().verifyWebhook(callback(status));
      expect(isKnownKyxEvent(status)).toBe(true);
      expect(event).toMatchObject({
        known: true,
        platform: 'kyx',
        type: status,
        accountId: '0d1b85cb-6693-40f3-a78a-ed1db2b1f565',
        workflowExecutionId: '239ad0f7-6d1a-4157-bba4-cebdc56851af',
        actionable: status !== 'INITIATED' && status !== 'ACQUIRED',
      });
    },
  );

  it('a status Jumio added later is verified, known: false, and actionable (the host fetches the result)', async () => {
    const event = await kyx().verifyWebhook(callback('REVIEW_PENDING'));
    expect(event).toMatchObject({
      known: false,
      platform: 'kyx',
      type: 'REVIEW_PENDING',
      actionable: true,
    });
  });

  it('Netverify callbacks: NETVERIFYID is known, another callback type is not', async () => {
    const idv = jumio(options({ mode: 'netverify' }));
    const form = (type?: string) => ({
      body: new URLSearchParams({
        ...(type === undefined ? {} : { callBackType: type }),
        jumioIdScanReference: 'scan-1',
        verificationStatus: 'APPROVED_VERIFIED',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await idv.verifyWebhook(form())).toMatchObject({
      known: true,
      platform: 'netverify',
      type: 'NETVERIFYID',
      scanReference: 'scan-1',
    });
    expect(await idv.verifyWebhook(form('DOCUMENT'))).toMatchObject({
      known: false,
      platform: 'netverify',
      type: 'DOCUMENT',
      scanReference: 'scan-1',
    });
  });
});

describe('Netverify mode', () => {
  it('has neither refreshLink nor deleteSubject: a transaction belongs to no account', async () => {
    const idv = await createProvider(emulator.config({ mode: 'netverify' }));
    expect(idv.refreshLink).toBeUndefined();
    expect(idv.deleteSubject).toBeUndefined();
    const kyxProvider = await createProvider(emulator.config());
    expect(kyxProvider.refreshLink).toBeTypeOf('function');
    expect(kyxProvider.deleteSubject).toBeTypeOf('function');
  });
});
