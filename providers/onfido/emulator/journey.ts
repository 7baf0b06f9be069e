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
import type { ApplicantRecord, FileRecord, WorkflowRunRecord } from './state';
import { familyOf } from './verdicts';
import type { RealmInfo } from './views';

/** The ids of the recorded media every emulator holds (see `ONFIDO_SAMPLE_MEDIA`). */
export interface SampleMediaIds {
  applicantId: string;
  liveVideoIds: readonly string[];
  motionCaptureIds: readonly string[];
}

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

/**
 * The run whose link the customer opened: the session's run (`attemptId`)
 * while it waits for input, else the applicant's newest waiting run. After
 * `refreshLink` the applicant has two waiting runs, and the session names
 * the new one.
 */
function openRun(
  engine: OnfidoEngine,
  applicant: ApplicantRecord,
  runId: string | undefined,
): WorkflowRunRecord | undefined {
  const waiting = [...engine.state.runs.values()].filter(
    (r) => r.applicantId === applicant.id && r.status === 'awaiting_input',
  );
  return (
    waiting.find((r) => r.id === runId) ?? waiting.sort((a, b) => b.createdAt - a.createdAt)[0]
  );
}

/** Plays the customer for a session. */
export function customerJourney(
  engine: OnfidoEngine,
  session: SessionRef,
  realmOf: (name: string) => RealmInfo,
): void {
  const applicant = applicantOf(engine, session);
  const realm = realmOf(applicant.realm);
  const run = openRun(engine, applicant, session.attemptId);
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
  const steps = run?.steps ?? ['document', 'facial_similarity_photo'];
  const families = new Set(steps.map(familyOf));
  if (families.has('document') || families.has('facial_similarity')) {
    for (const side of ['front', 'back']) {
      engine.addFile(realm.name, applicant.id, 'documents', {
        type: 'driving_licence',
        side,
        issuingCountry: country,
      });
    }
  }
  engine.addFile(realm.name, applicant.id, faceCapture(steps), {});

  if (run !== undefined) {
    run.status = 'processing';
    run.updatedAt = engine.now();
    if (engine.settings.autoComplete) engine.completeRun(realm, run);
  }
}

/**
 * What the SDK captures of the face for a workflow's steps: a motion capture
 * for `facial_similarity_motion`, a live video for `facial_similarity_video`,
 * else a live photo (docs/provider-facts.md#o-med-1).
 */
function faceCapture(steps: readonly string[]): FileRecord['kind'] {
  if (steps.includes('facial_similarity_motion')) return 'motion_captures';
  if (steps.includes('facial_similarity_video')) return 'live_videos';
  return 'live_photos';
}

/**
 * Records the sample applicant and its live videos and motion captures, with
 * their stable ids, as captured a month before the emulator's present.
 */
export function seedSampleMedia(engine: OnfidoEngine, realm: RealmInfo, ids: SampleMediaIds): void {
  const recordedAt = engine.now() - 30 * 24 * 60 * 60 * 1000;
  const applicant = engine.createApplicant(
    realm,
    {
      firstName: 'Sample',
      lastName: 'Applicant',
      location: { countryOfResidence: 'GBR' },
    },
    [],
    { id: ids.applicantId, createdAt: recordedAt },
  );
  for (const id of ids.liveVideoIds) {
    engine.addFile(realm.name, applicant.id, 'live_videos', { id, createdAt: recordedAt });
  }
  for (const id of ids.motionCaptureIds) {
    engine.addFile(realm.name, applicant.id, 'motion_captures', { id, createdAt: recordedAt });
  }
}
