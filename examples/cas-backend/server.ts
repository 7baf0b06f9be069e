/**
 * An ATM operator's server (the role of General Bytes' CAS) built on
 * idv-providers: it starts verifications, texts the customer a signed link,
 * accepts the verification page's *submit*, receives the provider's webhook or
 * callback through the durable intake, and turns the result into the
 * identity's status and a text message. The provider is whatever the
 * configuration names.
 *
 * Every started session is tracked (`processor.track`): when its link runs
 * out, the intake delivers the outcome to the same handler as a webhook's
 * (`EXPIRED` → a fresh link), so the server never polls the provider for
 * links that ran out unused, which Onfido sends no webhook for.
 *
 * One server may serve many organisations (a CAS organisation each, with its
 * own provider account: `organisations`, a provider set): each webhook route
 * then takes the organisation as its last path segment
 * (`.../onfidowh/{organisationId}`, the URL registered for that organisation),
 * every identity belongs to one organisation, and a delivery is verified,
 * recorded and processed with that organisation's provider only.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Clock,
  createProcessor,
  createTenantWebhookHandler,
  createWebhookHandler,
  type EventStore,
  type FinalStatus,
  type IdentityVerificationProvider,
  isIdvError,
  type LinkSigner,
  LinkTokenError,
  type ProviderSet,
  type ResultDelivery,
  type SessionRef,
  tenantFromPath,
  toNodeListener,
  type VerificationResult,
  type WebhookProcessor,
  withLinkToken,
} from 'idv-providers';
import { constantTimeEqual, trimTrailingSlashes } from 'idv-providers/kit';
import { type Identity, IdentityStore } from './identities';
import { refusedPage, statusPage, verificationPage } from './page';
import type { SmsSender } from './sms';

/** The seed's routes, plus the Jumio callback route; with `organisations`, each webhook route ends in `/{organisationId}`. */
export const ROUTES = {
  onfidoWebhook: '/serverapi/apiv1/identity-check/onfidowh',
  jumioCallback: '/serverapi/apiv1/identity-check/jumiocb',
  submit: '/serverapi/apiv1/identity-check/submit',
  page: '/verify',
} as const;

/** Settings of the example server. */
export interface CasBackendOptions {
  /** The provider of a server for one organisation; or give `organisations`. */
  provider?: IdentityVerificationProvider | undefined;
  /**
   * The providers of many organisations, by organisation id (a provider set,
   * reloadable while the server runs); or give `provider`.
   */
  organisations?: ProviderSet | undefined;
  links: LinkSigner;
  store: EventStore;
  sms: SmsSender;
  /** The server's public URL (behind TLS in production), used in links sent to customers. Default: the address it listens on. */
  publicUrl?: string | undefined;
  /** Key the ATM (or operator) presents to start verifications. */
  operatorKey: string;
  /**
   * The country the ATMs stand in (ISO 3166-1 alpha-3, `GBR`): a customer's
   * country of residence unless the request names another. Onfido requires one.
   */
  countryOfResidence?: string | undefined;
  /** Stand-in for the provider's capture, used only against the emulators. */
  emulatedCapture?: (session: SessionRef) => Promise<void>;
  clock?: Pick<Clock, 'now'>;
  /** How often the processor polls the store, milliseconds. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

/** A running example server. */
export interface CasBackend {
  readonly server: Server;
  readonly identities: IdentityStore;
  readonly processor: WebhookProcessor;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  startVerification(input: StartInput): Promise<Identity>;
}

/** What starting a verification needs: the customer's phone and name, where they live, their consent. */
export interface StartInput {
  phoneNumber: string;
  firstName: string;
  lastName: string;
  /** ISO 3166-1 alpha-3; default the server's `countryOfResidence`. */
  countryOfResidence?: string | undefined;
  /** The customer agreed to the processing of their biometric data (Onfido requires it for US residents). */
  biometricConsent?: boolean | undefined;
  /** The organisation the ATM belongs to: required when the server serves `organisations`. */
  organisation?: string | undefined;
}

const FINAL: ReadonlySet<string> = new Set([
  'registered',
  'awaiting_registration',
  'rejected',
  'retry',
]);

/** The text a customer gets for each final status. */
export function smsText(
  result: Pick<VerificationResult, 'status' | 'reason'>,
  retryLink?: string,
): string {
  switch (result.status as FinalStatus) {
    case 'registered':
      return 'Your identity has been verified. You can now use the ATM.';
    case 'awaiting_registration':
      return 'Thank you. Your documents are being reviewed; we will text you when it is done.';
    case 'rejected':
      return 'We are sorry: your identity could not be verified.';
    case 'retry': {
      const why =
        result.reason === 'EXPIRED'
          ? 'the link expired'
          : result.reason === 'REJECTED_AGE_VALIDATION'
            ? 'the age check did not pass'
            : 'the photos could not be read';
      return `Your verification could not be completed (${why}). Please try again: ${retryLink ?? 'ask at the ATM'}`;
    }
  }
}

async function readJson(req: IncomingMessage, limit = 16 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 });
  }
}

/** Compares digests, so neither the key's characters nor its length show in the time taken. */
function sameKey(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return constantTimeEqual(digest(given), digest(expected));
}

/**
 * What a failed request tells its caller: the server's own refusals (a body
 * too large or not JSON) as they are, a refused link plainly, anything else
 * (a provider's error, a bug) as a generic message.
 */
function publicMessage(error: unknown, ownStatus: number | undefined): string {
  if (error instanceof LinkTokenError) return 'This verification link is not valid.';
  if (ownStatus !== undefined) return (error as Error).message;
  return 'Something went wrong on our side. Please try again in a few minutes.';
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(text);
}

/** Creates the example server. */
export function createCasBackend(options: CasBackendOptions): CasBackend {
  const { links, sms, organisations } = options;
  const single = options.provider;
  if ((single === undefined) === (organisations === undefined)) {
    throw new Error('[cas] give either provider or organisations');
  }
  /** The provider of an identity's organisation (the server's one provider without organisations). */
  const providerOf = async (organisation: string | undefined) =>
    organisation === undefined || organisations === undefined
      ? single!
      : organisations.provider(organisation);
  const clock = options.clock ?? { now: () => Date.now() };
  const log = options.log ?? ((line: string) => console.log(line));
  const identities = new IdentityStore();
  const stamp = () => new Date(clock.now()).toISOString();
  let publicUrl =
    options.publicUrl === undefined ? undefined : trimTrailingSlashes(options.publicUrl);

  async function newSession(
    identity: Pick<
      Identity,
      'id' | 'phoneNumber' | 'countryOfResidence' | 'biometricConsent' | 'organisation'
    >,
    name: { firstName: string; lastName: string },
  ) {
    const provider = await providerOf(identity.organisation);
    const started = await provider.startVerification({
      identityReference: identity.id,
      person: { ...name, countryOfResidence: identity.countryOfResidence },
      consents: { biometric: identity.biometricConsent },
    });
    // When the link runs out, the intake delivers the outcome like a webhook (EXPIRED → retry).
    await processor.track(
      started,
      identity.organisation === undefined ? {} : { tenant: identity.organisation },
    );
    const { token, expiresAt } = await links.sign({
      provider: provider.name,
      subjectId: started.session.subjectId,
      identityReference: identity.id,
    });
    const link = withLinkToken(`${publicUrl ?? ''}${ROUTES.page}`, token);
    const linkExpiresAt = new Date(
      Math.min(expiresAt.getTime(), started.expiresAt.getTime()),
    ).toISOString();
    return { started, link, linkExpiresAt };
  }

  async function startVerification(input: StartInput) {
    const provider = await providerOf(input.organisation);
    const id = identities.newId();
    const where = {
      countryOfResidence: input.countryOfResidence ?? options.countryOfResidence,
      biometricConsent: input.biometricConsent,
      ...(input.organisation === undefined ? {} : { organisation: input.organisation }),
    };
    const { started, link, linkExpiresAt } = await newSession(
      { id, phoneNumber: input.phoneNumber, ...where },
      input,
    );
    const identity = identities.save({
      id,
      phoneNumber: input.phoneNumber,
      ...where,
      provider: provider.name,
      state: 'link_sent',
      session: started.session,
      link,
      linkExpiresAt,
      ...(started.sdkToken === undefined ? {} : { sdkToken: started.sdkToken }),
      ...(provider.capabilities.hostedCapture && started.customerUrl !== undefined
        ? { hostedUrl: started.customerUrl }
        : {}),
      documents: [],
      appliedEvents: [],
      history: [
        {
          at: stamp(),
          what: `verification started with ${provider.name}${input.organisation === undefined ? '' : ` for ${input.organisation}`}`,
        },
      ],
    });
    const minutes = Math.round((Date.parse(linkExpiresAt) - clock.now()) / 60_000);
    await sms.send(
      input.phoneNumber,
      `To verify your identity, open ${link} (valid for ${minutes} minutes).`,
    );
    return identity;
  }

  async function applyResult(
    identity: Identity,
    result: VerificationResult,
    eventId: string,
    documents: ResultDelivery['documents'],
  ) {
    // An identity told to retry waits for its next attempt; other final states are settled.
    const settled = FINAL.has(identity.state) && identity.state !== 'retry';
    if (identity.appliedEvents.includes(eventId) || settled) return;
    for (const download of documents) {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of download.body) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      identity.documents.push({
        id: download.document.id,
        fileName: download.fileName,
        contentType: download.contentType,
        kind: download.document.kind,
        bytes,
        sha256: hash.digest('hex'),
      });
    }
    identity.reason = result.reason;
    identity.reasons = result.reasons;
    identity.statusSource = result.statusSource;
    identity.person = result.person;
    identity.appliedEvents.push(eventId);
    identity.history.push({ at: stamp(), what: `result ${result.reason} → ${result.status}` });
    let retryLink: string | undefined;
    if (result.status === 'retry') {
      const provider = await providerOf(identity.organisation);
      // A fresh attempt under a new session; the old link stops working.
      const person = {
        firstName: result.person?.firstName ?? 'Customer',
        lastName: result.person?.lastName ?? identity.id,
      };
      const next = await newSession(identity, person);
      retryLink = next.link;
      identity.session = next.started.session;
      identity.link = next.link;
      identity.linkExpiresAt = next.linkExpiresAt;
      if (next.started.sdkToken === undefined) delete identity.sdkToken;
      else identity.sdkToken = next.started.sdkToken;
      if (provider.capabilities.hostedCapture && next.started.customerUrl !== undefined) {
        identity.hostedUrl = next.started.customerUrl;
      }
      identity.history.push({
        at: stamp(),
        what: `new link issued for ${next.started.session.subjectId}`,
      });
    }
    await sms.send(identity.phoneNumber, smsText(result, retryLink));
    // The state changes last, so whoever sees it final also finds the message sent.
    identity.state = result.status as FinalStatus;
  }

  const processor = createProcessor({
    store: options.store,
    providers: single === undefined ? [] : [single],
    // With organisations, an event is processed with its organisation's provider (event.tenant).
    tenants: organisations,
    clock: { now: () => clock.now(), random: Math.random },
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    handler: async ({ eventId, result, documents, tenant }) => {
      const found = identities.bySubject(result.provider, result.session.subjectId ?? '');
      // An identity of another organisation is never changed by this one's result.
      const identity = found?.organisation === tenant ? found : undefined;
      if (identity === undefined) {
        log(
          `[cas] result for unknown session ${result.session.subjectId ?? result.session.attemptId}${tenant === undefined ? '' : ` of ${tenant}`}: ignored`,
        );
        return;
      }
      await applyResult(identity, result, eventId, documents);
    },
    onError: (error, event) =>
      log(
        `[cas] processing failed${event.tenant === undefined ? '' : ` for ${event.tenant}`}: ${isIdvError(error) ? error.message : String(error)}`,
      ),
  });
  const webhook =
    single === undefined
      ? undefined
      : toNodeListener(
          createWebhookHandler({ provider: single, store: options.store, processor, clock }),
        );
  /** With organisations: a route per provider, the organisation from the path's last segment. */
  const organisationRoute = (path: string, provider: string) =>
    organisations === undefined
      ? undefined
      : toNodeListener(
          createTenantWebhookHandler({
            set: organisations,
            store: options.store,
            processor,
            clock,
            tenantFrom: tenantFromPath(path),
            providerNames: [provider],
            onOutcome: (outcome) => {
              if (outcome.result === 'refused' || outcome.result === 'failed')
                log(
                  `[cas] webhook ${outcome.result} (HTTP ${outcome.status}) for ${outcome.tenant ?? 'no organisation'}`,
                );
            },
          }),
        );
  const organisationWebhooks = {
    onfido: organisationRoute(ROUTES.onfidoWebhook, 'onfido'),
    jumio: organisationRoute(ROUTES.jumioCallback, 'jumio'),
  };

  /**
   * The identity a link token names. A token of an earlier attempt (the
   * identity was sent a fresh link since) is refused, unless `earlierAttempt`
   * allows it, for reading the status only.
   */
  async function identityFromToken(token: unknown, earlierAttempt = false) {
    const claims = await links.verify(String(token ?? ''));
    const identity = identities.get(claims.identityReference);
    if (identity === undefined || identity.provider !== claims.provider)
      throw new LinkTokenError('[idv] verification link refused: unknown identity', {
        reason: 'wrong_session',
      });
    if (identity.session.subjectId !== claims.subjectId && !earlierAttempt) {
      throw new LinkTokenError('[idv] verification link refused: replaced by a newer link', {
        reason: 'replaced',
      });
    }
    return identity;
  }

  function statusView(identity: Identity) {
    const final = FINAL.has(identity.state);
    const text =
      identity.state === 'link_sent'
        ? 'Waiting for your photos.'
        : identity.state === 'submitted'
          ? 'We are checking your documents…'
          : smsText(
              { status: identity.state as FinalStatus, reason: identity.reason ?? null },
              'see your messages',
            );
    return { state: identity.state, final, text };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (webhook !== undefined && (path === ROUTES.onfidoWebhook || path === ROUTES.jumioCallback))
      return webhook(req, res);
    if (organisationWebhooks.onfido !== undefined && path.startsWith(`${ROUTES.onfidoWebhook}/`))
      return organisationWebhooks.onfido(req, res);
    if (organisationWebhooks.jumio !== undefined && path.startsWith(`${ROUTES.jumioCallback}/`))
      return organisationWebhooks.jumio(req, res);

    if (path === ROUTES.submit && req.method === 'POST') {
      const identity = await identityFromToken((await readJson(req))['token']);
      if (identity.state !== 'link_sent' && identity.state !== 'retry') {
        return send(res, 409, {
          message: 'This verification was already submitted.',
          state: identity.state,
        });
      }
      const provider = await providerOf(identity.organisation);
      const attempt = await provider.completeCapture(identity.session);
      identity.session = { ...identity.session, ...attempt, subjectId: identity.session.subjectId };
      identity.state = 'submitted';
      identity.history.push({ at: stamp(), what: 'customer finished capture' });
      return send(res, 200, { state: identity.state });
    }

    if (path === ROUTES.page && req.method === 'GET') {
      const token = url.searchParams.get('token');
      try {
        const identity = await identityFromToken(token);
        if (identity.state !== 'link_sent' && identity.state !== 'retry') {
          return send(res, 200, statusPage(statusView(identity)), 'text/html');
        }
        return send(
          res,
          200,
          verificationPage({
            token: token ?? '',
            provider: identity.provider,
            identityId: identity.id,
            expiresAt: identity.linkExpiresAt,
            sdkToken: identity.sdkToken,
            hostedUrl: identity.hostedUrl,
            emulatedCapture: options.emulatedCapture !== undefined,
          }),
          'text/html',
        );
      } catch (error) {
        const reason = error instanceof LinkTokenError ? error.reason : 'invalid';
        const page =
          reason === 'expired' ? 'expired' : reason === 'replaced' ? 'replaced' : 'invalid';
        return send(res, reason === 'expired' ? 410 : 400, refusedPage(page), 'text/html');
      }
    }

    if (
      path === `${ROUTES.page}/capture` &&
      req.method === 'POST' &&
      options.emulatedCapture !== undefined
    ) {
      const identity = await identityFromToken((await readJson(req))['token']);
      await options.emulatedCapture(identity.session);
      return send(res, 200, { captured: true });
    }

    if (path === `${ROUTES.page}/status` && req.method === 'GET') {
      const identity = await identityFromToken(url.searchParams.get('token'), true);
      return send(res, 200, statusView(identity));
    }

    if (path.startsWith('/internal/')) {
      if (!sameKey(req.headers['authorization'] ?? '', `Bearer ${options.operatorKey}`))
        return send(res, 401, { message: 'operator key required' });
      if (path === '/internal/identities' && req.method === 'POST') {
        const body = await readJson(req);
        const phoneNumber = String(body['phoneNumber'] ?? '');
        if (!/^\+\d{8,15}$/.test(phoneNumber))
          return send(res, 400, { message: 'phoneNumber must be E.164, e.g. +420777123456' });
        const country = body['countryOfResidence'];
        if (country !== undefined && (typeof country !== 'string' || !/^[A-Z]{3}$/.test(country)))
          return send(res, 400, {
            message: 'countryOfResidence must be ISO 3166-1 alpha-3, e.g. GBR',
          });
        const organisation = body['organisation'];
        if (
          organisations === undefined
            ? organisation !== undefined
            : typeof organisation !== 'string' || !organisations.has(organisation)
        )
          return send(res, 400, {
            message:
              organisations === undefined
                ? 'this server serves one organisation: name none'
                : 'organisation must name one of the organisations this server serves',
          });
        const identity = await startVerification({
          organisation: organisation as string | undefined,
          phoneNumber,
          firstName: String(body['firstName'] ?? ''),
          lastName: String(body['lastName'] ?? ''),
          countryOfResidence: country,
          biometricConsent: body['biometricConsent'] === true ? true : undefined,
        });
        return send(res, 201, identity);
      }
      const match = /^\/internal\/identities\/([\w-]+)$/.exec(path);
      if (match !== null && req.method === 'GET') {
        const identity = identities.get(match[1] ?? '');
        return identity === undefined
          ? send(res, 404, { message: 'no such identity' })
          : send(res, 200, identity);
      }
    }
    return send(res, 404, { message: 'not found' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      // The server's own refusals (413, 400) keep their status and their message; a library
      // error answers with the provider's status (502 when it has none), never its words.
      const own = isIdvError(error) ? undefined : (error as { status?: number }).status;
      const theirs = (error as { status?: unknown }).status;
      const status =
        error instanceof LinkTokenError
          ? 401
          : typeof theirs === 'number' && theirs >= 400 && theirs <= 599
            ? theirs
            : 502;
      // The detail goes to the log (library errors carry no secret); the caller gets a
      // generic message, never the provider's words: they may name fields, ids or hosts.
      const detail =
        isIdvError(error) || own !== undefined ? (error as Error).message : String(error);
      log(`[cas] ${req.method} ${req.url?.split('?')[0]} failed: ${detail}`);
      if (!res.headersSent) send(res, status, { message: publicMessage(error, own) });
      else res.end();
    });
  });

  return {
    server,
    identities,
    processor,
    startVerification,
    async listen(port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      processor.start();
      const url = `http://${host}:${(server.address() as AddressInfo).port}`;
      publicUrl ??= url;
      return url;
    },
    async close() {
      await processor.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
