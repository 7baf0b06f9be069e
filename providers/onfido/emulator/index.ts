/**
 * The Onfido emulator: stateful MSW handlers that behave like Onfido API v3.6
 * on the three regional hosts (and on a custom base URL when given).
 *
 * **When checks complete.** `POST /checks` answers `in_progress`, as Onfido
 * does. By default the check then completes at once (the next `GET` sees it
 * `complete`, and `check.completed` has been sent); with
 * `autoCompleteChecks: false` it stays `in_progress` until the test calls
 * {@link OnfidoEmulator.completeChecks}. Studio runs behave the same way once the
 * customer journey ends.
 *
 * **Choosing a verdict.** `setVerdict(applicantId, { reason })` picks, by reason
 * code, the reports Onfido would send (see `REASON_RECIPES`);
 * `setOutcome(applicantId, outcome)` picks them in Onfido's own terms (report
 * results, `sub_result`, flagged breakdowns), for cases the codes cannot express.
 * The sandbox-only `consider` / `sub_result` fields of `POST /checks` are
 * honoured too and take precedence.
 *
 * **The surface a backend touches.** Besides the calls the adapter makes, it
 * answers what a backend calls with Onfido's own client: applicants updated,
 * deleted into an archive for `applicantDeletionDelayMs` and restored, their
 * consents; documents uploaded as NFC chip data and the chip's face; ID
 * photos; live videos and motion captures with their frames (recorded ones
 * with stable ids: `sampleMedia`, {@link ONFIDO_SAMPLE_MEDIA}); a check's PDF;
 * reports paused for approval ({@link OnfidoEmulator.holdReport}), resumed
 * or cancelled; webhooks updated and resent; Studio workflows declared with
 * their steps (`workflows`). Every `href` reads as the API's (`/v3.6/...`)
 * wherever the emulator is mounted.
 *
 * @example
 * ```ts
 * const emulator = createOnfidoEmulator();
 * const server = setupServer(...emulator.handlers);
 * const idv = await createProvider(emulator.config({ autoRegistration: true }));
 * ```
 *
 * @packageDocumentation
 * @module idv-providers/onfido/emulator
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, ExtractedPerson, SessionRef } from 'idv-providers';
import {
  type AdvanceableClock,
  createTestClock,
  type EmulatorDelivery,
  type EmulatorFault,
  type EmulatorModule,
  type EmulatorVerdict,
  FaultQueue,
  type FaultScope,
  type ProviderEmulator,
} from 'idv-providers/emulator-kit';
import { isInsecureHttpUrl } from 'idv-providers/kit';
import type { OnfidoRegion } from 'idv-providers/onfido';
import type { RequestHandler } from 'msw';
import { LINK_LIFETIME_MS, OnfidoEngine } from './engine';
import { sha256Hex } from './files';
import { createHandlers, type RequestLogEntry, servedRealms } from './handlers';
import { customerJourney, seedSampleMedia } from './journey';
import { newWebhookToken } from './routes-studio';
import { onfidoServing } from './serve';
import { type OnfidoOutcome, REASON_RECIPES, REPORT_NAMES } from './verdicts';
import { FAULT_ANSWERS, type RealmInfo } from './views';

export type { AdvanceableClock as OnfidoEmulatorClock } from 'idv-providers/emulator-kit';
export type { RequestLogEntry as OnfidoRequestLogEntry } from './handlers';
export {
  type OnfidoOutcome,
  type OnfidoReportOutcome,
  REASON_RECIPES as ONFIDO_REASON_RECIPES,
  STANDARD_BREAKDOWNS as ONFIDO_STANDARD_BREAKDOWNS,
} from './verdicts';

/** The workflow id the emulator knows unless told others. */
export const ONFIDO_EMULATED_WORKFLOW_ID = '7a1f4c2e-5b7d-4e3a-9c1f-0d2e3f4a5b6c';

/** The reports a declared workflow runs when its steps are not given. */
export const ONFIDO_DEFAULT_WORKFLOW_STEPS: readonly string[] = [
  'document',
  'facial_similarity_photo',
];

/**
 * Recorded media an emulator created with `sampleMedia: true` (and the one
 * the command line serves) holds from the start and again after `reset()`,
 * with stable ids a test can name, as Onfido's sandbox has a
 * sample applicant with its live videos and motion captures (which only
 * Onfido's SDKs upload, docs/provider-facts.md#o-med-1). They belong to the
 * home realm (the region `config()` selects, or the custom base URL).
 */
export const ONFIDO_SAMPLE_MEDIA = {
  applicantId: '5a3c1e70-2b4d-4f6a-8c9e-0a1b2c3d4e5f',
  liveVideoIds: ['6b4d2f81-3c5e-4a7b-9d0f-1b2c3d4e5f60', '6b4d2f81-3c5e-4a7b-9d0f-1b2c3d4e5f61'],
  motionCaptureIds: [
    '7c5e3092-4d6f-4b8c-8e1a-2c3d4e5f6071',
    '7c5e3092-4d6f-4b8c-8e1a-2c3d4e5f6072',
  ],
} as const;

/** How long a deleted applicant can be restored unless told otherwise: 20 days. */
export const ONFIDO_DEFAULT_DELETION_DELAY_MS = 20 * 24 * 60 * 60 * 1000;

/**
 * A Studio workflow the emulator knows: its id (a uuid, as the API's
 * `workflow_id`: docs/provider-facts.md#o-wf-1) and its steps, the reports
 * it runs (`document`, `facial_similarity_motion`, `watchlist_standard`,
 * ...: the spec's report names, docs/provider-facts.md#o-rep-1). The face
 * steps also decide what the customer's journey captures: a motion capture
 * for `facial_similarity_motion`, a live video for `facial_similarity_video`,
 * else a live photo.
 */
export interface OnfidoEmulatedWorkflow {
  id: string;
  /** Default {@link ONFIDO_DEFAULT_WORKFLOW_STEPS}. */
  steps?: readonly string[] | undefined;
}

/** Settings of {@link createOnfidoEmulator}. */
export interface OnfidoEmulatorOptions {
  /** The API token the emulator accepts. Default: a random sandbox-style token. */
  apiToken?: string | undefined;
  /** The OAuth2 client id its token endpoint accepts. Default: a random one. */
  clientId?: string | undefined;
  /** The OAuth2 client secret its token endpoint accepts. Default: a random one. */
  clientSecret?: string | undefined;
  /** `expires_in` of the access tokens it issues, seconds. Default 3600. */
  accessTokenLifetimeSeconds?: number | undefined;
  /** The region `config()` selects. Default `EU`. All three regional hosts are served either way. */
  region?: OnfidoRegion | undefined;
  /** An extra base URL to serve (a proxy or test host, version path included); `config()` then uses it. */
  baseUrl?: string | undefined;
  /** The verification site `config()` names. Default `https://verify.example.com/onfido/`. */
  verificationSiteUrl?: string | undefined;
  /** The URL of the webhook registered up front (its token is `config().webhookToken`). */
  webhookUrl?: string | undefined;
  /**
   * The emulator's time, shared with the adapter through `config()`. Default:
   * the kit's `createTestClock()` (manual, at 2026-01-01T00:00:00Z), the default
   * of every emulator.
   */
  clock?: AdvanceableClock | undefined;
  /** Complete checks as soon as they are created. Default `true`. */
  autoCompleteChecks?: boolean | undefined;
  /** Called with every webhook delivery; answer the HTTP status the host gave. */
  deliver?: (delivery: EmulatorDelivery) => Promise<number | undefined>;
  /**
   * The Studio workflows that exist for `POST /workflow_runs`, with their
   * steps. Default: `workflowIds`, each running `workflowReports`.
   */
  workflows?: readonly OnfidoEmulatedWorkflow[] | undefined;
  /** Workflow ids that exist, when `workflows` is not given. Default `[ONFIDO_EMULATED_WORKFLOW_ID]`. */
  workflowIds?: readonly string[] | undefined;
  /** The steps of the `workflowIds` workflows. Default {@link ONFIDO_DEFAULT_WORKFLOW_STEPS}. */
  workflowReports?: readonly string[] | undefined;
  /**
   * How long a deleted applicant stays restorable before it and all its
   * records are gone: an account setting at Onfido, which recommends at
   * least 20 days (docs/provider-facts.md#o-app-11). Default 20 days.
   */
  applicantDeletionDelayMs?: number | undefined;
  /**
   * Hold the recorded media of {@link ONFIDO_SAMPLE_MEDIA}. Default `false`
   * (`true` in the emulator the command line serves).
   */
  sampleMedia?: boolean | undefined;
  /**
   * More base URLs that answer for the same records as `baseUrl` (the served
   * emulator also answers at its origin's `/v3.6`, where the resources'
   * relative hrefs point).
   */
  aliasBaseUrls?: readonly string[] | undefined;
  /**
   * How long a workflow run's link lives when `POST /workflow_runs` sets no
   * `link.expires_at` (Onfido's default is not documented:
   * docs/provider-facts.md#o-open-7). Default 90 minutes.
   */
  workflowLinkLifetimeMs?: number | undefined;
}

/** A check as the emulator holds it, for assertions. */
export interface EmulatedCheck {
  id: string;
  applicantId: string;
  status: string;
  result: string | null;
  reportNames: string[];
}

/** The Onfido emulator: the shared {@link ProviderEmulator} contract plus Onfido-specific controls. */
export interface OnfidoEmulator extends ProviderEmulator {
  readonly provider: 'onfido';
  /** The API token it accepts. */
  readonly apiToken: string;
  /** The OAuth2 client id its token endpoint (`POST /oauth/token`) accepts. */
  readonly clientId: string;
  /** The OAuth2 client secret its token endpoint accepts. */
  readonly clientSecret: string;
  /** A config that authenticates with OAuth2 client credentials instead of the API token. */
  oauthConfig(overrides?: Record<string, unknown>): ReturnType<ProviderEmulator['config']>;
  /** Every OAuth2 access token issued so far, oldest first. */
  issuedAccessTokens(): string[];
  /** The token of the webhook registered up front. */
  readonly webhookToken: string;
  /** The URL of the webhook registered up front. */
  readonly webhookUrl: string;
  /** A workflow id that exists (for Studio tests). */
  readonly workflowId: string;
  /** The emulator's clock (also the one `config()` passes to the adapter). */
  readonly clock: AdvanceableClock;
  /** Chooses an outcome in Onfido's own terms (report results, `sub_result`, flagged breakdowns). */
  setOutcome(applicantId: string, outcome: OnfidoOutcome, person?: ExtractedPerson): void;
  /** Completes every check and Studio run still in progress, and waits for the deliveries. */
  completeChecks(): Promise<void>;
  /** Withdraws a check (status `withdrawn`, `check.withdrawn` sent). */
  withdrawCheck(checkId: string): Promise<void>;
  /**
   * Reopens a complete check (status `reopened`, `check.reopened` sent). It
   * completes again on {@link completeChecks}, with the verdict chosen then,
   * and sends a second `check.completed` with the new completion time.
   */
  reopenCheck(checkId: string): Promise<void>;
  /**
   * Holds a check that runs (`in_progress` or `reopened`): `paused` (until
   * `POST /checks/{id}/resume`) or `awaiting_applicant`. Use
   * `autoCompleteChecks: false`, or reopen a check first, so it is still
   * running when this is called.
   */
  holdCheck(checkId: string, status: 'paused' | 'awaiting_applicant'): void;
  /**
   * Pauses a report of a running check for approval (`awaiting_approval`,
   * `report.awaiting_approval` sent) until `POST /reports/{id}/resume` or
   * `/cancel`; the check waits for it. Use `autoCompleteChecks: false`, or
   * reopen the check first.
   */
  holdReport(reportId: string): Promise<void>;
  /** Declares a Studio workflow (or changes the steps of one); see {@link OnfidoEmulatedWorkflow}. */
  declareWorkflow(workflow: OnfidoEmulatedWorkflow): void;
  /** The workflows that exist, with their steps. */
  workflows(): Array<{ id: string; steps: string[] }>;
  /**
   * Adds a document read by NFC, as uploading its chip data does
   * (docs/provider-facts.md#o-doc-5): it has a face (`GET /documents/{id}/nfc_face`)
   * and its document reports carry `properties.nfc`. Returns its id.
   */
  addNfcDocument(applicantId: string): string;
  /** Registers a large document of `size` generated bytes for an applicant; returns its id. */
  addLargeDocument(applicantId: string, size: number): string;
  /**
   * Adds a medium of the face that Onfido's SDK would capture (a live video,
   * a motion capture) or the host would upload (an ID photo); returns its id.
   */
  addMedia(applicantId: string, kind: 'live_videos' | 'motion_captures' | 'id_photos'): string;
  /** SHA-256 (hex) of the bytes served for a file, large ones included. */
  servedSha256(fileId: string): string | undefined;
  /** Waits for every delivery handed to `deliver`; rethrows the first that failed. */
  settle(): Promise<void>;
  /** Every request received, oldest first. */
  requests(): RequestLogEntry[];
  /** The checks of an applicant, newest first. */
  checks(applicantId: string): EmulatedCheck[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Creates an Onfido emulator. Install `emulator.handlers` in an MSW server. */
export function createOnfidoEmulator(options: OnfidoEmulatorOptions = {}): OnfidoEmulator {
  const apiToken = options.apiToken ?? `api_sandbox.${randomBytes(24).toString('base64url')}`;
  const clientId = options.clientId ?? `client_${randomBytes(12).toString('hex')}`;
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const region = options.region ?? 'EU';
  const clock = options.clock ?? createTestClock();
  // A base URL served over plain http to another machine (a container's name) is accepted by the
  // adapter only with the opt-in that exists for tests such as this one.
  const insecureOptIn =
    options.baseUrl !== undefined && isInsecureHttpUrl(options.baseUrl)
      ? { allowInsecureBaseUrl: true }
      : {};
  const allRealms = servedRealms(options.baseUrl);
  const home = allRealms.find(
    (r) => r.name === (options.baseUrl === undefined ? region : 'custom'),
  );
  if (home === undefined) throw new Error(`[onfido emulator] unknown region ${region}`);
  const verificationSiteUrl = options.verificationSiteUrl ?? 'https://verify.example.com/onfido/';
  const webhookUrl = options.webhookUrl ?? 'https://backend.example.com/identity-check/onfidowh';
  const webhookId = randomUUID();
  const webhookToken = newWebhookToken();
  const engine = new OnfidoEngine({
    clock,
    autoComplete: options.autoCompleteChecks ?? true,
    deliver: options.deliver,
    workflowLinkLifetimeMs: options.workflowLinkLifetimeMs ?? LINK_LIFETIME_MS,
    deletionDelayMs: options.applicantDeletionDelayMs ?? ONFIDO_DEFAULT_DELETION_DELAY_MS,
  });
  const declareWorkflow = (workflow: OnfidoEmulatedWorkflow): void => {
    const steps = [...(workflow.steps ?? ONFIDO_DEFAULT_WORKFLOW_STEPS)];
    const unknown = steps.filter((step) => !REPORT_NAMES.has(step));
    if (!UUID.test(workflow.id) || steps.length === 0 || unknown.length > 0) {
      throw new Error(
        `[onfido emulator] a workflow needs a uuid and report names as steps: ${JSON.stringify(workflow)}`,
      );
    }
    engine.state.workflows.set(workflow.id, { id: workflow.id, steps });
  };
  const declared =
    options.workflows ??
    (options.workflowIds ?? [ONFIDO_EMULATED_WORKFLOW_ID]).map((id) => ({
      id,
      steps: options.workflowReports,
    }));
  for (const workflow of declared) declareWorkflow(workflow);
  const faults = new FaultQueue(FAULT_ANSWERS);
  const log: RequestLogEntry[] = [];
  const realmByName = new Map(allRealms.map((r) => [r.name, r]));
  const realmOf = (name: string): RealmInfo => realmByName.get(name) as RealmInfo;

  const registerHomeWebhook = (): void => {
    engine.state.webhooks.set(webhookId, {
      realm: home.name,
      id: webhookId,
      url: webhookUrl,
      token: webhookToken,
      events: null,
      environments: ['sandbox'],
      enabled: true,
      name: null,
      payloadVersion: 3,
      oauth: { enabled: false, serverUrl: null, clientId: null, clientSecret: null, scope: null },
    });
    if (options.sampleMedia === true) seedSampleMedia(engine, home, ONFIDO_SAMPLE_MEDIA);
  };
  registerHomeWebhook();

  const handlers: RequestHandler[] = createHandlers({
    realms: allRealms,
    engine,
    faults,
    log,
    apiToken,
    oauth: {
      clientId,
      clientSecret,
      lifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    },
    aliasBaseUrls: options.aliasBaseUrls,
  });

  return {
    provider: 'onfido',
    handlers,
    apiToken,
    webhookToken,
    webhookUrl,
    workflowId: declared[0]?.id ?? ONFIDO_EMULATED_WORKFLOW_ID,
    clock,

    clientId,
    clientSecret,

    config(overrides = {}) {
      return {
        provider: 'onfido',
        apiToken,
        region,
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...insecureOptIn,
        verificationSiteUrl,
        webhookToken,
        clock: clock as Clock,
        ...overrides,
      };
    },

    oauthConfig(overrides = {}) {
      return {
        provider: 'onfido',
        clientId,
        clientSecret,
        region,
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...insecureOptIn,
        verificationSiteUrl,
        webhookToken,
        clock: clock as Clock,
        ...overrides,
      };
    },

    issuedAccessTokens: () => [...engine.state.accessTokens.keys()],

    setVerdict(subjectId: string, verdict: EmulatorVerdict) {
      const recipe = REASON_RECIPES[verdict.reason];
      if (recipe === undefined) {
        throw new Error(`[onfido emulator] Onfido has no outcome that means ${verdict.reason}`);
      }
      engine.state.outcomes.set(subjectId, {
        outcome: recipe,
        ...(verdict.person === undefined ? {} : { person: verdict.person }),
      });
    },

    setOutcome(applicantId, outcome, person) {
      engine.state.outcomes.set(applicantId, {
        outcome,
        ...(person === undefined ? {} : { person }),
      });
    },

    async completeCustomerJourney(session: SessionRef) {
      customerJourney(engine, session, realmOf);
      await engine.settle();
    },

    async completeChecks() {
      for (const check of engine.state.checks.values()) {
        const running = check.status === 'in_progress' || check.status === 'reopened';
        if (running && check.workflowRunId === undefined) {
          engine.completeCheck(realmOf(check.realm), check);
        }
      }
      for (const run of engine.state.runs.values()) {
        if (run.status === 'processing') engine.completeRun(realmOf(run.realm), run);
      }
      await engine.settle();
    },

    async withdrawCheck(checkId) {
      const check = engine.state.checks.get(checkId);
      if (check === undefined) throw new Error(`[onfido emulator] no check ${checkId}`);
      engine.withdrawCheck(realmOf(check.realm), check);
      await engine.settle();
    },

    async reopenCheck(checkId) {
      const check = engine.state.checks.get(checkId);
      if (check?.status !== 'complete') {
        throw new Error(`[onfido emulator] no complete check ${checkId} to reopen`);
      }
      engine.reopenCheck(realmOf(check.realm), check);
      await engine.settle();
    },

    holdCheck(checkId, status) {
      const check = engine.state.checks.get(checkId);
      if (check?.status !== 'in_progress' && check?.status !== 'reopened') {
        throw new Error(`[onfido emulator] no running check ${checkId} to hold`);
      }
      engine.holdCheck(check, status);
    },

    async holdReport(reportId) {
      const report = engine.state.reports.get(reportId);
      const check = report === undefined ? undefined : engine.state.checks.get(report.checkId);
      const running = check?.status === 'in_progress' || check?.status === 'reopened';
      if (report === undefined || check === undefined || !running) {
        throw new Error(`[onfido emulator] no report ${reportId} of a running check to hold`);
      }
      engine.holdReport(realmOf(report.realm), report);
      await engine.settle();
    },

    declareWorkflow,

    workflows: () =>
      [...engine.state.workflows.values()].map((w) => ({ id: w.id, steps: [...w.steps] })),

    addNfcDocument(applicantId) {
      const applicant = engine.state.applicants.get(applicantId);
      if (applicant === undefined) throw new Error(`[onfido emulator] no applicant ${applicantId}`);
      return engine.addFile(applicant.realm, applicantId, 'documents', {
        type: 'passport',
        fileName: 'nfc_data.json',
        fileType: 'json',
        mime: 'application/json',
        bytes: Buffer.from(JSON.stringify({ sod: [119, 130, 5, 95], dg1: [97], dg2: [117] })),
        nfc: true,
      }).id;
    },

    addMedia(applicantId, kind) {
      const applicant = engine.state.applicants.get(applicantId);
      if (applicant === undefined) throw new Error(`[onfido emulator] no applicant ${applicantId}`);
      return engine.addFile(applicant.realm, applicantId, kind, {}).id;
    },

    addLargeDocument(applicantId, size) {
      const applicant = engine.state.applicants.get(applicantId);
      if (applicant === undefined) throw new Error(`[onfido emulator] no applicant ${applicantId}`);
      return engine.addFile(applicant.realm, applicantId, 'documents', {
        size,
        type: 'passport',
        side: 'front',
        fileName: 'passport-scan.pdf',
        fileType: 'pdf',
        mime: 'application/pdf',
      }).id;
    },

    deliveries: () => [...engine.deliveries],
    settle: () => engine.settle(),

    fail(fault: EmulatorFault, scope?: FaultScope) {
      faults.add(fault, scope);
    },

    servedBytes(documentId) {
      const bytes = engine.state.files.get(documentId)?.bytes;
      return bytes === undefined ? undefined : new Uint8Array(bytes);
    },

    servedSha256(fileId) {
      const file = engine.state.files.get(fileId);
      if (file === undefined) return undefined;
      if (file.generated !== undefined) return file.generated.sha256();
      return file.bytes === undefined ? undefined : sha256Hex(file.bytes);
    },

    requestCount(method, path) {
      const wanted = method.toUpperCase();
      return log.filter((entry) => entry.method === wanted && path.test(entry.pathname)).length;
    },

    requests: () => log.map((entry) => ({ ...entry })),

    checks(applicantId) {
      return [...engine.state.checks.values()]
        .filter((c) => c.applicantId === applicantId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((c) => ({
          id: c.id,
          applicantId: c.applicantId,
          status: c.status,
          result: c.result,
          reportNames: [...c.reportNames],
        }));
    },

    invalidCredentials: () => ({ apiToken: `${apiToken}-revoked` }),

    reset() {
      engine.reset();
      faults.clear();
      log.length = 0;
      registerHomeWebhook();
    },
  };
}

/** The Onfido emulator for tools that drive every provider alike (see `EmulatorModule`). */
export const onfidoEmulatorEntry: EmulatorModule = {
  createEmulator: () => createOnfidoEmulator(),
  serving: onfidoServing(createOnfidoEmulator),
};
