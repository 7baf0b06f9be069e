/**
 * A provider for **Acme ID**, an imaginary identity verification vendor, written
 * only against the public API of `idv-providers`. Copy it to write your own.
 *
 * Acme ID's API (bearer API key on every call):
 *
 * | call | answer |
 * |---|---|
 * | `POST /v1/sessions {reference, locale?, redirect_url?}` (with `Idempotency-Key`) | `{id, url, status, expires_at}` |
 * | `POST /v1/sessions/{id}/link` | `{id, url, status, expires_at}`: a new link; the old one stops working (409 once the customer submitted) |
 * | `GET /v1/sessions/{id}` | `{id, reference, status, labels, person, completed_at}` |
 * | `DELETE /v1/sessions/{id}` | 204; the session and its files are gone (404 after) |
 * | `GET /v1/sessions/{id}/files` | `{files: [{id, kind, content_type, size, file_name}]}` |
 * | `GET /v1/files/{id}/content` | the image bytes |
 * | `GET /v1/me` | `{account: {id, name}, environment}` |
 *
 * `status` is `created` → `submitted` → `approved`, `declined` or `review`, or
 * `expired` when the customer never finished. `labels` say why. Webhooks are
 * `POST`ed as `{event, session_id, status, created_at}` with the hex HMAC-SHA256
 * of the raw body, keyed with the webhook secret, in `Acme-Signature`.
 *
 * @module
 */
import { createHmac, randomUUID } from 'node:crypto';
import {
  type DocumentInfo,
  type ExtractedPerson,
  type IdentityVerificationProvider,
  type IncomingWebhook,
  InvalidInputError,
  NotFoundError,
  type ProviderDefinition,
  type ProviderLabel,
  parseProviderOptions,
  type ReasonCode,
  type SessionRef,
  WebhookVerificationError,
} from 'idv-providers';
import {
  baseUrlOption,
  bodyBytes,
  bodyText,
  checkBaseUrls,
  commonOptionsShape,
  constantTimeEqual,
  createHttpClient,
  customerLinkSchema,
  decideOutcome,
  downloadStream,
  headerValue,
  httpUrl,
  type MappingRow,
  mapLabels,
  nonEmpty,
  systemClock,
  trimTrailingSlashes,
} from 'idv-providers/kit';
import { z } from 'zod';

/** The provider's name in config: `provider: "acme-id"`, `IDV_PROVIDER=acme-id`. */
export const ACME_ID = 'acme-id';

/** Acme ID's production API. */
export const ACME_ID_BASE_URL = 'https://api.acme-id.example';

/** The header carrying the webhook signature. */
export const ACME_ID_SIGNATURE_HEADER = 'Acme-Signature';

// ---------------------------------------------------------------------------
// Options. `commonOptionsShape` brings the core's shared options
// (autoRegistration, policy, timeouts, retries, clock, ...) with their
// defaults: `createProvider` passes `policy` and `clock` into every
// provider's options, so a strict schema must accept them.

/** Schema of the Acme ID options; unknown options are refused. */
export const acmeIdOptionsSchema = z
  .strictObject({
    ...commonOptionsShape,
    /** API key (`Authorization: Bearer ...`). Secret. */
    apiKey: nonEmpty,
    /** The key Acme ID signs webhooks with. Secret. */
    webhookSecret: z.string().trim().min(16, { message: 'must be at least 16 characters' }),
    /** API base URL (a proxy, or the emulator in tests). Default {@link ACME_ID_BASE_URL}. */
    baseUrl: baseUrlOption.default(ACME_ID_BASE_URL),
    /** Where Acme ID sends the customer after capture. */
    redirectUrl: httpUrl.optional(),
  })
  .superRefine(checkBaseUrls);

/** Acme ID options as a host writes them. */
export type AcmeIdOptionsInput = z.input<typeof acmeIdOptionsSchema>;
/** Validated Acme ID options. */
export type AcmeIdOptions = z.output<typeof acmeIdOptionsSchema>;

// ---------------------------------------------------------------------------
// The mapping: Acme ID's labels → reason codes, one row per label. A label
// missing from the table yields UNKNOWN (never CLEAR).

/** Every label Acme ID documents. */
export type AcmeIdLabel = (typeof ACME_ID_LABELS)[number]['key'];

/** Acme ID's labels and the reason each one means. */
export const ACME_ID_LABELS = [
  { key: 'clear', reason: 'CLEAR' },
  { key: 'document_expiring_soon', reason: 'CAUTION_DATA_VALIDATION' },
  { key: 'unsupported_document', reason: 'CAUTION_DATA_VALIDATION' },
  { key: 'data_mismatch', reason: 'CAUTION_DATA_CONSISTENCY' },
  { key: 'face_similarity_low', reason: 'CAUTION_FACIAL_COMPARISON' },
  { key: 'watchlist_hit', reason: 'CAUTION_WATCHLIST' },
  { key: 'document_fake', reason: 'SUSPECTED_COMPROMISED_DOCUMENT' },
  { key: 'document_reported_stolen', reason: 'SUSPECTED_COMPROMISED_DOCUMENT' },
  { key: 'document_tampered', reason: 'SUSPECTED_VISUAL_CONSISTENCY' },
  { key: 'mrz_invalid', reason: 'SUSPECTED_DATA_VALIDATION' },
  { key: 'face_mismatch', reason: 'SUSPECTED_FACE_COMPARISON' },
  { key: 'image_blurry', reason: 'REJECTED_IMAGE_INTEGRITY' },
  { key: 'image_glare', reason: 'REJECTED_IMAGE_INTEGRITY' },
  { key: 'document_cropped', reason: 'REJECTED_IMAGE_INTEGRITY' },
  { key: 'underage', reason: 'REJECTED_AGE_VALIDATION' },
] as const satisfies readonly MappingRow[];

/** What each session status means: still running, decided (read the labels), or ran out. */
const STATUSES: Readonly<Record<string, 'pending' | 'decided' | 'expired'>> = {
  created: 'pending',
  submitted: 'pending',
  approved: 'decided',
  declined: 'decided',
  review: 'decided',
  expired: 'expired',
};

/**
 * The reasons a session's status and labels give. An unknown status or label
 * gives `UNKNOWN`, and so does a `declined` or `review` session whose labels
 * say nothing but `clear`: Acme ID did not approve it, so it is not clear.
 */
export function acmeIdReasons(
  status: string,
  labels: readonly string[],
): { pending: boolean; reasons: ReasonCode[] } {
  const meaning = STATUSES[status];
  if (meaning === 'pending') return { pending: true, reasons: [] };
  if (meaning === 'expired') return { pending: false, reasons: ['EXPIRED'] };
  if (meaning === undefined) return { pending: false, reasons: ['UNKNOWN'] };
  const { reasons } = mapLabels(ACME_ID_LABELS, labels);
  if (status !== 'approved' && !reasons.some((r) => r !== 'CLEAR')) reasons.push('UNKNOWN');
  return { pending: false, reasons };
}

// ---------------------------------------------------------------------------
// Acme ID's answers, checked with zod: an unexpected shape is a typed
// UnexpectedResponseError from the HTTP client, not a crash later.

const createdSession = z.object({
  id: z.string().min(1),
  // Sent to the customer: only an https URL is taken (never `javascript:` or `http:`).
  url: customerLinkSchema,
  expires_at: z.iso.datetime({ offset: true }),
});
/** A started or re-linked session: the link the customer gets. */
function sessionLink(data: z.output<typeof createdSession>) {
  return {
    session: { provider: ACME_ID, subjectId: data.id },
    customerUrl: data.url,
    expiresAt: new Date(data.expires_at),
  };
}
const text = z.string().nullish();
const sessionBody = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  labels: z.array(z.string()),
  person: z
    .object({
      first_name: text,
      last_name: text,
      date_of_birth: text,
      nationality: text,
      document: z.object({ type: text, number: text, country: text, expiry: text }).nullish(),
    })
    .nullish(),
  completed_at: text,
});
const filesBody = z.object({
  files: z.array(
    z.object({
      id: z.string().min(1),
      kind: z.string(),
      content_type: z.string().optional(),
      size: z.number().int().nonnegative().optional(),
      file_name: z.string().optional(),
    }),
  ),
});
const meBody = z.object({
  account: z.object({ id: z.string(), name: z.string() }),
  environment: z.string(),
});
const webhookBody = z.object({
  event: z.string().min(1),
  session_id: z.string().min(1),
  status: z.string().optional(),
  created_at: z.string().optional(),
});

/** The person Acme ID read from the document, in the library's terms. */
function personOf(p: z.output<typeof sessionBody>['person']): ExtractedPerson | null {
  if (p == null) return null;
  const fields: Array<[keyof ExtractedPerson, string | null | undefined]> = [
    ['firstName', p.first_name],
    ['lastName', p.last_name],
    ['dateOfBirth', p.date_of_birth],
    ['nationality', p.nationality],
    ['documentType', p.document?.type],
    ['documentNumber', p.document?.number],
    ['issuingCountry', p.document?.country],
    ['documentExpiry', p.document?.expiry],
  ];
  const person: ExtractedPerson = {};
  for (const [key, value] of fields) {
    if (typeof value === 'string' && value !== '') person[key] = value;
  }
  return person;
}

/** File kinds → the interface's kinds. An unlisted kind is kept as a document. */
const FILE_KINDS: Readonly<Record<string, Pick<DocumentInfo, 'kind' | 'side'>>> = {
  document_front: { kind: 'document', side: 'front' },
  document_back: { kind: 'document', side: 'back' },
  selfie: { kind: 'selfie', side: 'face' },
  selfie_video: { kind: 'video', side: 'face' },
};

/** Events after which `getResult` has a final answer; others (`session.submitted`) are progress. */
const ACTIONABLE_EVENTS: ReadonlySet<string> = new Set(['session.completed', 'session.expired']);

// ---------------------------------------------------------------------------
// Webhooks.

/** Signs a webhook body as Acme ID does (hex HMAC-SHA256), for building test fixtures. */
export function signAcmeIdWebhook(body: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(bodyBytes(body)).digest('hex');
}

function refuse(reason: string, message: string): never {
  throw new WebhookVerificationError(`[idv] [${ACME_ID}] ${message}`, {
    provider: ACME_ID,
    reason,
  });
}

function verifySignature(request: IncomingWebhook, secret: string): void {
  const given = headerValue(request.headers, ACME_ID_SIGNATURE_HEADER)?.trim();
  if (given === undefined || given === '') {
    refuse('missing_signature', `webhook has no ${ACME_ID_SIGNATURE_HEADER} header`);
  }
  if (!/^[0-9a-f]{64}$/i.test(given)) {
    refuse('malformed_signature', `${ACME_ID_SIGNATURE_HEADER} is not 64 hex digits`);
  }
  const expected = createHmac('sha256', secret).update(bodyBytes(request.body)).digest();
  if (!constantTimeEqual(Buffer.from(given, 'hex'), expected)) {
    refuse('bad_signature', `${ACME_ID_SIGNATURE_HEADER} does not match the body`);
  }
}

// ---------------------------------------------------------------------------
// The provider.

function assertSession(session: SessionRef): string {
  if (session?.provider !== ACME_ID) {
    throw new InvalidInputError(
      `[idv] [${ACME_ID}] this session belongs to provider ${JSON.stringify(session?.provider)}`,
      { provider: ACME_ID, field: 'session.provider' },
    );
  }
  if (session.subjectId === undefined || session.subjectId === '') {
    throw new InvalidInputError(`[idv] [${ACME_ID}] the session has no subjectId`, {
      provider: ACME_ID,
      field: 'session.subjectId',
    });
  }
  return session.subjectId;
}

const path = (...parts: string[]): string => parts.map(encodeURIComponent).join('/');

/**
 * Creates the Acme ID provider. `subjectId` of its sessions is Acme ID's session
 * id; Acme ID has no applicant to reuse, so `existingSubjectId` is ignored.
 *
 * @example
 * ```ts
 * const idv = acmeId({ apiKey, webhookSecret });
 * const { session, customerUrl } = await idv.startVerification({ identityReference: 'identity-42' });
 * ```
 */
export function acmeId(input: AcmeIdOptionsInput): IdentityVerificationProvider {
  const options = parseProviderOptions(ACME_ID, acmeIdOptionsSchema, input);
  const baseUrl = trimTrailingSlashes(options.baseUrl);
  const clock = options.clock ?? systemClock;
  const http = createHttpClient({
    provider: ACME_ID,
    baseUrl,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    maxRetryAfterMs: options.maxRetryAfterMs,
    userAgent: options.userAgent,
    clock,
    secrets: () => [options.apiKey, options.webhookSecret],
    authorize: () => ({ Authorization: `Bearer ${options.apiKey}` }),
  });

  return {
    name: ACME_ID,
    capabilities: {
      signedWebhooks: true,
      requiresCompleteCapture: false,
      hostedCapture: true,
      sdkToken: false,
    },

    async startVerification(start, call = {}) {
      if (start.identityReference.trim() === '') {
        throw new InvalidInputError(`[idv] [${ACME_ID}] identityReference must not be empty`, {
          provider: ACME_ID,
          field: 'identityReference',
        });
      }
      const { data } = await http.request({
        method: 'POST',
        url: '/v1/sessions',
        body: {
          reference: start.identityReference,
          ...(start.locale === undefined ? {} : { locale: start.locale }),
          ...(options.redirectUrl === undefined ? {} : { redirect_url: options.redirectUrl }),
        },
        // Acme ID answers a repeated Idempotency-Key with the same session, so a retry is safe.
        headers: { 'Idempotency-Key': randomUUID() },
        idempotent: true,
        schema: createdSession,
        signal: call.signal,
      });
      return sessionLink(data);
    },

    // Acme ID decides on its own once the customer finishes on its hosted page, so a submit
    // starts nothing: however often it is called, it is idempotent.
    async completeCapture(session) {
      assertSession(session);
      return session;
    },

    // A new link for the same session; Acme ID retires the old one. Acme ID keeps no reference
    // per link, so `input` (the identity reference) is not sent again.
    async refreshLink(session, _input, call = {}) {
      const id = assertSession(session);
      const { data } = await http.request({
        method: 'POST',
        url: `/v1/sessions/${path(id, 'link')}`,
        // A second new link retires the first as well: safe to repeat.
        idempotent: true,
        schema: createdSession,
        signal: call.signal,
      });
      return sessionLink(data);
    },

    // Deletes the session with its files at once (nothing to restore); one Acme ID does not know
    // (deleted before) is `not_found`, so a repeated deletion succeeds.
    async deleteSubject(session, call = {}) {
      const id = assertSession(session);
      const deleted = { provider: ACME_ID, subjectId: id, restorable: false };
      try {
        await http.request({
          method: 'DELETE',
          url: `/v1/sessions/${path(id)}`,
          signal: call.signal,
        });
      } catch (error) {
        if (error instanceof NotFoundError) return { ...deleted, outcome: 'not_found' as const };
        throw error;
      }
      return { ...deleted, outcome: 'deleted' as const };
    },

    async verifyWebhook(request) {
      verifySignature(request, options.webhookSecret);
      let json: unknown;
      try {
        json = JSON.parse(bodyText(request.body));
      } catch {
        refuse('malformed_body', 'webhook body is not JSON');
      }
      const parsed = webhookBody.safeParse(json);
      if (!parsed.success) refuse('malformed_body', 'webhook body is not an Acme ID event');
      const { event, session_id: id, created_at: occurredAt } = parsed.data;
      return {
        provider: ACME_ID,
        type: event,
        dedupeKey: `${ACME_ID}:${event}:${id}`,
        session: { provider: ACME_ID, subjectId: id },
        actionable: ACTIONABLE_EVENTS.has(event),
        ...(occurredAt === undefined ? {} : { occurredAt }),
      };
    },

    async getResult(session, call = {}) {
      const id = assertSession(session);
      const { data } = await http.request({
        method: 'GET',
        url: `/v1/sessions/${path(id)}`,
        schema: sessionBody,
        signal: call.signal,
      });
      const { pending, reasons } = acmeIdReasons(data.status, data.labels);
      const labels: ProviderLabel[] = [
        { source: 'status', value: data.status },
        ...data.labels.map((value) => ({ source: 'labels', value })),
      ];
      return decideOutcome(
        {
          session: { ...session, subjectId: data.id },
          pending,
          reasons,
          person: personOf(data.person),
          providerLabels: labels,
          completedAt: data.completed_at ?? undefined,
        },
        { autoRegistration: options.autoRegistration, policy: options.policy },
      );
    },

    async listDocuments(session, call = {}) {
      const id = assertSession(session);
      const { data } = await http.request({
        method: 'GET',
        url: `/v1/sessions/${path(id, 'files')}`,
        schema: filesBody,
        signal: call.signal,
      });
      return data.files.map(
        (file): DocumentInfo => ({
          id: file.id,
          ...(FILE_KINDS[file.kind] ?? { kind: 'document' }),
          ...(file.file_name === undefined ? {} : { fileName: file.file_name }),
          ...(file.content_type === undefined ? {} : { contentType: file.content_type }),
          ...(file.size === undefined ? {} : { size: file.size }),
          downloadUrl: `${baseUrl}/v1/files/${path(file.id, 'content')}`,
        }),
      );
    },

    // Only Acme ID's own origin is allowed, so the API key never goes elsewhere.
    async downloadDocument(document, call = {}) {
      return downloadStream(http, document, {
        provider: ACME_ID,
        allowedOrigins: [new URL(baseUrl).origin],
        maxBytes: options.maxDownloadBytes,
        signal: call.signal,
      });
    },

    async checkConnection(call = {}) {
      const started = clock.now();
      const { data } = await http.request({
        method: 'GET',
        url: '/v1/me',
        schema: meBody,
        signal: call.signal,
      });
      return {
        provider: ACME_ID,
        ok: true,
        baseUrl,
        latencyMs: clock.now() - started,
        detail: `API key accepted for account ${data.account.id} (${data.environment})`,
      };
    },

    // What the intake asks before it takes a delivery. The schema already requires the API key and
    // the webhook secret, so nothing can be missing; a provider whose webhook secret is optional
    // reports it here (`use: 'webhooks'`), and `createWebhookHandler` refuses to start without it.
    readiness() {
      return { ready: true, problems: [] };
    },
  };
}

/**
 * The registry entry: `registerProvider(acmeIdDefinition)` makes
 * `createProvider({ provider: 'acme-id', ... })` and `IDV_PROVIDER=acme-id` work.
 * Options read from the environment: `IDV_ACME_ID_API_KEY`,
 * `IDV_ACME_ID_WEBHOOK_SECRET`, `IDV_ACME_ID_BASE_URL`, `IDV_ACME_ID_REDIRECT_URL`,
 * and the shared `IDV_AUTO_REGISTRATION`, `IDV_TIMEOUT_MS`, ...
 */
export const acmeIdDefinition: ProviderDefinition<AcmeIdOptions> = {
  name: ACME_ID,
  optionsSchema: acmeIdOptionsSchema,
  env: {
    apiKey: 'string',
    webhookSecret: 'string',
    baseUrl: 'string',
    redirectUrl: 'string',
  },
  create: (options) => acmeId(options),
};
