/**
 * The customer's part: capturing a document (front and back) and a live photo
 * with Onfido's SDK, which needs a live SDK token (or, in Studio, a live run
 * link). For a session whose chosen outcome is `EXPIRED`, the customer never
 * captures and the link runs out instead.
 *
 * @module
 */
import type { SessionRef } from 'idv-providers';
import { LINK_LIFETIME_MS, type OnfidoEngine } from './engine';
import type { ApplicantRecord, WorkflowRunRecord } from './state';
import type { RealmInfo } from './views';

function applicantOf(engine: OnfidoEngine, session: SessionRef): ApplicantRecord {
  const { state } = engine;
  const id =
    session.subjectId ??
    (session.attemptId === undefined
      ? undefined
      : (state.runs.get(session.attemptId)?.applicantId ??
        state.checks.get(session.attemptId)?.applicantId));
  const applicant = id === undefined ? undefined : state.applicants.get(id);
  if (applicant === undefined) {
    throw new Error(`[onfido emulator] no applicant for session ${JSON.stringify(session)}`);
  }
  return applicant;
}

function openRun(engine: OnfidoEngine, applicant: ApplicantRecord): WorkflowRunRecord | undefined {
  return [...engine.state.runs.values()]
    .filter((r) => r.applicantId === applicant.id && r.status === 'awaiting_input')
    .sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** Plays the customer for a session. */
export function customerJourney(
  engine: OnfidoEngine,
  session: SessionRef,
  realmOf: (name: string) => RealmInfo,
): void {
  const applicant = applicantOf(engine, session);
  const realm = realmOf(applicant.realm);
  const run = openRun(engine, applicant);
  const { outcome, person } = engine.chosen(applicant);
  const now = engine.now();

  if (outcome.expired === true) {
    const expiry = run === undefined ? now + LINK_LIFETIME_MS : Math.max(run.linkExpiresAt, now);
    engine.settings.clock.advance(expiry - now + 60_000);
    if (run !== undefined) engine.completeRun(realm, run);
    return;
  }

  const linkAlive =
    run === undefined
      ? applicant.sdkTokenExpiries.some((expiry) => expiry > now)
      : run.linkExpiresAt > now;
  if (!linkAlive) {
    throw new Error(
      `[onfido emulator] the customer cannot capture: the SDK token or link of applicant ${applicant.id} has expired or was never issued`,
    );
  }

  const country = person.issuingCountry ?? 'GBR';
  for (const side of ['front', 'back']) {
    engine.addFile(realm.name, applicant.id, 'documents', {
      type: 'driving_licence',
      side,
      issuingCountry: country,
    });
  }
  engine.addFile(realm.name, applicant.id, 'live_photos', {});

  if (run !== undefined) {
    run.status = 'processing';
    run.updatedAt = engine.now();
    if (engine.settings.autoComplete) engine.completeRun(realm, run);
  }
}
