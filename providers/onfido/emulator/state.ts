/**
 * The emulated Onfido's records. Every record belongs to one realm (a regional
 * host, or the custom base URL): as on the real service, an applicant created
 * in the EU is not visible from the US host.
 *
 * @module
 */
import type {
  CheckResultEnum,
  CheckStatus,
  ReportResult,
  ReportStatus,
  ReportSubResult,
  WebhookEventType,
  WorkflowRunStatus,
} from '@onfido/api';
import type { ExtractedPerson } from 'idv-providers';
import type { GeneratedFile } from './files';
import type { SpecValues } from './reference';
import type { OnfidoOutcome } from './verdicts';

/** An applicant. */
export interface ApplicantRecord {
  realm: string;
  id: string;
  createdAt: number;
  firstName: string;
  lastName: string;
  email?: string | undefined;
  dob?: string | undefined;
  phoneNumber?: string | undefined;
  /** Its address as given (docs/provider-facts.md#o-app-4); replaced whole on update (#o-app-1). */
  address?: AddressRecord | undefined;
  /** Its ID numbers as given (docs/provider-facts.md#o-app-5); replaced whole on update. */
  idNumbers: IdNumberRecord[];
  /**
   * When it was deleted (`DELETE /applicants/{id}`), while it waits in the
   * archive for `deleteAt` (docs/provider-facts.md#o-app-11).
   */
  deletedAt?: number | undefined;
  /** When a deleted applicant and everything of it are gone for good (`delete_at`). */
  deleteAt?: number | undefined;
  /** Its location (docs/provider-facts.md#o-app-6): needed before a check runs. */
  location?:
    | { countryOfResidence?: string | undefined; ipAddress?: string | undefined }
    | undefined;
  /** Its consents by name, with when they were granted (docs/provider-facts.md#o-app-7). */
  consents: Map<string, { granted: boolean; grantedAt: number | null }>;
  /** Expiry times of the SDK tokens issued for it. */
  sdkTokenExpiries: number[];
}

/** An address: the spec's fields, each a string (docs/provider-facts.md#o-app-4). */
export type AddressRecord = Partial<
  Record<
    | 'flat_number'
    | 'building_number'
    | 'building_name'
    | 'street'
    | 'sub_street'
    | 'town'
    | 'state'
    | 'line1'
    | 'line2'
    | 'line3',
    string
  >
> & { postcode: string; country: string };

/** An ID number (docs/provider-facts.md#o-app-5). */
export interface IdNumberRecord {
  type: string;
  value: string;
  stateCode?: string | undefined;
}

/** A document, or a medium of the face: live photo, live video, motion capture, ID photo. */
export interface FileRecord {
  realm: string;
  id: string;
  applicantId: string;
  /** The API's collection (`/documents`, `/motion_captures`, ...). */
  kind: 'documents' | 'live_photos' | 'live_videos' | 'motion_captures' | 'id_photos';
  type?: string | undefined;
  side?: string | undefined;
  issuingCountry?: string | undefined;
  fileName: string;
  /**
   * Onfido's `file_type`: the extension for documents (`png`,
   * docs/provider-facts.md#o-doc-2), the MIME type for the media of the face
   * (`image/png`, `video/mp4`, docs/provider-facts.md#o-med-3).
   */
  fileType: string;
  /** MIME type served. */
  mime: string;
  size: number;
  createdAt: number;
  /** The bytes, for ordinary files. */
  bytes?: Uint8Array | undefined;
  /** A generator, for large files. */
  generated?: GeneratedFile | undefined;
  /** A document uploaded as NFC chip data: it has a face to serve (docs/provider-facts.md#o-doc-5). */
  nfc?: boolean | undefined;
  /** A live video's challenge: what the person was asked to do (docs/provider-facts.md#o-med-2). */
  challenge?: ReadonlyArray<Record<string, unknown>> | undefined;
}

/** A check. */
export interface CheckRecord {
  realm: string;
  id: string;
  applicantId: string;
  status: SpecValues<CheckStatus>;
  result: SpecValues<CheckResultEnum> | null;
  reportNames: string[];
  reportIds: string[];
  createdAt: number;
  /** When it last completed (a reopened check completes again). */
  completedAt?: number | undefined;
  /** Outcome asked for with the sandbox `consider` / `sub_result` fields. */
  sandbox?: OnfidoOutcome | undefined;
  /** The Studio run that made it, if any. */
  workflowRunId?: string | undefined;
  /** The webhooks its events go to; empty: every webhook of the account (docs/provider-facts.md#o-chk-5). */
  webhookIds: string[];
  tags: string[];
  redirectUri?: string | undefined;
  applicantProvidesData: boolean;
  /** As sent; `null` unless sent (docs/provider-facts.md#o-chk-2). */
  privacyNoticesReadConsentGiven: boolean | null;
}

/** A report. */
export interface ReportRecord {
  realm: string;
  id: string;
  checkId: string;
  name: string;
  /** A value a test chose may lie outside the spec (see `chosenValue`). */
  status: SpecValues<ReportStatus>;
  result: SpecValues<ReportResult> | null;
  subResult: SpecValues<ReportSubResult> | null;
  breakdown: Record<string, unknown>;
  properties: Record<string, unknown>;
  /** The ids of the media it reads, by collection (docs/provider-facts.md#o-rep-8). */
  media: Partial<Record<FileRecord['kind'], string[]>>;
  createdAt: number;
}

/** A Studio workflow run. */
export interface WorkflowRunRecord {
  realm: string;
  id: string;
  applicantId: string;
  workflowId: string;
  /** The reports its workflow runs, in the order its steps run them. */
  steps: readonly string[];
  status: SpecValues<WorkflowRunStatus>;
  reasons: string[];
  sdkToken: string;
  linkUrl: string;
  linkExpiresAt: number;
  /** The run's `link` settings from the request (docs/provider-facts.md#o-wf-1). */
  completedRedirectUrl?: string | undefined;
  expiredRedirectUrl?: string | undefined;
  language?: string | undefined;
  customerUserId?: string | undefined;
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

/** A webhook registration. */
export interface WebhookRecord {
  realm: string;
  id: string;
  url: string;
  token: string;
  events: SpecValues<WebhookEventType>[] | null;
  /** `sandbox` and/or `live` (docs/provider-facts.md#o-wh-1). */
  environments: Array<'sandbox' | 'live'>;
  enabled: boolean;
  /** Its name: in the spec, not in the client 6.2.0 (docs/provider-facts.md#o-src-2, #o-wh-1). */
  name: string | null;
  payloadVersion: number;
  /** The OAuth client-credentials settings of its deliveries (docs/provider-facts.md#o-wh-11). */
  oauth: {
    enabled: boolean;
    serverUrl: string | null;
    clientId: string | null;
    clientSecret: string | null;
    scope: string | null;
  };
}

/** A Studio workflow that exists, with the reports its steps run. */
export interface WorkflowRecord {
  id: string;
  steps: readonly string[];
}

/** A verdict chosen by a test. */
export interface ChosenOutcome {
  outcome: OnfidoOutcome;
  person?: ExtractedPerson | undefined;
}

/** All records. */
export class EmulatorState {
  readonly applicants = new Map<string, ApplicantRecord>();
  readonly files = new Map<string, FileRecord>();
  readonly checks = new Map<string, CheckRecord>();
  readonly reports = new Map<string, ReportRecord>();
  readonly runs = new Map<string, WorkflowRunRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();
  readonly outcomes = new Map<string, ChosenOutcome>();
  readonly workflows = new Map<string, WorkflowRecord>();
  /** OAuth2 access tokens issued, with when they expire (epoch ms). */
  readonly accessTokens = new Map<string, number>();

  clear(): void {
    this.applicants.clear();
    this.files.clear();
    this.checks.clear();
    this.reports.clear();
    this.runs.clear();
    this.webhooks.clear();
    this.outcomes.clear();
    this.accessTokens.clear();
  }

  /**
   * A record of `map` by id, only if it belongs to `realm` and is not in the
   * archive of a deleted applicant (docs/provider-facts.md#o-app-11).
   */
  find<T extends { realm: string }>(map: Map<string, T>, realm: string, id: string): T | undefined {
    const record = map.get(id);
    if (record?.realm !== realm) return undefined;
    const owner = this.#ownerOf(id, record);
    return owner !== undefined && this.isDeleted(owner) ? undefined : record;
  }

  /** The applicant a record belongs to (an applicant belongs to itself). */
  #ownerOf(id: string, record: object): string | undefined {
    if ('applicantId' in record && typeof record.applicantId === 'string')
      return record.applicantId;
    if ('checkId' in record && typeof record.checkId === 'string') {
      return this.checks.get(record.checkId)?.applicantId;
    }
    return this.applicants.get(id) === record ? id : undefined;
  }

  /** True for an applicant that was deleted (in the archive until restored or gone). */
  isDeleted(applicantId: string): boolean {
    return this.applicants.get(applicantId)?.deletedAt !== undefined;
  }

  filesOf(realm: string, applicantId: string, kind: FileRecord['kind']): FileRecord[] {
    return [...this.files.values()].filter(
      (f) => f.realm === realm && f.applicantId === applicantId && f.kind === kind,
    );
  }

  /** Forgets an applicant and everything of it: its files, checks, reports and runs. */
  purge(applicantId: string): void {
    for (const [id, file] of this.files)
      if (file.applicantId === applicantId) this.files.delete(id);
    for (const [id, check] of this.checks) {
      if (check.applicantId !== applicantId) continue;
      for (const reportId of check.reportIds) this.reports.delete(reportId);
      this.checks.delete(id);
    }
    for (const [id, run] of this.runs) if (run.applicantId === applicantId) this.runs.delete(id);
    this.outcomes.delete(applicantId);
    this.applicants.delete(applicantId);
  }
}
