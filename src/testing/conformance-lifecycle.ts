/**
 * The conformance suite's lifecycle scenarios: idempotent submits (one
 * instance, two instances with and without a shared lock), a refreshed link
 * that carries the whole flow, and deletion. Registered by
 * `runConformanceSuite` inside its `describe`.
 *
 * `refreshLink` and `deleteSubject` are optional members of the interface: a
 * provider without one skips its scenario (the suite reports it skipped).
 *
 * @module
 */
import {
  type CaptureLock,
  type IdentityVerificationProvider,
  isIdvError,
  NotFoundError,
  ProviderApiError,
  type SessionRef,
  type VerificationSession,
} from 'idv-providers';
import type { ProviderEmulator } from 'idv-providers/emulator-kit';
import { runVerificationFlow, SAMPLE_COUNTRY_OF_RESIDENCE, SAMPLE_PERSON } from './flow';

type Vitest = typeof import('vitest');

/** What the lifecycle scenarios need from the suite. */
export interface LifecycleContext {
  /** The provider's name. */
  name: string;
  /** A fresh emulator and a provider on it. */
  setUp(overrides?: Record<string, unknown>): Promise<IdentityVerificationProvider>;
  /** Another provider instance on the emulator of the last `setUp` (a second process). */
  another(overrides?: Record<string, unknown>): Promise<IdentityVerificationProvider>;
  /** The emulator of the last `setUp`. */
  emulator(): ProviderEmulator;
}

/**
 * A lock for provider instances in one process, standing in for the lock a
 * host holds across processes: holders of one key run one after another.
 */
export function createMemoryLock(): CaptureLock {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, critical: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(critical, critical);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

const person = { ...SAMPLE_PERSON, countryOfResidence: SAMPLE_COUNTRY_OF_RESIDENCE };

/** Registers the lifecycle scenarios. */
export function lifecycleScenarios(vitest: Vitest, suite: LifecycleContext): void {
  const { it, expect } = vitest;
  const { name } = suite;

  /** Starts a verification and plays the customer, with a CLEAR verdict. */
  async function captured(idv: IdentityVerificationProvider, identityReference: string) {
    const emulator = suite.emulator();
    const started = await idv.startVerification({ identityReference, person });
    emulator.setVerdict(started.session.subjectId, { reason: 'CLEAR', person: SAMPLE_PERSON });
    const before = emulator.deliveries().length;
    await emulator.completeCustomerJourney(started.session);
    return { started, before };
  }

  /** The attempts the deliveries since `before` say a result is ready for. */
  async function readyAttempts(idv: IdentityVerificationProvider, before: number) {
    const attempts = new Set<string>();
    for (const delivery of suite.emulator().deliveries().slice(before)) {
      const event = await idv.verifyWebhook({ body: delivery.body, headers: delivery.headers });
      if (event.actionable) {
        attempts.add(`${event.session.subjectId ?? ''}/${event.session.attemptId ?? ''}`);
      }
    }
    return attempts;
  }

  const attemptOf = (answers: SessionRef[]) => new Set(answers.map((a) => a.attemptId));
  const submits = (
    idv: IdentityVerificationProvider,
    session: SessionRef,
    n: number,
    lock?: CaptureLock,
  ) =>
    Array.from({ length: n }, () =>
      idv.completeCapture(session, lock === undefined ? {} : { lock }),
    );

  it('completeCapture is idempotent: twenty concurrent submits start one attempt', async () => {
    const idv = await suite.setUp();
    const { started, before } = await captured(idv, 'conformance-submit-20');
    const answers = await Promise.all(submits(idv, started.session, 20));
    expect(attemptOf(answers).size).toBe(1);
    const [first] = answers;
    for (const answer of answers) {
      expect(answer).toMatchObject({ provider: name, subjectId: started.session.subjectId });
    }
    if (idv.capabilities.requiresCompleteCapture) expect(first?.attemptId).toMatch(/\S/);
    expect((await idv.completeCapture(started.session)).attemptId).toBe(first?.attemptId);
    expect((await readyAttempts(idv, before)).size).toBe(1);
    const result = await idv.getResult(started.session);
    expect(result.reason).toBe('CLEAR');
    expect(result.session.attemptId).toBe(first?.attemptId);
  });

  it('completeCapture across two instances with a shared lock starts exactly one attempt', async () => {
    const lock = createMemoryLock();
    const one = await suite.setUp();
    const other = await suite.another();
    const { started, before } = await captured(one, 'conformance-submit-lock');
    const answers = await Promise.all([
      ...submits(one, started.session, 10, lock),
      ...submits(other, started.session, 10, lock),
    ]);
    expect(attemptOf(answers).size).toBe(1);
    expect((await readyAttempts(one, before)).size).toBe(1);
  });

  it('completeCapture across two instances without a lock: every later submit and result agree', async () => {
    const one = await suite.setUp();
    const other = await suite.another();
    const { started } = await captured(one, 'conformance-submit-race');
    const racing = await Promise.all([
      ...submits(one, started.session, 10),
      ...submits(other, started.session, 10),
    ]);
    const later = [
      await one.completeCapture(started.session),
      await other.completeCapture(started.session),
    ];
    expect(later[1]?.attemptId).toBe(later[0]?.attemptId);
    // The attempt they agree on is one a racing submit answered.
    expect(racing.map((r) => r.attemptId)).toContain(later[0]?.attemptId);
    expect((await other.getResult(started.session)).session.attemptId).toBe(later[0]?.attemptId);
  });

  it('refreshLink gives a new link for the same subject, and the flow completes through it', async (context) => {
    const idv = await suite.setUp();
    if (idv.refreshLink === undefined) return context.skip();
    const emulator = suite.emulator();
    const identityReference = 'conformance-refresh';
    const started = await idv.startVerification({ identityReference, person });
    const refreshed: VerificationSession = await idv.refreshLink(started.session, {
      identityReference,
    });
    expect(refreshed.session.provider).toBe(name);
    expect(refreshed.session.subjectId).toBe(started.session.subjectId);
    expect(refreshed.customerUrl ?? refreshed.sdkToken).toMatch(/\S/);
    expect([refreshed.customerUrl, refreshed.sdkToken]).not.toEqual([
      started.customerUrl,
      started.sdkToken,
    ]);
    expect(refreshed.expiresAt.getTime()).toBeGreaterThanOrEqual(started.expiresAt.getTime());

    emulator.setVerdict(refreshed.session.subjectId, { reason: 'CLEAR', person: SAMPLE_PERSON });
    const before = emulator.deliveries().length;
    await emulator.completeCustomerJourney(refreshed.session);
    let ref: SessionRef = refreshed.session;
    if (idv.capabilities.requiresCompleteCapture) ref = await idv.completeCapture(ref);
    const delivery = emulator.deliveries().slice(before).at(-1);
    expect(delivery, 'the provider says the refreshed attempt is done').toBeDefined();
    const event = await idv.verifyWebhook({ body: delivery!.body, headers: delivery!.headers });
    expect(event.actionable).toBe(true);
    const result = await idv.getResult({ ...ref, ...event.session });
    expect(result.reason).toBe('CLEAR');
    expect(result.session.subjectId ?? refreshed.session.subjectId).toBe(
      refreshed.session.subjectId,
    );
    if (refreshed.session.attemptId !== undefined) {
      expect(result.session.attemptId).toBe(refreshed.session.attemptId);
    }
  });

  it('deleteSubject deletes the subject: later reads fail, a second deletion finds nothing', async (context) => {
    const idv = await suite.setUp();
    if (idv.deleteSubject === undefined) return context.skip();
    const run = await runVerificationFlow(idv, suite.emulator(), {
      identityReference: 'conformance-delete',
      reason: 'CLEAR',
    });
    const session: SessionRef = { ...run.session.session, ...run.result.session };
    expect(run.documents.length).toBeGreaterThan(0);

    const deleted = await idv.deleteSubject(session);
    expect(deleted).toMatchObject({
      provider: name,
      subjectId: run.session.session.subjectId,
      outcome: 'deleted',
    });
    expect(typeof deleted.restorable).toBe('boolean');

    await expect(idv.getResult(session)).rejects.toBeInstanceOf(NotFoundError);
    const listing = await idv.listDocuments(session).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(listing).toBeInstanceOf(ProviderApiError);
    expect((listing as ProviderApiError).status).toBeGreaterThanOrEqual(400);
    expect((listing as ProviderApiError).status).toBeLessThan(500);
    const download = await idv.downloadDocument(run.documents[0]!.info).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isIdvError(download)).toBe(true);
    expect([404, 410]).toContain((download as ProviderApiError).status);

    expect((await idv.deleteSubject(session)).outcome).toBe('not_found');
  });
}
