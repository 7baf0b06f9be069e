/**
 * The Acme ID emulator: stateful MSW handlers that behave like Acme ID's API,
 * implementing the `ProviderEmulator` contract of `idv-providers/emulator-kit`
 * so the conformance suite can drive the Acme ID provider. The kit's fault
 * queue, test clock and "find or 404" answer do the generic work; Acme ID's
 * own error bodies are passed in.
 *
 * It is written from the vendor's side: it knows Acme ID's statuses and labels,
 * not the adapter's mapping table, so the suite tests the adapter rather than
 * agreeing with it.
 *
 * @example
 * ```ts
 * const emulator = createAcmeEmulator();
 * const server = setupServer(...emulator.handlers);
 * const idv = await createProvider(emulator.config({ autoRegistration: true }));
 * ```
 *
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ExtractedPerson, IdvConfig, ReasonCode, SessionRef } from 'idv-providers';
import {
  createFindOr404,
  createTestClock,
  type EmulatorDelivery,
  type EmulatorFault,
  type EmulatorVerdict,
  FaultQueue,
  type FaultScope,
  type ProviderEmulator,
  type TestClock,
} from 'idv-providers/emulator-kit';
import { HttpResponse, http, type RequestHandler } from 'msw';

/** A session's verdict in Acme ID's own terms. */
export interface AcmeOutcome {
  status: 'approved' | 'declined' | 'review';
  labels: string[];
}

/**
 * How Acme ID expresses each reason code. Reasons missing here have no Acme ID
 * label; `UNKNOWN` is a label newer than any adapter's table. `EXPIRED` is not an
 * outcome but a link that runs out (see `completeCustomerJourney`).
 */
export const ACME_RECIPES: Readonly<Partial<Record<ReasonCode, AcmeOutcome>>> = {
  CLEAR: { status: 'approved', labels: ['clear'] },
  CAUTION_DATA_VALIDATION: { status: 'review', labels: ['document_expiring_soon'] },
  CAUTION_DATA_CONSISTENCY: { status: 'review', labels: ['data_mismatch'] },
  CAUTION_FACIAL_COMPARISON: { status: 'review', labels: ['face_similarity_low'] },
  CAUTION_WATCHLIST: { status: 'review', labels: ['watchlist_hit'] },
  SUSPECTED_COMPROMISED_DOCUMENT: { status: 'declined', labels: ['document_fake'] },
  SUSPECTED_VISUAL_CONSISTENCY: { status: 'declined', labels: ['document_tampered'] },
  SUSPECTED_DATA_VALIDATION: { status: 'declined', labels: ['mrz_invalid'] },
  SUSPECTED_FACE_COMPARISON: { status: 'declined', labels: ['face_mismatch'] },
  REJECTED_IMAGE_INTEGRITY: { status: 'declined', labels: ['image_blurry'] },
  REJECTED_AGE_VALIDATION: { status: 'declined', labels: ['underage'] },
  UNKNOWN: { status: 'review', labels: ['nfc_chip_unreadable'] },
};

/** Settings of {@link createAcmeEmulator}. */
export interface AcmeEmulatorOptions {
  /** Base URL served. Default `https://api.acme-id.example`. */
  baseUrl?: string;
  /** Where webhooks are addressed. Default `https://backend.example.com/webhooks/acme-id`. */
  webhookUrl?: string;
  /** The emulator's time, shared with the adapter through `config()`. */
  clock?: TestClock;
}

/** The Acme ID emulator: the shared contract plus Acme-specific controls. */
export interface AcmeEmulator extends ProviderEmulator {
  readonly provider: 'acme-id';
  readonly apiKey: string;
  readonly webhookSecret: string;
  readonly clock: TestClock;
  /** Chooses a session's verdict in Acme ID's own terms (any status and labels). */
  setOutcome(sessionId: string, outcome: AcmeOutcome, person?: ExtractedPerson): void;
}

interface Session {
  id: string;
  reference: string;
  /** The link the customer has; a new link replaces it. */
  url: string;
  status: string;
  labels: string[];
  person: ExtractedPerson | null;
  expiresAt: number;
  completedAt: string | null;
  files: string[];
}

interface StoredFile {
  sessionId: string;
  kind: string;
  bytes: Uint8Array;
}

const SESSION_LIFETIME_MS = 60 * 60 * 1000;
const DEFAULT_PERSON: ExtractedPerson = { firstName: 'Ada', lastName: 'Lovelace' };

const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;
const acmeError = (status: number, type: string, message: string, headers = {}): Response =>
  HttpResponse.json({ error: { type, message } }, { status, headers });
const findOr404 = createFindOr404(() => acmeError(404, 'not_found', 'No such resource'));

/** A JPEG-framed image of random content: real, distinct bytes for hash checks. */
const fakeJpeg = (size: number): Uint8Array =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    randomBytes(size),
    Buffer.from([0xff, 0xd9]),
  ]);

/** Creates an Acme ID emulator. Install `emulator.handlers` in an MSW server. */
export function createAcmeEmulator(options: AcmeEmulatorOptions = {}): AcmeEmulator {
  const base = (options.baseUrl ?? 'https://api.acme-id.example').replace(/\/+$/, '');
  const webhookUrl = options.webhookUrl ?? 'https://backend.example.com/webhooks/acme-id';
  const clock = options.clock ?? createTestClock();
  const apiKey = `acme_test_${randomBytes(16).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;

  let sessions = new Map<string, Session>();
  let byIdempotencyKey = new Map<string, string>();
  let verdicts = new Map<string, { outcome: AcmeOutcome | 'expire'; person?: ExtractedPerson }>();
  let files = new Map<string, StoredFile>();
  let sent: EmulatorDelivery[] = [];
  let log: Array<{ method: string; path: string }> = [];
  // Injected faults; an injected status carries Acme ID's own error body.
  const faults = new FaultQueue({
    status: (status, headers) =>
      acmeError(
        status,
        status === 429 ? 'rate_limited' : 'server_error',
        `emulated HTTP ${status}`,
        headers,
      ),
  });

  const iso = (ms: number): string => new Date(ms).toISOString();

  function sendWebhook(event: string, session: Session): void {
    const body = JSON.stringify({
      event,
      session_id: session.id,
      status: session.status,
      created_at: iso(clock.now()),
    });
    const signature = createHmac('sha256', webhookSecret).update(body).digest('hex');
    sent.push({
      url: webhookUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'acme-signature': signature },
      body,
    });
  }

  /** Acme ID's expiry sweep: sessions still `created` after their link ran out. */
  function expireDue(): void {
    for (const session of sessions.values()) {
      if (session.status === 'created' && clock.now() >= session.expiresAt) {
        session.status = 'expired';
        session.completedAt = iso(clock.now());
        sendWebhook('session.expired', session);
      }
    }
  }

  type Resolver = (request: Request, id: string) => Response | Promise<Response>;

  /** One API route: logs the request, applies faults, checks the API key, answers. */
  function route(
    method: 'get' | 'post' | 'delete',
    path: string,
    resolve: Resolver,
  ): RequestHandler {
    return http[method](`${base}${path}`, async ({ request, params }) => {
      const url = new URL(request.url);
      log.push({ method: request.method, path: url.pathname });
      return faults.answer(request.method, url.pathname, () => {
        if (request.headers.get('authorization') !== `Bearer ${apiKey}`) {
          return acmeError(401, 'unauthorized', 'Invalid or missing API key');
        }
        expireDue();
        return resolve(request, String(params['id'] ?? ''));
      });
    });
  }

  const linkView = (s: Session) => ({
    id: s.id,
    url: s.url,
    status: s.status,
    expires_at: iso(s.expiresAt),
  });

  const sessionView = (s: Session) => ({
    id: s.id,
    reference: s.reference,
    status: s.status,
    labels: s.labels,
    person:
      s.person === null
        ? null
        : {
            first_name: s.person.firstName ?? null,
            last_name: s.person.lastName ?? null,
            date_of_birth: s.person.dateOfBirth ?? null,
            nationality: s.person.nationality ?? 'GBR',
            document: {
              type: s.person.documentType ?? 'passport',
              number: s.person.documentNumber ?? 'X1234567',
              country: s.person.issuingCountry ?? 'GBR',
              expiry: s.person.documentExpiry ?? '2031-05-01',
            },
          },
    completed_at: s.completedAt,
  });

  const handlers: RequestHandler[] = [
    route('post', '/v1/sessions', async (request) => {
      const key = request.headers.get('idempotency-key');
      const earlier = key === null ? undefined : sessions.get(byIdempotencyKey.get(key) ?? '');
      const body = (await request.json().catch(() => null)) as { reference?: unknown } | null;
      if (typeof body?.reference !== 'string' || body.reference === '') {
        return acmeError(422, 'validation_error', 'reference is required');
      }
      const id = newId('ses');
      const session: Session = earlier ?? {
        id,
        reference: body.reference,
        url: `https://verify.acme-id.example/s/${id}`,
        status: 'created',
        labels: [],
        person: null,
        expiresAt: clock.now() + SESSION_LIFETIME_MS,
        completedAt: null,
        files: [],
      };
      sessions.set(session.id, session);
      if (key !== null) byIdempotencyKey.set(key, session.id);
      return HttpResponse.json(linkView(session), { status: 201 });
    }),
    // A new link for a session the customer has not submitted (an expired one opens again);
    // the old link stops working.
    route('post', '/v1/sessions/:id/link', (_request, id) =>
      findOr404(sessions.get(id), 'session', (session) => {
        if (session.status !== 'created' && session.status !== 'expired') {
          return acmeError(409, 'conflict', `the session is ${session.status}`);
        }
        session.status = 'created';
        session.completedAt = null;
        session.expiresAt = clock.now() + SESSION_LIFETIME_MS;
        session.url = `https://verify.acme-id.example/s/${session.id}?link=${randomBytes(8).toString('hex')}`;
        return HttpResponse.json(linkView(session));
      }),
    ),
    route('get', '/v1/sessions/:id', (_request, id) =>
      findOr404(sessions.get(id), 'session', (session) => HttpResponse.json(sessionView(session))),
    ),
    route('delete', '/v1/sessions/:id', (_request, id) =>
      findOr404(sessions.get(id), 'session', (session) => {
        for (const fileId of session.files) files.delete(fileId);
        verdicts.delete(session.id);
        sessions.delete(session.id);
        return new HttpResponse(null, { status: 204 });
      }),
    ),
    route('get', '/v1/sessions/:id/files', (_request, id) =>
      findOr404(sessions.get(id), 'session', (session) => {
        const list = session.files.map((fileId) => {
          const file = files.get(fileId) as StoredFile;
          return {
            id: fileId,
            kind: file.kind,
            content_type: 'image/jpeg',
            size: file.bytes.byteLength,
            file_name: `${file.kind}.jpg`,
          };
        });
        return HttpResponse.json({ files: list });
      }),
    ),
    route('get', '/v1/files/:id/content', (_request, id) =>
      findOr404(
        files.get(id),
        'file',
        (file) =>
          new HttpResponse(file.bytes, {
            headers: {
              'Content-Type': 'image/jpeg',
              'Content-Length': String(file.bytes.byteLength),
              'Content-Disposition': `attachment; filename="${file.kind}.jpg"`,
            },
          }),
      ),
    ),
    route('get', '/v1/me', () =>
      HttpResponse.json({
        account: { id: 'acc_emulated', name: 'Emulated account' },
        environment: 'sandbox',
      }),
    ),
  ];

  return {
    provider: 'acme-id',
    handlers,
    apiKey,
    webhookSecret,
    clock,

    config(overrides = {}): IdvConfig {
      return { provider: 'acme-id', apiKey, webhookSecret, baseUrl: base, clock, ...overrides };
    },

    setVerdict(sessionId: string, verdict: EmulatorVerdict): void {
      const person = verdict.person ?? DEFAULT_PERSON;
      if (verdict.reason === 'EXPIRED') {
        verdicts.set(sessionId, { outcome: 'expire', person });
        return;
      }
      const outcome = ACME_RECIPES[verdict.reason];
      if (outcome === undefined) {
        throw new Error(`Acme ID has no label for ${verdict.reason}; use setOutcome()`);
      }
      verdicts.set(sessionId, { outcome, person });
    },

    setOutcome(sessionId, outcome, person = DEFAULT_PERSON): void {
      verdicts.set(sessionId, { outcome, person });
    },

    async completeCustomerJourney(ref: SessionRef): Promise<void> {
      const session = sessions.get(ref.subjectId ?? '');
      if (session === undefined) throw new Error(`no Acme ID session ${ref.subjectId}`);
      const verdict = verdicts.get(session.id) ?? { outcome: ACME_RECIPES.CLEAR as AcmeOutcome };
      if (verdict.outcome === 'expire') {
        clock.set(Math.max(clock.now(), session.expiresAt));
        expireDue();
        return;
      }
      for (const kind of ['document_front', 'selfie']) {
        const fileId = newId('fil');
        files.set(fileId, { sessionId: session.id, kind, bytes: fakeJpeg(2048) });
        session.files.push(fileId);
      }
      // Acme ID decides as soon as the customer submits.
      session.status = verdict.outcome.status;
      session.labels = [...verdict.outcome.labels];
      session.person = verdict.person ?? DEFAULT_PERSON;
      session.completedAt = iso(clock.now());
      sendWebhook('session.completed', session);
    },

    deliveries: () => [...sent],

    fail(fault: EmulatorFault, scope: FaultScope = {}): void {
      faults.add(fault, scope);
    },

    servedBytes: (documentId) => files.get(documentId)?.bytes,

    requestCount: (method, path) =>
      log.filter((r) => r.method === method.toUpperCase() && path.test(r.path)).length,

    reset(): void {
      sessions = new Map();
      byIdempotencyKey = new Map();
      verdicts = new Map();
      files = new Map();
      sent = [];
      log = [];
      faults.clear();
    },

    invalidCredentials: () => ({ apiKey: 'acme_test_not-a-valid-key' }),
  };
}
