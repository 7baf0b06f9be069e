/**
 * The emulator's state: tokens, accounts with their workflow executions,
 * Netverify scans, stored images, chosen verdicts, recorded requests and
 * callbacks. Everything a test can inspect or reset.
 *
 * @module
 */
import type { ExtractedPerson } from 'idv-providers';
import type { EmulatorDelivery } from 'idv-providers/emulator-kit';
import type { JumioRegion } from 'idv-providers/jumio';
import type { RateLimitedRequest } from './rate-limits';

/** Jumio's decision types. */
export type DecisionType = 'PASSED' | 'REJECTED' | 'WARNING' | 'NOT_EXECUTED';

/** KYX workflow statuses. */
export type WorkflowStatus =
  | 'INITIATED'
  | 'ACQUIRED'
  | 'PROCESSED'
  | 'SESSION_EXPIRED'
  | 'TOKEN_EXPIRED';

/** A region, or `custom` for the base URLs the emulator was given. */
export type RegionKey = JumioRegion | 'custom';

/** The credential categories a KYX transaction of the emulator holds (docs/provider-facts.md#j-ret-3). */
export type CredentialCategory = 'ID' | 'SELFIE' | 'FACEMAP';

/** One capability decision a test chooses: `{ capability: 'usability', type: 'REJECTED', label: 'BLURRED' }`. */
export interface CapabilityLabel {
  /** `usability`, `imageChecks`, `extraction`, `dataChecks`, `liveness`, `similarity`, `watchlistScreening`, or any other name. */
  capability: string;
  /** The capability's decision type. */
  type: DecisionType;
  /** The decision's label (`OK`, `BLURRED`, `NO_MATCH`, ...; any string). */
  label: string;
  /**
   * For `usability`, which credential the result judges: Jumio answers one
   * usability result per credential (docs/provider-facts.md#j-dec-7). Default
   * `ID`; the other credentials' usability passes. Other capabilities ignore it.
   */
  credential?: CredentialCategory | undefined;
}

/**
 * A KYX verdict by Jumio's own labels. Capabilities named here replace the
 * emulator's defaults for that capability (every default passes); a
 * capability whose prerequisite did not run, or whose document or selfie
 * usability was rejected, defaults to `NOT_EXECUTED /
 * PRECONDITION_NOT_FULFILLED`, as Jumio reports it
 * (docs/provider-facts.md#j-dec-6).
 */
export interface JumioLabelVerdict {
  /** The workflow's decision type. Default: derived (REJECTED, else WARNING, else PASSED). */
  decision?: DecisionType | undefined;
  /** The workflow decision's label. Default: the decision type. */
  decisionLabel?: string | undefined;
  /** Capability decisions. */
  capabilities?: CapabilityLabel[] | undefined;
  /** Capabilities to leave out of the answer entirely (a workflow without them). */
  omit?: string[] | undefined;
  /** The person on the document. Default: a sample person. */
  person?: ExtractedPerson | undefined;
}

/** A Netverify verdict by Jumio's own values. */
export interface NetverifyVerdict {
  /** `APPROVED_VERIFIED`, `DENIED_FRAUD`, `ERROR_NOT_READABLE_ID`, `NO_ID_UPLOADED`, ... (any string). */
  verificationStatus: string;
  /** The reject reason, for DENIED_FRAUD and ERROR_NOT_READABLE_ID. */
  rejectReason?: {
    code: string;
    description: string;
    details?: Array<{ code: string; description: string }> | undefined;
  };
  /** Identity verification (selfie), for APPROVED_VERIFIED. */
  identityVerification?: { similarity?: string; validity?: boolean; reason?: string } | undefined;
  /** The person on the document. Default: a sample person. */
  person?: ExtractedPerson | undefined;
}

/** A verdict as stored. */
export type StoredVerdict =
  | { kind: 'labels'; verdict: JumioLabelVerdict }
  | { kind: 'expired'; status: 'SESSION_EXPIRED' | 'TOKEN_EXPIRED' }
  | { kind: 'netverify'; verdict: NetverifyVerdict };

/** An issued access token. */
export interface IssuedToken {
  token: string;
  /** The client (tenant) it was issued to. */
  clientId: string;
  region: RegionKey;
  expiresAt: number;
  revoked: boolean;
}

/**
 * The parts the customer's capture yields beyond the default `FRONT`, `BACK`
 * (ID), `FACE` (SELFIE) and `FACEMAP` without a link (docs/provider-facts.md#j-ret-3,
 * #j-ret-4).
 */
export interface JumioCapture {
  /** Adds `FRONT_WITH_FLASH` to the ID: an extra image captured on mobile with flash. */
  flash?: boolean | undefined;
  /** Adds this many `LIVENESS_<n>` frames, each with a link, to the FACEMAP credential. */
  livenessFrames?: number | undefined;
}

/** A stored image part. */
export interface StoredPart {
  classifier: string;
  href?: string | undefined;
}

/** A stored credential and its parts. */
export interface StoredCredential {
  id: string;
  category: string;
  parts: StoredPart[];
}

/** A JSON capability entry as served. */
export interface CapabilityJson {
  id: string;
  credentials: Array<{ id: string; category: string }>;
  decision: { type: string; details: { label: string } };
  data?: Record<string, unknown> | undefined;
}

/** One workflow execution (a transaction). */
export interface Execution {
  id: string;
  accountId: string;
  region: RegionKey;
  status: WorkflowStatus;
  definitionKey: number;
  customerInternalReference: string;
  userReference?: string | undefined;
  callbackUrl?: string | undefined;
  createdAt: string;
  startedAt?: string | undefined;
  completedAt?: string | undefined;
  /** The account request's JSON body, as received. */
  requestBody: Record<string, unknown>;
  /** Credential ids announced at start, filled with parts when the customer uploads. */
  credentials: StoredCredential[];
  decision?: { type: string; details: { label: string }; risk: { score: number } } | undefined;
  capabilities?: Record<string, CapabilityJson[]> | undefined;
  /** The id of its one workflow step, once processed (docs/provider-facts.md#j-ret-6). */
  stepId?: string | undefined;
}

/** One account and its executions, oldest first. */
export interface Account {
  id: string;
  region: RegionKey;
  executions: Execution[];
}

/** A Netverify scan. */
export interface Scan {
  reference: string;
  region: RegionKey;
  status: 'PENDING' | 'DONE' | 'FAILED';
  customerInternalReference: string;
  userReference: string;
  callbackUrl?: string | undefined;
  createdAt: string;
  requestBody: Record<string, unknown>;
  verdict?: NetverifyVerdict | undefined;
  /** Classifiers with an image, lower case (`front`, `back`, `face`). */
  images: string[];
}

/** A request the emulator received. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** The URL's path. */
  path: string;
  /** Headers, lower-case names. */
  headers: Record<string, string>;
  /** When it arrived, on the emulator's clock (epoch ms). */
  at: number;
}

/** Everything the emulator remembers. */
export class EmulatorState {
  tokens = new Map<string, IssuedToken>();
  tokenRequests = 0;
  accounts = new Map<string, Account>();
  executions = new Map<string, Execution>();
  scans = new Map<string, Scan>();
  verdicts = new Map<string, StoredVerdict>();
  /** Capture choices by account or workflow execution id. */
  captures = new Map<string, JumioCapture>();
  /** Image bytes by document id (`credentialId:CLASSIFIER` or `scanReference:classifier`, as the adapter names them). */
  images = new Map<string, { bytes: Uint8Array; contentType: string }>();
  deliveries: EmulatorDelivery[] = [];
  requests: RecordedRequest[] = [];
  /** Requests answered 429 by the rate limits (not by injected faults), oldest first. */
  rateLimited: RateLimitedRequest[] = [];

  reset(): void {
    this.rateLimited = [];
    this.tokens.clear();
    this.tokenRequests = 0;
    this.accounts.clear();
    this.executions.clear();
    this.scans.clear();
    this.verdicts.clear();
    this.captures.clear();
    this.images.clear();
    this.deliveries = [];
    this.requests = [];
  }
}
