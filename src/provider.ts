/**
 * The provider-neutral interface every adapter implements, in the order a
 * verification flows through it:
 *
 * 1. {@link IdentityVerificationProvider.startVerification}: the provider creates an
 *    applicant or transaction; the host sends the customer the link.
 * 2. {@link IdentityVerificationProvider.completeCapture}: the verification page says
 *    the customer finished capture (Onfido starts its check here).
 * 3. {@link IdentityVerificationProvider.verifyWebhook}: the provider calls back; the
 *    call is verified and reduced to the ids it names.
 * 4. {@link IdentityVerificationProvider.getResult}: the authoritative result is fetched
 *    from the API and normalised.
 * 5. {@link IdentityVerificationProvider.listDocuments} and
 *    {@link IdentityVerificationProvider.downloadDocument}: document images and selfies.
 *
 * Around them: {@link IdentityVerificationProvider.refreshLink} gives the customer a
 * new link for the same applicant or account, and
 * {@link IdentityVerificationProvider.deleteSubject} deletes it at the provider.
 *
 * {@link IdentityVerificationProvider.checkConnection} proves the credentials at any time;
 * {@link IdentityVerificationProvider.readiness} says, without a request, what the
 * configuration lacks for each use (the intake asks it when it is created).
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { ExtractedPerson, SessionRef, VerificationResult } from './outcome';

/** What the host knows about the person being verified. */
export interface StartVerificationInput {
  /**
   * The host's own reference for the identity (an identity id, a user id).
   * Jumio receives it as `customerInternalReference`; Onfido has no such field,
   * so the host keeps the returned applicant id beside its identity. Must not
   * contain personal data (no phone numbers or names).
   */
  identityReference: string;
  /**
   * The person's name and other details, where the provider needs or accepts them.
   * Onfido requires `firstName`, `lastName` and `countryOfResidence` to create an
   * applicant.
   */
  person?: PersonHint | undefined;
  /** A second reference for the provider to echo in callbacks (Jumio `userReference`). */
  userReference?: string | undefined;
  /** Language for the provider's capture pages (`en`, `de-DE`, ...). */
  locale?: string | undefined;
  /**
   * An existing applicant or account id to reuse, so a returning identity gets a
   * new attempt under the same provider record (Jumio `PUT /accounts/{id}`).
   */
  existingSubjectId?: string | undefined;
  /**
   * The person's IP address as the host saw it (the customer's browser or
   * app), IPv4 or IPv6, for providers that locate the person with it (Onfido
   * sends it as part of the applicant's location). Leave it out rather than
   * pass the address of a proxy.
   */
  ipAddress?: string | undefined;
  /**
   * Consents the person gave on the host's own pages before the verification,
   * for providers that must be told. Pass only what the person agreed to.
   */
  consents?:
    | {
        /**
         * The person was shown the provider's privacy notices and its consent
         * text for processing their biometric data (the face in the selfie and
         * on the document), and agreed. Onfido requires it for residents of the
         * United States (`person.countryOfResidence: 'USA'`) before a document or
         * face check runs, and it lasts six months: pass it again for a
         * returning identity.
         */
        biometric?: boolean | undefined;
      }
    | undefined;
}

/** Details about the person that a host may pass when starting a verification. */
export interface PersonHint {
  /** Given name(s). */
  firstName?: string | undefined;
  /** Family name(s). */
  lastName?: string | undefined;
  /** E-mail address. */
  email?: string | undefined;
  /** Phone number, E.164. */
  phoneNumber?: string | undefined;
  /** Date of birth, `YYYY-MM-DD`. */
  dateOfBirth?: string | undefined;
  /**
   * The country the person lives in, as an ISO 3166-1 alpha-3 code (`GBR`,
   * `USA`, `DEU`). Onfido requires it (the applicant's location) before any
   * check runs, and the biometric consent (`consents.biometric`) for
   * residents of the United States.
   */
  countryOfResidence?: string | undefined;
}

/** What a started verification gives the host to send the customer on their way. */
export interface VerificationSession {
  /** The ids of the started verification; store them with the identity. */
  session: SessionRef & { subjectId: string };
  /** The link to send the customer (a page of the host's verification site, or the provider's hosted page). */
  customerUrl?: string | undefined;
  /** A token for the provider's capture SDK, when the flow uses one. */
  sdkToken?: string | undefined;
  /** When the link or SDK token stops working. */
  expiresAt: Date;
}

/** An incoming webhook or callback, as received: raw body and headers. */
export interface IncomingWebhook {
  /** The raw request body, exactly as received (never re-serialised JSON). */
  body: string | Uint8Array;
  /** The request headers; names are matched case-insensitively. */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The sender's IP address, for providers whose callbacks are checked by source address. */
  remoteAddress?: string | undefined;
}

/** What a verified webhook or callback says: which session changed and how. Never the verdict itself. */
export interface WebhookEvent {
  /** The provider's name. */
  provider: string;
  /** The event type as the provider names it (`check.completed`, `PROCESSED`, ...). */
  type: string;
  /**
   * A key that is the same for two deliveries of the same event, for
   * de-duplication (provider name, event type and resource id).
   */
  dedupeKey: string;
  /** The session it concerns, with the ids the event named. */
  session: SessionRef;
  /**
   * `true` when the event means a result can now be fetched with
   * {@link IdentityVerificationProvider.getResult}; `false` for progress events
   * (check started, report completed) that need no action.
   */
  actionable: boolean;
  /** When the provider sent or completed it, ISO 8601, when it said. */
  occurredAt?: string | undefined;
  /**
   * Whether the adapter knows this event type: `true` for the types its own
   * event union lists (`OnfidoWebhookEvent` from `idv-providers/onfido`,
   * `JumioWebhookEvent` from `idv-providers/jumio`), each with the ids of
   * its kind; `false` for a type it has not seen, which is still verified and
   * returned (an {@link UnknownWebhookEvent}), never dropped. Absent from a
   * provider that does not say.
   */
  known?: boolean | undefined;
}

/**
 * A verified event whose type the adapter does not know (one the provider
 * added later): its `type` is the provider's string as sent. Check `known`
 * before switching on `type`, and the switch over the known types is
 * exhaustive:
 *
 * ```ts
 * const event = await idv.verifyWebhook(request); // OnfidoWebhookEvent
 * if (!event.known) return log.info(`new Onfido event ${event.type}`);
 * switch (event.type) { case 'check.completed': ...; default: { const never: never = event; } }
 * ```
 */
export interface UnknownWebhookEvent extends WebhookEvent {
  known: false;
}

/** Metadata about one stored document image or selfie. */
export interface DocumentInfo {
  /** The provider's id of the file. */
  id: string;
  /** What it shows. */
  kind: 'document' | 'selfie' | 'video';
  /** Which side or part (`front`, `back`, `face`, ...), when known. */
  side?: string | undefined;
  /** The document type as the provider names it, when known. */
  documentType?: string | undefined;
  /** File name, when the provider gives one. */
  fileName?: string | undefined;
  /** MIME type, when known before downloading. */
  contentType?: string | undefined;
  /** Size in bytes, when known before downloading. */
  size?: number | undefined;
  /** The provider's download URL; always on the provider's API host. */
  downloadUrl: string;
}

/** A document being downloaded: its metadata and a stream of its bytes. */
export interface DocumentDownload {
  /** What is being downloaded. */
  document: DocumentInfo;
  /** MIME type from the answer. */
  contentType: string;
  /** File name to save it under. */
  fileName: string;
  /** Size in bytes, when the provider sent `Content-Length`. */
  size: number | undefined;
  /**
   * The bytes, streamed (never buffered whole). The stream errors with a
   * `DownloadRefusedError` if it grows past the configured size limit.
   */
  body: Readable;
}

/** Outcome of {@link IdentityVerificationProvider.checkConnection}. */
export interface ConnectionCheck {
  /** The provider's name. */
  provider: string;
  /** `true` when the credentials were accepted. */
  ok: true;
  /** The API base URL that answered. */
  baseUrl: string;
  /** Round-trip time of the check, milliseconds. */
  latencyMs: number;
  /** A short description of what was checked. */
  detail: string;
}

/** Real differences between providers, for hosts and the conformance suite. */
export interface ProviderCapabilities {
  /** Webhooks carry a verifiable signature (Onfido); otherwise authenticity rests on re-fetching (Jumio). */
  signedWebhooks: boolean;
  /** {@link IdentityVerificationProvider.completeCapture} must be called for a result to come (Onfido classic checks). */
  requiresCompleteCapture: boolean;
  /** The customer link is the provider's own hosted page rather than the host's verification site. */
  hostedCapture: boolean;
  /** The session carries an SDK token for an embedded capture. */
  sdkToken: boolean;
}

/**
 * What a part of the library uses a provider for: starting verifications
 * (`start`), verifying its webhooks or callbacks (`webhooks`: the intake's
 * route), fetching results and documents (`results`: the processor).
 */
export type ProviderUse = 'start' | 'webhooks' | 'results';

/** One thing a provider's configuration lacks for a use. */
export interface ReadinessProblem {
  /** What cannot work without it. */
  use: ProviderUse;
  /** The option at fault, as the config names it (`webhookToken`). */
  option: string;
  /**
   * A message naming the provider, the option and its environment variable,
   * and what to do: `[idv] [onfido] missing option "webhookToken" (IDV_ONFIDO_WEBHOOK_TOKEN): ...`.
   * Never a value.
   */
  message: string;
}

/** What {@link IdentityVerificationProvider.readiness} answers. */
export interface ProviderReadiness {
  /** `true` when nothing is missing for any use. */
  ready: boolean;
  /** What is missing, one entry per option and use; empty when ready. */
  problems: ReadinessProblem[];
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal | undefined;
}

/**
 * A lock the host holds across its processes (a PostgreSQL advisory lock, a
 * Redis lock, a row lock): runs `critical` while no other holder of `key`
 * runs, and answers what it answers. The provider names the key
 * (`idv:onfido:capture:<applicant id>`); the lock decides how long to wait.
 */
export type CaptureLock = <T>(key: string, critical: () => Promise<T>) => Promise<T>;

/** Options of {@link IdentityVerificationProvider.completeCapture}. */
export interface CompleteCaptureOptions extends CallOptions {
  /**
   * Makes submits from several processes (or provider instances) for one
   * session start exactly one attempt: the provider looks for the attempt and
   * creates it under this lock. Without it, submits inside one provider
   * instance still share one attempt, and racing processes may each start
   * one (see the README, "Submit is idempotent"). Providers that start
   * nothing on submit do not use it.
   */
  lock?: CaptureLock | undefined;
  /**
   * Cancels this caller's wait. Submits for one session share one request, so
   * cancelling one call stops waiting for it without cancelling the request
   * the others wait for; an attempt it creates is found by the next submit.
   */
  signal?: AbortSignal | undefined;
}

/** What {@link IdentityVerificationProvider.refreshLink} needs besides the session. */
export interface RefreshLinkInput {
  /**
   * The `identityReference` the verification was started with. Jumio needs it
   * again for the new transaction (`customerInternalReference`), Onfido
   * Studio for the new run (`customer_user_id`).
   */
  identityReference: string;
  /** A second reference for the provider to echo in callbacks (Jumio `userReference`). */
  userReference?: string | undefined;
  /** Language for the provider's capture pages (`en`, `de-DE`, ...). */
  locale?: string | undefined;
}

/** What {@link IdentityVerificationProvider.deleteSubject} did. */
export interface SubjectDeletion {
  /** The provider's name. */
  provider: string;
  /** The applicant (Onfido) or account (Jumio) id deleted. */
  subjectId: string;
  /**
   * `deleted`: the provider accepted the deletion now. `not_found`: it knows
   * no such subject: deleted before (a repeated deletion), or never created at
   * this account and region (check the configuration before taking it as
   * done).
   */
  outcome: 'deleted' | 'not_found';
  /**
   * `true` when the provider keeps what it deleted restorable for a while
   * (Onfido's archive, for the account's deletion delay:
   * `restoreOnfidoApplicant` from `idv-providers/onfido`); `false` when it is
   * gone at once.
   */
  restorable: boolean;
}

/**
 * One identity verification provider behind a provider-neutral interface.
 * Create one with `createProvider(config)` or a provider's own factory
 * (`onfido(options)`, `jumio(options)`).
 *
 * `Event` is what {@link verifyWebhook} returns: the neutral
 * {@link WebhookEvent} from `createProvider`, the adapter's own union of the
 * events its provider sends from its factory (`onfido()` answers
 * `OnfidoWebhookEvent`, `jumio()` `JumioWebhookEvent`).
 */
export interface IdentityVerificationProvider<Event extends WebhookEvent = WebhookEvent> {
  /** The provider's name, as used in config (`"onfido"`, `"jumio"`, ...). */
  readonly name: string;
  /** What this provider does differently. */
  readonly capabilities: ProviderCapabilities;

  /**
   * Starts a verification for an identity: creates the applicant or transaction
   * and returns what the customer needs (a link and/or SDK token) with its expiry.
   */
  startVerification(
    input: StartVerificationInput,
    options?: CallOptions,
  ): Promise<VerificationSession>;

  /**
   * Marks the customer's capture as finished (the verification site's *submit*).
   * Onfido starts its check here and the returned session carries the check id;
   * providers that need no such step return the session unchanged.
   *
   * Idempotent: a second submit for the same capture, or twenty at once,
   * answers the attempt the first one started (running or finished) instead of
   * starting another. Inside one provider instance concurrent submits share
   * one request; across processes pass a {@link CompleteCaptureOptions.lock}
   * for exactly one attempt.
   */
  completeCapture(session: SessionRef, options?: CompleteCaptureOptions): Promise<SessionRef>;

  /**
   * Gives the customer a new link for the same applicant or account: a new
   * SDK token (Onfido), a new workflow run (Onfido Studio), a new workflow
   * execution with its own `web.href` (Jumio). Store the returned session in
   * place of the old one (its `attemptId` may be new) and send its link; the
   * old link may go on working at the provider until it expires, so revoke the
   * host's own link token for it (see the README, "Verification links").
   *
   * Optional: a provider that cannot leaves it out (Jumio's legacy Netverify
   * mode, which has no account to reuse).
   */
  refreshLink?(
    session: SessionRef,
    input: RefreshLinkInput,
    options?: CallOptions,
  ): Promise<VerificationSession>;

  /**
   * Deletes the subject at the provider: the Onfido applicant with its
   * documents, media, checks and reports (into Onfido's archive, restorable
   * for the account's deletion delay), the Jumio account with all its
   * transactions. Later reads of it fail with `NotFoundError`. A subject the
   * provider does not know answers `outcome: 'not_found'`, so a repeated
   * deletion succeeds.
   *
   * Optional: a provider that cannot delete leaves it out (Jumio's legacy
   * Netverify mode).
   */
  deleteSubject?(session: SessionRef, options?: CallOptions): Promise<SubjectDeletion>;

  /**
   * Verifies an incoming webhook or callback from its raw body and headers and
   * returns the ids it names. Throws `WebhookVerificationError` for anything
   * forged or malformed. The event is a notification only: call
   * {@link getResult} for the verdict.
   */
  verifyWebhook(request: IncomingWebhook): Promise<Event>;

  /** Fetches the authoritative result from the provider's API and normalises it. */
  getResult(session: SessionRef, options?: CallOptions): Promise<VerificationResult>;

  /** Lists the document images and selfies stored for a session. */
  listDocuments(session: SessionRef, options?: CallOptions): Promise<DocumentInfo[]>;

  /** Downloads one document or selfie as a stream. Refuses URLs off the provider's host. */
  downloadDocument(document: DocumentInfo, options?: CallOptions): Promise<DocumentDownload>;

  /** Checks that the configured credentials work, with a cheap authenticated call. */
  checkConnection(options?: CallOptions): Promise<ConnectionCheck>;

  /**
   * Says, from the configuration alone (no request), what is missing for each
   * {@link ProviderUse}: an Onfido provider without `webhookToken` cannot
   * verify webhooks. `createWebhookHandler` and `createProcessor` ask it and
   * throw a `ConfigError` at start-up instead of failing at the first webhook;
   * their `ready()` adds {@link checkConnection}. Optional, so a provider
   * written before it existed still works (it is then taken as ready); the
   * built-in adapters, the example provider and the provider template have it.
   */
  readiness?(): ProviderReadiness;
}

export type { ExtractedPerson, SessionRef, VerificationResult };
