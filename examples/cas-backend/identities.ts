/**
 * The identity store of the example ATM server: which customer is being
 * verified with which provider session, and where each stands. In memory here;
 * a real server keeps this in its database.
 */
import type { ExtractedPerson, FinalStatus, ReasonCode, SessionRef } from 'idv-providers';

/** Where an identity stands. */
export type IdentityState = 'link_sent' | 'submitted' | FinalStatus;

/** A document or selfie the server downloaded and kept. */
export interface KeptDocument {
  id: string;
  fileName: string;
  contentType: string;
  kind: string;
  bytes: number;
  sha256: string;
}

/** One identity being verified. */
export interface Identity {
  id: string;
  phoneNumber: string;
  /** Where the customer lives (ISO 3166-1 alpha-3), kept for a retry's new session. */
  countryOfResidence?: string | undefined;
  /** Whether the customer agreed to the processing of their biometric data, kept for a retry. */
  biometricConsent?: boolean | undefined;
  /** The organisation it belongs to, when the server serves several. */
  organisation?: string | undefined;
  provider: string;
  state: IdentityState;
  /** The current provider session (a retry starts a new one). */
  session: SessionRef & { subjectId: string };
  /** The link sent to the customer, with its signed token. */
  link: string;
  linkExpiresAt: string;
  /** What the customer's page needs: an SDK token (Onfido) or the hosted page (Jumio). */
  sdkToken?: string;
  hostedUrl?: string;
  reason?: ReasonCode | null;
  reasons?: ReasonCode[];
  statusSource?: 'mapping' | 'policy';
  person?: ExtractedPerson | null;
  documents: KeptDocument[];
  /** Event ids already applied, so a redelivered result changes nothing. */
  appliedEvents: string[];
  history: Array<{ at: string; what: string }>;
}

/** Finds and keeps identities. */
export class IdentityStore {
  readonly #byId = new Map<string, Identity>();
  #next = 1;

  newId(): string {
    return `identity-${String(this.#next++).padStart(4, '0')}`;
  }

  save(identity: Identity): Identity {
    this.#byId.set(identity.id, identity);
    return identity;
  }

  get(id: string): Identity | undefined {
    return this.#byId.get(id);
  }

  /** The identity whose current session has this applicant/account id. */
  bySubject(provider: string, subjectId: string): Identity | undefined {
    for (const identity of this.#byId.values()) {
      if (identity.provider === provider && identity.session.subjectId === subjectId)
        return identity;
    }
    return undefined;
  }

  all(): Identity[] {
    return [...this.#byId.values()];
  }
}
