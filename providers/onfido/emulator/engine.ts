/**
 * The emulated service's behaviour, independent of HTTP: applicants, SDK
 * tokens, checks and their completion, workflow runs, files and webhook events.
 *
 * @module
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { WorkflowRunStatus } from '@onfido/api';
import type { ExtractedPerson } from 'idv-providers';
import {
  type AdvanceableClock,
  type EmulatorDelivery,
  generatePng,
} from 'idv-providers/emulator-kit';
import { buildDelivery, type EventObject, subscribes } from './deliveries';
import { generatedFile } from './files';
import { sampleVideo } from './media';
import { chosenValue, type SpecValues } from './reference';
import { checkResultOf, completeReport, samplePerson } from './reports';
import {
  type ApplicantRecord,
  type CheckRecord,
  EmulatorState,
  type FileRecord,
  type ReportRecord,
  type WorkflowRunRecord,
} from './state';
import { familyOf, type OnfidoOutcome, workflowStatusOf } from './verdicts';
import { type RealmInfo, runResourceView } from './views';
import type { WebhookAction } from './webhook-events';

/** How long an SDK token or a workflow run link lives. */
export const LINK_LIFETIME_MS = 90 * 60 * 1000;

/** Settings of the engine. */
export interface EngineSettings {
  clock: AdvanceableClock;
  /** Complete checks (and Studio runs) as soon as they can run. */
  autoComplete: boolean;
  /** Receives every webhook delivery; answers the HTTP status the host returned. */
  deliver?: ((delivery: EmulatorDelivery) => Promise<number | undefined>) | undefined;
  /** How long a workflow run's link lives when the request sets no `link.expires_at`. */
  workflowLinkLifetimeMs: number;
  /**
   * How long a deleted applicant stays in the archive, restorable, before it
   * and everything of it are gone (docs/provider-facts.md#o-app-11).
   */
  deletionDelayMs: number;
}

/** What `POST /checks` sets beyond the reports (docs/provider-facts.md#o-chk-5). */
export interface CheckSettings {
  webhookIds?: readonly string[] | undefined;
  tags?: readonly string[] | undefined;
  redirectUri?: string | undefined;
  applicantProvidesData?: boolean | undefined;
  privacyNoticesReadConsentGiven?: boolean | undefined;
  /** The documents its document reports read; default every document of the applicant. */
  documentIds?: readonly string[] | undefined;
}

/** What each medium is, when a test or the journey does not say. */
const MEDIA_DEFAULTS: Readonly<
  Record<FileRecord['kind'], { name: (id: string) => string; extension: string; mime: string }>
> = {
  documents: {
    name: (id) => `document-${id.slice(0, 8)}.png`,
    extension: 'png',
    mime: 'image/png',
  },
  live_photos: {
    name: (id) => `live_photo-${id.slice(0, 8)}.png`,
    extension: 'png',
    mime: 'image/png',
  },
  // The names the sandbox gives (NODE-TESTS `id-photos.test.ts`,
  // `motion-captures.test.ts`, `live-videos.test.ts`; docs/provider-facts.md#o-src-1
  // names the source): an ID photo and a motion capture are named by a uuid,
  // a live video is `video.mov`.
  id_photos: { name: (id) => `${id}.png`, extension: 'png', mime: 'image/png' },
  live_videos: { name: () => 'video.mov', extension: 'mov', mime: 'video/quicktime' },
  motion_captures: { name: (id) => `${id}.mp4`, extension: 'mp4', mime: 'video/mp4' },
};

/**
 * A live video's challenge as Onfido's SDK records it: digits to recite and
 * a head movement (docs/provider-facts.md#o-med-2 leaves its items free-form).
 */
function sampleChallenge(id: string): Array<Record<string, unknown>> {
  const digits = id
    .replace(/[^0-9]/g, '')
    .padEnd(3, '7')
    .slice(0, 3);
  return [
    { type: 'recite', query: [...digits].map(Number) },
    { type: 'movement', query: Number(digits) % 2 === 0 ? 'turnLeft' : 'turnRight' },
  ];
}

/** The collections of an applicant's media, documents first. */
const MEDIA_KINDS = [
  'documents',
  'live_photos',
  'live_videos',
  'motion_captures',
  'id_photos',
] as const satisfies readonly FileRecord['kind'][];

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** The emulated service. */
export class OnfidoEngine {
  readonly state = new EmulatorState();
  readonly deliveries: EmulatorDelivery[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #failures: unknown[] = [];
  readonly #secret = randomBytes(32);

  constructor(readonly settings: EngineSettings) {}

  now(): number {
    return this.settings.clock.now();
  }

  reset(): void {
    this.state.clear();
    this.deliveries.length = 0;
    this.#failures.length = 0;
  }

  /** Waits for every delivery handed to `deliver`; throws the first failure of one. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
    const failure = this.#failures.shift();
    this.#failures.length = 0;
    if (failure !== undefined) throw failure;
  }

  createApplicant(
    realm: RealmInfo,
    fields: {
      firstName: string;
      lastName: string;
      email?: string | undefined;
      dob?: string | undefined;
      phoneNumber?: string | undefined;
      address?: ApplicantRecord['address'];
      idNumbers?: ApplicantRecord['idNumbers'] | undefined;
      location?: ApplicantRecord['location'];
    },
    consents: ReadonlyArray<{ name: string; granted: boolean }> = [],
    settings: { id?: string; createdAt?: number } = {},
  ): ApplicantRecord {
    const { idNumbers, ...rest } = fields;
    const applicant: ApplicantRecord = {
      realm: realm.name,
      id: settings.id ?? randomUUID(),
      createdAt: settings.createdAt ?? this.now(),
      sdkTokenExpiries: [],
      consents: new Map(),
      idNumbers: [...(idNumbers ?? [])],
      ...rest,
    };
    this.grant(applicant, consents);
    this.state.applicants.set(applicant.id, applicant);
    return applicant;
  }

  /** Records consents given (a consent given again starts its validity again). */
  grant(
    applicant: ApplicantRecord,
    consents: ReadonlyArray<{ name: string; granted: boolean }>,
  ): void {
    for (const consent of consents) {
      applicant.consents.set(consent.name, {
        granted: consent.granted,
        grantedAt: consent.granted ? this.now() : null,
      });
    }
  }

  /** An SDK token shaped like Onfido's (a signed JWT naming the applicant and referrer). */
  issueSdkToken(applicant: ApplicantRecord, referrer: string | undefined): string {
    const expires = this.now() + LINK_LIFETIME_MS;
    applicant.sdkTokenExpiries.push(expires);
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const claims = base64url(
      JSON.stringify({
        app: applicant.id,
        ref: referrer ?? '*://*/*',
        exp: Math.floor(expires / 1000),
        jti: randomUUID(),
      }),
    );
    const signature = createHmac('sha256', this.#secret).update(`${header}.${claims}`).digest();
    return `${header}.${claims}.${base64url(signature)}`;
  }

  addFile(
    realm: string,
    applicantId: string,
    kind: FileRecord['kind'],
    details: Partial<
      Pick<
        FileRecord,
        'type' | 'side' | 'issuingCountry' | 'fileName' | 'fileType' | 'mime' | 'nfc' | 'challenge'
      >
    > & {
      bytes?: Uint8Array | undefined;
      size?: number | undefined;
      /** A stable id (the seeded media); default a new one. */
      id?: string | undefined;
      createdAt?: number | undefined;
    },
  ): FileRecord {
    const id = details.id ?? randomUUID();
    const medium = MEDIA_DEFAULTS[kind];
    const video = medium.mime.startsWith('video/');
    const bytes =
      details.size === undefined
        ? (details.bytes ??
          (video
            ? sampleVideo(id, kind === 'live_videos' ? 'qt  ' : 'isom')
            : generatePng(id, 48, 32, 'onfido-emulator')))
        : undefined;
    const mime = details.mime ?? medium.mime;
    const file: FileRecord = {
      realm,
      id,
      applicantId,
      kind,
      fileName: details.fileName ?? medium.name(id),
      fileType: details.fileType ?? (kind === 'documents' ? medium.extension : mime),
      mime,
      size: bytes?.length ?? details.size ?? 0,
      createdAt: details.createdAt ?? this.now(),
      ...(bytes === undefined ? {} : { bytes }),
      ...(details.size === undefined ? {} : { generated: generatedFile(id, details.size) }),
      ...(details.type === undefined ? {} : { type: details.type }),
      ...(details.side === undefined ? {} : { side: details.side }),
      ...(details.issuingCountry === undefined ? {} : { issuingCountry: details.issuingCountry }),
      ...(details.nfc === true ? { nfc: true } : {}),
      ...(kind === 'live_videos' ? { challenge: details.challenge ?? sampleChallenge(id) } : {}),
    };
    this.state.files.set(id, file);
    return file;
  }

  /** The outcome and person chosen for an applicant (CLEAR and a sample person by default). */
  chosen(applicant: ApplicantRecord): { outcome: OnfidoOutcome; person: ExtractedPerson } {
    const chosen = this.state.outcomes.get(applicant.id);
    return {
      outcome: chosen?.outcome ?? {},
      person: chosen?.person ?? samplePerson(applicant),
    };
  }

  createCheck(
    realm: RealmInfo,
    applicant: ApplicantRecord,
    reportNames: readonly string[],
    sandbox?: OnfidoOutcome,
    workflowRunId?: string,
    settings: CheckSettings = {},
  ): CheckRecord {
    const check: CheckRecord = {
      realm: realm.name,
      id: randomUUID(),
      applicantId: applicant.id,
      status: 'in_progress',
      result: null,
      reportNames: [...reportNames],
      reportIds: [],
      createdAt: this.now(),
      webhookIds: [...(settings.webhookIds ?? [])],
      tags: [...(settings.tags ?? [])],
      applicantProvidesData: settings.applicantProvidesData ?? false,
      privacyNoticesReadConsentGiven: settings.privacyNoticesReadConsentGiven ?? null,
      ...(settings.redirectUri === undefined ? {} : { redirectUri: settings.redirectUri }),
      ...(sandbox === undefined ? {} : { sandbox }),
      ...(workflowRunId === undefined ? {} : { workflowRunId }),
    };
    // The media each report reads: the applicant's files when the check
    // starts, or the documents the request names (docs/provider-facts.md#o-chk-5).
    const media: ReportRecord['media'] = {};
    for (const kind of MEDIA_KINDS) {
      media[kind] = this.state.filesOf(realm.name, applicant.id, kind).map((f) => f.id);
    }
    if (settings.documentIds !== undefined) media.documents = [...settings.documentIds];
    for (const name of reportNames) {
      const id = randomUUID();
      check.reportIds.push(id);
      this.state.reports.set(id, {
        realm: realm.name,
        id,
        checkId: check.id,
        name,
        status: 'awaiting_data',
        result: null,
        subResult: null,
        breakdown: {},
        properties: {},
        media,
        createdAt: this.now(),
      });
    }
    this.state.checks.set(check.id, check);
    if (workflowRunId === undefined)
      this.emit(realm, this.#checkEvent(realm, check, 'check.started'));
    return check;
  }

  /** The reports of a check, in the order they were asked for. */
  reportsOf(check: CheckRecord): ReportRecord[] {
    return check.reportIds
      .map((id) => this.state.reports.get(id))
      .filter((r): r is ReportRecord => r !== undefined);
  }

  /**
   * Finishes a check that is running (`in_progress`, or `reopened`): every
   * report gets its result, then `check.completed` is sent with the time it
   * completed. A reopened check completes again the same way, with the
   * verdict chosen now. A report held for approval (`awaiting_approval`)
   * waits, and so does the check, until the report is resumed or cancelled; a
   * cancelled report stays cancelled.
   */
  completeCheck(realm: RealmInfo, check: CheckRecord): void {
    if (check.status !== 'in_progress' && check.status !== 'reopened') return;
    const applicant = this.state.applicants.get(check.applicantId) as ApplicantRecord;
    const chosen = this.chosen(applicant);
    const outcome = check.sandbox ?? chosen.outcome;
    const reports = this.reportsOf(check);
    for (const report of reports) {
      if (report.status === 'awaiting_approval' || report.status === 'cancelled') continue;
      completeReport(report, outcome, chosen.person, this.#readFrom(report, applicant));
    }
    if (reports.some((r) => r.status === 'awaiting_approval')) return;
    check.status = 'complete';
    check.result = checkResultOf(reports.filter((r) => r.status !== 'cancelled'));
    check.completedAt = this.now();
    if (check.workflowRunId === undefined)
      this.emit(realm, this.#checkEvent(realm, check, 'check.completed'));
  }

  /** What a report reads besides the person: the applicant's address, an NFC chip. */
  #readFrom(report: ReportRecord, applicant: ApplicantRecord) {
    const nfc = (report.media.documents ?? []).some((id) => this.state.files.get(id)?.nfc === true);
    return { address: applicant.address, nfc };
  }

  /** Sends a complete check's `check.completed` again, as first sent (`POST /webhooks/resend`). */
  resendCompleted(realm: RealmInfo, check: CheckRecord): void {
    this.emit(realm, this.#checkEvent(realm, check, 'check.completed'));
  }

  /**
   * Reopens a complete check (status `reopened`, `check.reopened` sent): it
   * runs again, and completes again with {@link completeCheck}.
   */
  reopenCheck(realm: RealmInfo, check: CheckRecord): void {
    check.status = 'reopened';
    check.result = null;
    this.emit(realm, this.#checkEvent(realm, check, 'check.reopened'));
  }

  /**
   * Holds a running check: `paused` (until `POST /checks/{id}/resume`) or
   * `awaiting_applicant` (until the applicant provides data). No event is
   * sent: Onfido has none for either (docs/provider-facts.md#o-wh-6).
   */
  holdCheck(check: CheckRecord, status: 'paused' | 'awaiting_applicant'): void {
    check.status = status;
  }

  /** Resumes a paused check: it runs on, and completes at once when checks complete by themselves. */
  resumeCheck(realm: RealmInfo, check: CheckRecord): void {
    check.status = 'in_progress';
    if (this.settings.autoComplete) this.completeCheck(realm, check);
  }

  /** Withdraws a check that has not finished, and sends `check.withdrawn`. */
  withdrawCheck(realm: RealmInfo, check: CheckRecord): void {
    check.status = 'withdrawn';
    for (const report of this.reportsOf(check)) {
      if (report.status !== 'complete') report.status = 'withdrawn';
    }
    this.emit(realm, this.#checkEvent(realm, check, 'check.withdrawn'));
  }

  /**
   * Pauses a report of a running check for the account's approval
   * (`awaiting_approval`, `report.awaiting_approval` sent,
   * docs/provider-facts.md#o-wh-6): the check waits for it.
   */
  holdReport(realm: RealmInfo, report: ReportRecord): void {
    report.status = 'awaiting_approval';
    this.emit(realm, this.#reportEvent(realm, report, 'report.awaiting_approval'));
  }

  /**
   * `POST /reports/{id}/resume` (docs/provider-facts.md#o-rep-10): a paused
   * report runs on (`report.resumed` sent) and completes with its check. The
   * sandbox answers 204 for a report that is not paused too
   * (NODE-TESTS `reports.test.ts`); nothing changes then.
   */
  resumeReport(realm: RealmInfo, report: ReportRecord): void {
    if (report.status !== 'awaiting_approval') return;
    report.status = 'awaiting_data';
    this.emit(realm, this.#reportEvent(realm, report, 'report.resumed'));
    this.#settleCheckOf(realm, report);
  }

  /** `POST /reports/{id}/cancel`: a paused report is cancelled (`report.cancelled` sent). */
  cancelReport(realm: RealmInfo, report: ReportRecord): void {
    if (report.status !== 'awaiting_approval') return;
    report.status = 'cancelled';
    report.result = null;
    report.subResult = null;
    this.emit(realm, this.#reportEvent(realm, report, 'report.cancelled'));
    this.#settleCheckOf(realm, report);
  }

  /** After a held report moved: its check completes when checks complete by themselves. */
  #settleCheckOf(realm: RealmInfo, report: ReportRecord): void {
    const check = this.state.checks.get(report.checkId);
    if (check !== undefined && this.settings.autoComplete) this.completeCheck(realm, check);
  }

  /**
   * `DELETE /applicants/{id}` (docs/provider-facts.md#o-app-11): the applicant
   * and all its records go to the archive, gone from the API, until
   * `deletionDelayMs` has passed (`delete_at`); a restore brings them back
   * before that. `false` when a check of the applicant is still running.
   */
  deleteApplicant(applicant: ApplicantRecord): boolean {
    const running = [...this.state.checks.values()].some(
      (c) => c.applicantId === applicant.id && c.status !== 'complete' && c.status !== 'withdrawn',
    );
    if (running) return false;
    applicant.deletedAt = this.now();
    applicant.deleteAt = this.now() + this.settings.deletionDelayMs;
    return true;
  }

  /** `POST /applicants/{id}/restore`: a deleted applicant, still in the archive, comes back. */
  restoreApplicant(applicant: ApplicantRecord): void {
    applicant.deletedAt = undefined;
    applicant.deleteAt = undefined;
  }

  /** Forgets the deleted applicants whose archive time has run out. */
  purgeExpired(): void {
    for (const applicant of [...this.state.applicants.values()]) {
      if (applicant.deleteAt !== undefined && applicant.deleteAt <= this.now()) {
        this.state.purge(applicant.id);
      }
    }
  }

  createRun(
    realm: RealmInfo,
    applicant: ApplicantRecord,
    workflowId: string,
    steps: readonly string[],
    customerUserId: string | undefined,
    tags: readonly string[],
    link: {
      expiresAt?: number | undefined;
      completedRedirectUrl?: string | undefined;
      expiredRedirectUrl?: string | undefined;
      language?: string | undefined;
    } = {},
  ): WorkflowRunRecord {
    const id = randomUUID();
    const run: WorkflowRunRecord = {
      realm: realm.name,
      id,
      applicantId: applicant.id,
      workflowId,
      steps: [...steps],
      tags: [...tags],
      status: 'awaiting_input',
      reasons: [],
      sdkToken: this.issueSdkToken(applicant, undefined),
      linkUrl: `https://${realm.name === 'US' ? 'us' : realm.name === 'CA' ? 'ca' : 'eu'}.onfido.app/l/${id}`,
      linkExpiresAt: link.expiresAt ?? this.now() + this.settings.workflowLinkLifetimeMs,
      createdAt: this.now(),
      updatedAt: this.now(),
      ...(customerUserId === undefined ? {} : { customerUserId }),
      ...(link.completedRedirectUrl === undefined
        ? {}
        : { completedRedirectUrl: link.completedRedirectUrl }),
      ...(link.expiredRedirectUrl === undefined
        ? {}
        : { expiredRedirectUrl: link.expiredRedirectUrl }),
      ...(link.language === undefined ? {} : { language: link.language }),
    };
    this.state.runs.set(id, run);
    return run;
  }

  /** Finishes a Studio run: the workflow's reports run, the run takes its final status, and `workflow_run.completed` is sent. */
  completeRun(realm: RealmInfo, run: WorkflowRunRecord): void {
    if (run.status !== 'processing' && run.status !== 'awaiting_input') return;
    const applicant = this.state.applicants.get(run.applicantId) as ApplicantRecord;
    const { outcome } = this.chosen(applicant);
    if (outcome.expired !== true) {
      const names = [...run.steps];
      const wantsKnownFaces = Object.keys(outcome.reports ?? {}).some(
        (k) => familyOf(k) === 'known_faces',
      );
      if (wantsKnownFaces && !names.includes('known_faces')) names.push('known_faces');
      const check = this.createCheck(realm, applicant, names, undefined, run.id);
      this.completeCheck(realm, check);
    }
    run.status = chosenValue<SpecValues<WorkflowRunStatus>>(workflowStatusOf(outcome));
    run.reasons = [...(outcome.workflowReasons ?? [])];
    run.updatedAt = this.now();
    this.emit(realm, {
      resourceType: 'workflow_run',
      action: 'workflow_run.completed',
      id: run.id,
      status: run.status,
      completedAt: new Date(run.updatedAt).toISOString(),
      href: `${realm.baseUrl}/workflow_runs/${run.id}`,
      resource: runResourceView(run),
    });
  }

  #checkEvent(realm: RealmInfo, check: CheckRecord, action: WebhookAction): EventObject {
    return {
      resourceType: 'check',
      action,
      id: check.id,
      status: check.status,
      ...(action === 'check.started' || action === 'check.reopened'
        ? {}
        : { completedAt: new Date(check.completedAt ?? this.now()).toISOString() }),
      ...(action === 'check.started' || action === 'check.reopened'
        ? { startedAt: new Date(this.now()).toISOString() }
        : {}),
      href: `${realm.baseUrl}/checks/${check.id}`,
      webhookIds: check.webhookIds,
    };
  }

  #reportEvent(realm: RealmInfo, report: ReportRecord, action: WebhookAction): EventObject {
    return {
      resourceType: 'report',
      action,
      id: report.id,
      status: report.status,
      href: `${realm.baseUrl}/reports/${report.id}`,
      webhookIds: this.state.checks.get(report.checkId)?.webhookIds ?? [],
    };
  }

  /**
   * Sends an event to every webhook of the realm that subscribes to it; the
   * events of a check created with `webhook_ids` go to those webhooks only
   * (docs/provider-facts.md#o-chk-5).
   */
  emit(realm: RealmInfo, event: EventObject): void {
    const only = event.webhookIds ?? [];
    for (const webhook of this.state.webhooks.values()) {
      if (webhook.realm !== realm.name || !subscribes(webhook, event.action)) continue;
      if (only.length > 0 && !only.includes(webhook.id)) continue;
      const delivery = buildDelivery(webhook, event);
      this.deliveries.push(delivery);
      const deliver = this.settings.deliver;
      if (deliver === undefined) continue;
      const sent: Promise<void> = Promise.resolve()
        .then(() => deliver(delivery))
        .then(
          (status) => {
            if (status !== undefined) delivery.answeredStatus = status;
          },
          (error: unknown) => {
            this.#failures.push(error);
          },
        )
        .finally(() => this.#pending.delete(sent));
      this.#pending.add(sent);
    }
  }
}
