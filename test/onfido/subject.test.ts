/**
 * After the start: a new link for the same applicant (classic and Studio), the
 * applicant's deletion into Onfido's archive, and its restoration.
 */
import {
  createProvider,
  InvalidInputError,
  NotFoundError,
  ProviderApiError,
  type SessionRef,
} from 'idv-providers';
import { type OnfidoProvider, onfido, restoreOnfidoApplicant } from 'idv-providers/onfido';
import { createJumioEmulator } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

const { emulator } = useOnfidoEmulator();
const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60_000;

/** The provider as `onfido()` types it: refreshLink and deleteSubject always there. */
function direct(overrides: Record<string, unknown> = {}): OnfidoProvider {
  const { provider: _name, ...options } = emulator.config({ autoRegistration: true, ...overrides });
  return onfido(options as Parameters<typeof onfido>[0]);
}
const classic = (): OnfidoProvider => direct();
const studio = (): OnfidoProvider => direct({ workflowId: emulator.workflowId });

function claims(sdkToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(sdkToken.split('.')[1]!, 'base64url').toString('utf8'));
}

const requests = () => emulator.requests().map((r) => `${r.method} ${r.pathname}`);

describe('refreshLink, classic', () => {
  it('issues a new SDK token for the same applicant, with the verification site link', async () => {
    const idv = classic();
    const started = await idv.startVerification({ identityReference: 'identity-1', person: ADA });
    emulator.clock.advance(30 * MINUTE);
    const before = requests().length;
    const refreshed = await idv.refreshLink(started.session, { identityReference: 'identity-1' });
    expect(requests().slice(before)).toEqual(['POST /v3.6/sdk_token']);
    expect(refreshed.session).toEqual({ provider: 'onfido', subjectId: started.session.subjectId });
    expect(refreshed.customerUrl).toBe(started.customerUrl);
    expect(refreshed.sdkToken).not.toBe(started.sdkToken);
    expect(claims(refreshed.sdkToken!)['app']).toBe(started.session.subjectId);
    expect(refreshed.expiresAt.getTime()).toBe(emulator.clock.now() + 90 * MINUTE);
    expect(refreshed.expiresAt.getTime() - started.expiresAt.getTime()).toBe(30 * MINUTE);
  });

  it('lets a customer whose first link ran out capture with the new one', async () => {
    const idv = classic();
    const started = await idv.startVerification({ identityReference: 'identity-2', person: ADA });
    emulator.clock.advance(91 * MINUTE);
    await expect(emulator.completeCustomerJourney(started.session)).rejects.toThrow(/expired/);
    const refreshed = await idv.refreshLink(started.session, { identityReference: 'identity-2' });
    await emulator.completeCustomerJourney(refreshed.session);
    const submitted = await idv.completeCapture(refreshed.session);
    const result = await idv.getResult(submitted);
    expect(result.status).toBe('registered');
    expect(result.session.subjectId).toBe(started.session.subjectId);
  });

  it('refuses a session without an applicant, another provider’s, or no identity reference, before any request', async () => {
    const idv = classic();
    const cases: Array<[SessionRef, string]> = [
      [{ provider: 'onfido' }, 'identity-3'],
      [{ provider: 'jumio', subjectId: 'a' }, 'identity-3'],
      [{ provider: 'onfido', subjectId: 'a' }, ' '],
    ];
    for (const [session, identityReference] of cases) {
      await expect(idv.refreshLink(session, { identityReference })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    }
    expect(requests()).toEqual([]);
  });

  it('is reached through createProvider too, as an optional member', async () => {
    const idv = await createProvider(emulator.config());
    const started = await idv.startVerification({ identityReference: 'identity-4', person: ADA });
    expect(idv.refreshLink).toBeTypeOf('function');
    const refreshed = await idv.refreshLink!(started.session, { identityReference: 'identity-4' });
    expect(refreshed.session.subjectId).toBe(started.session.subjectId);
  });
});

describe('refreshLink, Studio', () => {
  it('starts a new workflow run for the applicant, with its own link, and the flow completes through it', async () => {
    const idv = studio();
    const started = await idv.startVerification({ identityReference: 'identity-5', person: ADA });
    const before = requests().length;
    const refreshed = await idv.refreshLink(started.session, { identityReference: 'identity-5' });
    expect(requests().slice(before)).toEqual(['POST /v3.6/workflow_runs']);
    expect(refreshed.session.subjectId).toBe(started.session.subjectId);
    expect(refreshed.session.attemptId).toMatch(/\S/);
    expect(refreshed.session.attemptId).not.toBe(started.session.attemptId);
    expect(refreshed.customerUrl).toMatch(/^https:\/\/eu\.onfido\.app\/l\//);
    expect(refreshed.customerUrl).not.toBe(started.customerUrl);

    const runs = await fetch(
      `https://api.eu.onfido.com/v3.6/workflow_runs?applicant_id=${started.session.subjectId}`,
      { headers: { Authorization: `Token token=${emulator.apiToken}` } },
    ).then((r) => r.json() as Promise<Array<{ id: string; customer_user_id: string }>>);
    expect(runs.map((r) => r.customer_user_id)).toEqual(['identity-5', 'identity-5']);

    await emulator.completeCustomerJourney(refreshed.session);
    const result = await idv.getResult(refreshed.session);
    expect(result.status).toBe('registered');
    expect(result.session.attemptId).toBe(refreshed.session.attemptId);
    // The superseded run is still waiting: its result is not the verdict.
    expect((await idv.getResult(started.session)).status).toBe('pending');
  });
});

describe('deleteSubject', () => {
  async function verified() {
    const idv = classic();
    const started = await idv.startVerification({ identityReference: 'identity-6', person: ADA });
    await emulator.completeCustomerJourney(started.session);
    const session = await idv.completeCapture(started.session);
    expect((await idv.getResult(session)).status).toBe('registered');
    return { idv, session };
  }

  it('deletes the applicant into the archive: reads by id are 404, lists refuse it, restorable', async () => {
    const { idv, session } = await verified();
    const documents = await idv.listDocuments(session);
    const before = requests().length;
    const deleted = await idv.deleteSubject(session);
    expect(requests().slice(before)).toEqual([`DELETE /v3.6/applicants/${session.subjectId}`]);
    expect(deleted).toEqual({
      provider: 'onfido',
      subjectId: session.subjectId,
      outcome: 'deleted',
      restorable: true,
    });
    await expect(idv.getResult(session)).rejects.toBeInstanceOf(NotFoundError);
    await expect(idv.downloadDocument(documents[0]!)).rejects.toBeInstanceOf(NotFoundError);
    const listing = await idv.listDocuments(session).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(listing).toBeInstanceOf(ProviderApiError);
    expect((listing as ProviderApiError).status).toBe(422);
    // By applicant id alone, the result is refused as well.
    await expect(
      idv.getResult({ provider: 'onfido', subjectId: session.subjectId }),
    ).rejects.toBeInstanceOf(ProviderApiError);
  });

  it('a second deletion (or an applicant never created here) is not_found, not an error', async () => {
    const { idv, session } = await verified();
    await idv.deleteSubject(session);
    expect(await idv.deleteSubject(session)).toEqual({
      provider: 'onfido',
      subjectId: session.subjectId,
      outcome: 'not_found',
      restorable: false,
    });
    expect(
      (
        await idv.deleteSubject({
          provider: 'onfido',
          subjectId: '00000000-0000-4000-8000-000000000000',
        })
      ).outcome,
    ).toBe('not_found');
  });

  it('is refused while a check runs (deletion_incomplete_checks), and works once it completed', async () => {
    const { idv, session } = await verified();
    await emulator.reopenCheck(session.attemptId!);
    const refused = await idv.deleteSubject(session).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ProviderApiError);
    expect(refused).toMatchObject({ status: 422, providerErrorType: 'deletion_incomplete_checks' });
    await emulator.completeChecks();
    expect((await idv.deleteSubject(session)).outcome).toBe('deleted');
  });

  it('restoreOnfidoApplicant brings the applicant back with its check within the deletion delay', async () => {
    const { idv, session } = await verified();
    await idv.deleteSubject(session);
    emulator.clock.advance(19 * DAY);
    await restoreOnfidoApplicant(idv, session);
    const result = await idv.getResult(session);
    expect(result.status).toBe('registered');
    expect(result.session.attemptId).toBe(session.attemptId);
    expect(await idv.listDocuments(session)).not.toEqual([]);
  });

  it('after the deletion delay the applicant is gone for good: restore fails, deletion finds nothing', async () => {
    const { idv, session } = await verified();
    await idv.deleteSubject(session);
    emulator.clock.advance(20 * DAY + MINUTE);
    await expect(restoreOnfidoApplicant(idv, session)).rejects.toBeInstanceOf(NotFoundError);
    expect((await idv.deleteSubject(session)).outcome).toBe('not_found');
  });

  it('restoreOnfidoApplicant refuses a provider that is not Onfido’s, and a session without an applicant', async () => {
    const jumio = createJumioEmulator();
    const other = await createProvider(jumio.config());
    await expect(
      restoreOnfidoApplicant(other, { provider: 'onfido', subjectId: 'a' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(restoreOnfidoApplicant(classic(), { provider: 'onfido' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(requests()).toEqual([]);
  });
});
