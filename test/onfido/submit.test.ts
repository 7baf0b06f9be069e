/**
 * The submit is idempotent: one check per capture, however often and however
 * concurrently the verification site submits, in one process and across two
 * (two provider instances on one emulator), with and without the host's lock.
 */
import {
  type CaptureLock,
  createProvider,
  type IdentityVerificationProvider,
  NetworkError,
  type SessionRef,
  UnexpectedResponseError,
} from 'idv-providers';
import { onfidoCaptureLockKey } from 'idv-providers/onfido';
import { createMemoryLock } from 'idv-providers/testing';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

const { emulator, server } = useOnfidoEmulator();

/** Resolves once `done()` holds (checked every few milliseconds). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** A provider instance: each stands for a process of the host. */
const instance = (): Promise<IdentityVerificationProvider> =>
  createProvider(emulator.config({ autoRegistration: true }));

async function captured(idv: IdentityVerificationProvider, reference = 'identity-submit') {
  const started = await idv.startVerification({ identityReference: reference, person: ADA });
  await emulator.completeCustomerJourney(started.session);
  return started.session;
}

const postedChecks = () => emulator.requestCount('POST', /\/checks$/);
const ids = (answers: SessionRef[]) => [...new Set(answers.map((a) => a.attemptId))];
/** The applicant's earliest check as the API lists it (by `created_at`, then id). */
async function earliest(applicantId: string): Promise<string> {
  const answer = await fetch(`https://api.eu.onfido.com/v3.6/checks?applicant_id=${applicantId}`, {
    headers: { Authorization: `Token token=${emulator.apiToken}` },
  });
  const { checks } = (await answer.json()) as { checks: Array<{ id: string; created_at: string }> };
  return [...checks].sort(
    (a, b) =>
      Date.parse(a.created_at) - Date.parse(b.created_at) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )[0]!.id;
}

describe('in one provider instance', () => {
  it('twenty concurrent submits create exactly one check and all answer it', async () => {
    const idv = await instance();
    const session = await captured(idv);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => idv.completeCapture(session)),
    );
    const checks = emulator.checks(session.subjectId!);
    expect(checks).toHaveLength(1);
    expect(postedChecks()).toBe(1);
    expect(ids(answers)).toEqual([checks[0]!.id]);
    // One search and one creation, shared: not twenty.
    expect(emulator.requestCount('GET', /\/checks$/)).toBe(2);
  });

  it('a later submit of the same capture answers the finished check without a POST', async () => {
    const idv = await instance();
    const session = await captured(idv);
    const first = await idv.completeCapture(session);
    expect((await idv.getResult(first)).status).toBe('registered');
    const again = await idv.completeCapture(session);
    expect(again).toEqual(first);
    expect(postedChecks()).toBe(1);
  });

  it('a later submit answers a check running again', async () => {
    const idv = await instance();
    const session = await captured(idv);
    const first = await idv.completeCapture(session);
    await emulator.reopenCheck(first.attemptId!);
    expect(emulator.checks(session.subjectId!)[0]!.status).not.toBe('complete');
    const again = await idv.completeCapture(session);
    expect(again.attemptId).toBe(first.attemptId);
    expect(postedChecks()).toBe(1);
  });

  it('a customer who captured again under the same applicant gets a new check, read by getResult', async () => {
    const idv = await instance();
    const session = await captured(idv);
    const first = await idv.completeCapture(session);
    emulator.clock.advance(60_000);
    // A retry: a new link for the same applicant, a new capture, a new submit.
    const refreshed = await idv.refreshLink!(session, { identityReference: 'identity-submit' });
    emulator.clock.advance(60_000);
    await emulator.completeCustomerJourney(refreshed.session);
    const second = await idv.completeCapture(refreshed.session);
    expect(second.attemptId).not.toBe(first.attemptId);
    expect(emulator.checks(session.subjectId!)).toHaveLength(2);
    expect((await idv.getResult(session)).session.attemptId).toBe(second.attemptId);
    // And the second capture's submit is idempotent in turn.
    expect((await idv.completeCapture(refreshed.session)).attemptId).toBe(second.attemptId);
    expect(postedChecks()).toBe(2);
  });

  it('a returning identity (existingSubjectId) that captured again gets a new check', async () => {
    const idv = await instance();
    const session = await captured(idv);
    const first = await idv.completeCapture(session);
    emulator.clock.advance(24 * 60 * 60_000);
    const back = await idv.startVerification({
      identityReference: 'identity-submit',
      existingSubjectId: session.subjectId,
    });
    emulator.clock.advance(60_000);
    await emulator.completeCustomerJourney(back.session);
    const second = await idv.completeCapture(back.session);
    expect(second.attemptId).not.toBe(first.attemptId);
    expect(back.session.subjectId).toBe(session.subjectId);
  });

  it('after an answer lost on the way back, the next submit finds the check the POST made', async () => {
    const idv = await instance();
    const session = await captured(idv);
    // The check is created, then its answer arrives broken.
    emulator.fail({ kind: 'truncated-body' }, { method: 'POST', path: /\/checks$/ });
    await expect(idv.completeCapture(session)).rejects.toBeInstanceOf(UnexpectedResponseError);
    expect(emulator.checks(session.subjectId!)).toHaveLength(1);
    const again = await idv.completeCapture(session);
    expect(again.attemptId).toBe(emulator.checks(session.subjectId!)[0]!.id);
    expect(postedChecks()).toBe(1);
  });

  it('cancelling one waiting submit does not cancel the check the others wait for', async () => {
    const idv = await instance();
    const session = await captured(idv);
    emulator.fail({ kind: 'delay', ms: 50 }, { method: 'POST', path: /\/checks$/ });
    const cancel = new AbortController();
    const waiting = idv.completeCapture(session, { signal: cancel.signal });
    const others = [idv.completeCapture(session), idv.completeCapture(session)];
    cancel.abort();
    const error = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).systemCode).toBe('ERR_CANCELED');
    const answers = await Promise.all(others);
    expect(ids(answers)).toEqual([emulator.checks(session.subjectId!)[0]!.id]);
    expect(postedChecks()).toBe(1);
  });

  it('a session that names its check is answered as it is, without a request', async () => {
    const idv = await instance();
    const session = await captured(idv);
    const first = await idv.completeCapture(session);
    const before = emulator.requests().length;
    expect(await idv.completeCapture(first)).toEqual(first);
    expect(emulator.requests()).toHaveLength(before);
  });
});

describe('across two processes (two provider instances)', () => {
  const searches = () => emulator.requestCount('GET', /\/checks$/);
  /** Holds the first POST /checks until both instances have looked for a check. */
  const raceCreations = () => {
    let posts = 0;
    server.use(
      http.post('https://api.eu.onfido.com/v3.6/checks', async () => {
        posts += 1;
        if (posts === 1) await until(() => searches() >= 2);
        return undefined; // on to the emulator
      }),
    );
  };

  it('with the host lock, exactly one check, whatever the timing', async () => {
    const used: string[] = [];
    const shared = createMemoryLock();
    const lock: CaptureLock = (key, critical) => {
      used.push(key);
      return shared(key, critical);
    };
    const [one, other] = [await instance(), await instance()];
    const session = await captured(one);
    // Whatever the timing: creations answered late change nothing under the lock.
    emulator.fail({ kind: 'delay', ms: 40 }, { method: 'POST', path: /\/checks$/, times: 2 });
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => one.completeCapture(session, { lock })),
      ...Array.from({ length: 10 }, () => other.completeCapture(session, { lock })),
    ]);
    expect(emulator.checks(session.subjectId!)).toHaveLength(1);
    expect(ids(answers)).toEqual([emulator.checks(session.subjectId!)[0]!.id]);
    // One search-or-create per instance, each under the lock named for the applicant.
    expect(used).toEqual([
      onfidoCaptureLockKey(session.subjectId!),
      onfidoCaptureLockKey(session.subjectId!),
    ]);
    expect(used[0]).toBe(`idv:onfido:capture:${session.subjectId}`);
  });

  it('without a lock, racing instances create at most one check each, then all agree on the earliest', async () => {
    const [one, other] = [await instance(), await instance()];
    const session = await captured(one);
    raceCreations();
    const racing = await Promise.all([
      ...Array.from({ length: 10 }, () => one.completeCapture(session)),
      ...Array.from({ length: 10 }, () => other.completeCapture(session)),
    ]);
    // Both looked before either created: one check each, never more.
    const checks = emulator.checks(session.subjectId!);
    expect(checks).toHaveLength(2);
    expect(postedChecks()).toBe(2);
    // Inside each instance the ten submits shared one answer.
    expect(ids(racing.slice(0, 10))).toHaveLength(1);
    expect(ids(racing.slice(10))).toHaveLength(1);
    // From then on every submit, from either instance, and the result by applicant id answer the earliest.
    const winner = await earliest(session.subjectId!);
    expect(ids(racing)).toContain(winner);
    const later = await Promise.all([
      one.completeCapture(session),
      other.completeCapture(session),
      (await instance()).completeCapture(session),
    ]);
    expect(ids(later)).toEqual([winner]);
    expect((await other.getResult(session)).session.attemptId).toBe(winner);
    expect(postedChecks()).toBe(2);
  });

  it('without a lock, a racing submit that sees the other instance’s earlier check answers it', async () => {
    const [one, other] = [await instance(), await instance()];
    const session = await captured(one);
    // Both instances look first; then the first creation is made, and the second one a second
    // later on Onfido's clock (an earlier answer falls through to the emulator).
    let posts = 0;
    server.use(
      http.post('https://api.eu.onfido.com/v3.6/checks', async () => {
        posts += 1;
        const nth = posts;
        if (nth === 1) await until(() => searches() >= 2);
        if (nth === 2) {
          await until(() => emulator.checks(session.subjectId!).length === 1);
          emulator.clock.advance(1000);
        }
        return undefined;
      }),
    );
    const racing = await Promise.all([
      one.completeCapture(session),
      other.completeCapture(session),
    ]);
    expect(emulator.checks(session.subjectId!)).toHaveLength(2);
    // The instance whose check came second saw both after creating its own, and took the earlier.
    expect(ids(racing)).toEqual([await earliest(session.subjectId!)]);
  });

  it('without a lock and without a race, the second process finds the first one’s check', async () => {
    const [one, other] = [await instance(), await instance()];
    const session = await captured(one);
    const first = await one.completeCapture(session);
    const second = await other.completeCapture(session);
    expect(second.attemptId).toBe(first.attemptId);
    expect(postedChecks()).toBe(1);
  });
});

describe('Studio', () => {
  it('starts nothing on submit: the workflow runs its own checks', async () => {
    const idv = await createProvider(emulator.config({ workflowId: emulator.workflowId }));
    const started = await idv.startVerification({ identityReference: 'identity-run', person: ADA });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => idv.completeCapture(started.session)),
    );
    expect(ids(answers)).toEqual([started.session.attemptId]);
    expect(postedChecks()).toBe(0);
  });
});
