/**
 * No secret in any error, part 3: what reaches a log. The intake's `onOutcome`
 * for every answer it gives (recorded, refused, store failure, provider
 * failure), the node adapter's `onError`, the processor's `onError` and its
 * dead letters for failing results, the example ATM server's log lines, and
 * `util.inspect` / `JSON.stringify` of every object a host holds: providers,
 * link signer, HTTP client, intake handler, processor.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import {
  ConfigError,
  createLinkSigner,
  createMemoryStore,
  createProcessor,
  createProvider,
  createSqliteStore,
  createWebhookHandler,
  type EventStore,
  type IdentityVerificationProvider,
  type IntakeOutcome,
  type SessionRef,
  StoreError,
  toNodeListener,
} from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import { createHttpClient } from 'idv-providers/kit';
import { onfido, signOnfidoWebhook } from 'idv-providers/onfido';
import { createTestClock, type EmulatorFault } from 'idv-providers/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createCasBackend, ROUTES } from '../../examples/cas-backend/server';
import { LoggingSmsSender } from '../../examples/cas-backend/sms';
import { describeFailure } from '../../src/intake/processor';
import {
  expectNoSecretIn,
  jumioEmulator,
  onfidoEmulator,
  renderings,
  SECRETS,
  useEmulators,
} from './secrets';

useEmulators({ bypass: (url) => url.hostname === '127.0.0.1' });
const S = SECRETS;
const ADA = { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' };
const OPERATOR_KEY = 'SECREToperatorKey-2d6f8a0c4e';
const secrets = (): string[] => [
  ...Object.values(S),
  OPERATOR_KEY,
  onfidoEmulator.webhookToken,
  ...jumioEmulator.issuedTokens(),
  `${S.jumioClientId}:${S.jumioClientSecret}`,
  `${S.jumioClientId}:${S.wrongJumioClientSecret}`,
];

/** Log lines, as a host would write them: every rendering of what it was told. */
class Log {
  readonly lines: string[] = [];
  add(...values: unknown[]): void {
    for (const value of values) this.lines.push(...renderings(value));
  }
  expectClean(): void {
    expect(this.lines.length).toBeGreaterThan(0);
    expectNoSecretIn(this.lines, secrets());
  }
}

const onfidoIdv = (extra: Record<string, unknown> = {}) =>
  createProvider(onfidoEmulator.config({ clock: createTestClock(), maxRetries: 0, ...extra }));
const kyxIdv = (extra: Record<string, unknown> = {}) =>
  createProvider(jumioEmulator.config({ clock: createTestClock(), maxRetries: 0, ...extra }));

/** A check that finished and the signed `check.completed` webhook Onfido sent about it. */
async function onfidoWebhook(): Promise<{ body: string; headers: Record<string, string> }> {
  const idv = await onfidoIdv();
  const started = await idv.startVerification({ identityReference: 'identity-log', person: ADA });
  await onfidoEmulator.completeCustomerJourney(started.session);
  await idv.completeCapture(started.session);
  const delivery = onfidoEmulator.deliveries().at(-1);
  if (delivery === undefined) throw new Error('the emulator sent no webhook');
  return { body: delivery.body, headers: delivery.headers };
}

function post(body: string, headers: Record<string, string>): Request {
  return new Request('http://127.0.0.1/webhooks/onfido', { method: 'POST', body, headers });
}

const temporary: string[] = [];
afterEach(async () => {
  for (const dir of temporary.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("the intake's onOutcome", () => {
  it('holds no secret for any answer: recorded, refused, too large, store failed, provider failed', async () => {
    const log = new Log();
    const outcomes: IntakeOutcome[] = [];
    const onOutcome = (outcome: IntakeOutcome) => {
      outcomes.push(outcome);
      log.add(outcome, 'error' in outcome ? outcome.error : undefined);
    };
    const idv = await onfidoIdv();
    const handler = createWebhookHandler({
      provider: idv,
      store: createMemoryStore(),
      maxBodyBytes: 4096,
      onOutcome,
    });
    const valid = await onfidoWebhook();
    const statuses: number[] = [];
    const send = async (request: Request, via = handler) => {
      statuses.push((await via(request)).status);
    };

    await send(post(valid.body, valid.headers));
    await send(post(valid.body, valid.headers));
    await send(post(valid.body, {}));
    await send(post(valid.body, { 'x-sha2-signature': 'not-hex' }));
    await send(
      post(valid.body, { 'x-sha2-signature': signOnfidoWebhook(valid.body, S.onfidoApiToken) }),
    );
    const secretBody = `{"token":"${S.onfidoApiToken}"`;
    await send(
      post(secretBody, {
        'x-sha2-signature': signOnfidoWebhook(secretBody, onfidoEmulator.webhookToken),
      }),
    );
    await send(post('x'.repeat(5000), valid.headers));
    await send(new Request('http://127.0.0.1/webhooks/onfido', { method: 'GET' }));

    const dir = await mkdtemp(join(tmpdir(), 'idv-security-'));
    temporary.push(dir);
    const closed = await createSqliteStore({ path: join(dir, 'events.sqlite') });
    await closed.close();
    await send(
      post(valid.body, valid.headers),
      createWebhookHandler({ provider: idv, store: closed, onOutcome }),
    );
    const noToken = onfido({
      apiToken: S.onfidoApiToken,
      verificationSiteUrl: 'https://verify.example.com/',
    });
    // Without its webhook token the route is refused at start-up, with a ConfigError holding no secret.
    const refused = (() => {
      try {
        createWebhookHandler({ provider: noToken, store: createMemoryStore(), onOutcome });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    log.add(refused);
    // A provider that fails at request time all the same (its readiness() says nothing) is answered 500.
    const { readiness: _readiness, ...silent } = noToken;
    await send(
      post(valid.body, valid.headers),
      createWebhookHandler({ provider: silent, store: createMemoryStore(), onOutcome }),
    );

    expect(statuses).toEqual([200, 200, 401, 401, 401, 400, 413, 405, 503, 500]);
    const failed = outcomes.filter((o) => o.result === 'failed');
    expect(failed.map((o) => (o.error as Error).name)).toEqual(['StoreError', 'ConfigError']);
    expect(failed[0]?.error).toBeInstanceOf(StoreError);
    log.expectClean();
  });

  it("holds no secret in the node adapter's onError", async () => {
    const log = new Log();
    const handler = createWebhookHandler({
      provider: await onfidoIdv(),
      store: createMemoryStore(),
    });
    const listener = toNodeListener(handler, { onError: (error) => log.add(error) });
    const request = Object.assign(new PassThrough(), {
      method: 'POST',
      headers: { 'x-sha2-signature': S.onfidoApiToken },
      socket: { remoteAddress: '127.0.0.1' },
      // What a JSON body parser leaves behind: the body, parsed, and the stream read.
      body: { parsed: S.onfidoApiToken },
      _body: true,
    });
    const written: string[] = [];
    const response = {
      headersSent: false,
      writeHead: (status: number) => written.push(String(status)),
      end: (text?: string) => written.push(text ?? ''),
    };
    listener(request as never, response as never);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual(['500', '{"error":"raw_body_unavailable"}']);
    log.expectClean();
  });
});

/** Records one actionable event about `session` in a fresh store. */
async function recorded(session: SessionRef): Promise<EventStore> {
  const store = createMemoryStore();
  await store.insertIfAbsent({
    event: {
      provider: session.provider,
      type: 'check.completed',
      dedupeKey: `${session.provider}:test:${session.attemptId}`,
      session,
      actionable: true,
    },
    state: 'queued',
    now: Date.now(),
  });
  return store;
}

/** Processes the recorded event once with `provider`, failing; returns what was logged. */
async function processFailing(
  store: EventStore,
  provider: IdentityVerificationProvider,
): Promise<Log> {
  const log = new Log();
  const processor = createProcessor({
    store,
    providers: [provider],
    handler: () => {},
    maxAttempts: 1,
    onError: (error, event) => log.add(describeFailure(error), error, event),
  });
  const summary = await processor.drain();
  expect(summary.deadLettered).toBe(1);
  const [dead] = await processor.listDeadLetters();
  log.add(dead, dead?.lastError);
  return log;
}

describe("the processor's onError and dead letters", () => {
  async function onfidoSession(): Promise<SessionRef> {
    const idv = await onfidoIdv();
    const started = await idv.startVerification({ identityReference: 'identity-log', person: ADA });
    await onfidoEmulator.completeCustomerJourney(started.session);
    return idv.completeCapture(started.session);
  }

  async function jumioSession(): Promise<SessionRef> {
    const idv = await kyxIdv();
    const { session } = await idv.startVerification({ identityReference: 'identity-log' });
    await jumioEmulator.completeCustomerJourney(session);
    return session;
  }

  it.each<[string, EmulatorFault | undefined, Record<string, unknown>]>([
    ['Onfido: wrong API token', undefined, { apiToken: S.wrongOnfidoApiToken }],
    ['Onfido: 500', { kind: 'status', status: 500 }, {}],
    ['Onfido: reset', { kind: 'reset' }, {}],
    ['Onfido: unexpected shape', { kind: 'unexpected-shape' }, {}],
  ])('%s', async (_path, fault, extra) => {
    const store = await recorded(await onfidoSession());
    if (fault !== undefined) onfidoEmulator.fail(fault, { method: 'GET', times: 5 });
    (await processFailing(store, await onfidoIdv(extra))).expectClean();
  });

  it.each<[string, EmulatorFault | undefined, Record<string, unknown>]>([
    ['Jumio: wrong client secret', undefined, { clientSecret: S.wrongJumioClientSecret }],
    ['Jumio: 401 with the fresh token refused too', { kind: 'status', status: 401 }, {}],
    ['Jumio: timeout', { kind: 'delay', ms: 1500 }, { timeoutMs: 250 }],
  ])('%s', async (_path, fault, extra) => {
    const store = await recorded(await jumioSession());
    if (fault !== undefined) jumioEmulator.fail(fault, { method: 'GET', times: 5 });
    (await processFailing(store, await kyxIdv(extra))).expectClean();
  });

  it('Jumio: a document link off the retrieval host', async () => {
    const session = await jumioSession();
    jumioEmulator.setPartHref(session, 'FRONT', `https://evil.example/?t=${S.jumioClientSecret}`);
    const log = await processFailing(await recorded(session), await kyxIdv());
    expect(log.lines.join('\n')).toContain('DownloadRefusedError');
    log.expectClean();
  });
});

describe("the example ATM server's log", () => {
  it('holds no secret when a start, a submit and the processing fail', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    // The provider's clock reads the backend's time: a link that ran out on another clock would be
    // delivered as EXPIRED at once, and the backend would text a fresh link again and again.
    const idv = await onfidoIdv({ clock: createTestClock({ start: Date.now() }) });
    const backend = createCasBackend({
      provider: idv,
      links: createLinkSigner({ key: S.linkKey }),
      store: createMemoryStore(),
      sms: new LoggingSmsSender(log),
      operatorKey: OPERATOR_KEY,
      pollIntervalMs: 20,
      log,
    });
    const url = await backend.listen();
    try {
      const call = (path: string, body: unknown, key?: string) =>
        fetch(url + path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
          },
          body: JSON.stringify(body),
        });
      const person = {
        phoneNumber: '+420777123456',
        firstName: 'Ada',
        lastName: 'Lovelace',
        countryOfResidence: 'CZE',
      };

      // A start the provider refuses.
      onfidoEmulator.fail({ kind: 'status', status: 500 }, { method: 'POST', path: /applicants$/ });
      expect((await call('/internal/identities', person, OPERATOR_KEY)).status).toBe(500);
      // A start refused for a wrong operator key, and a submit with a forged link token.
      expect((await call('/internal/identities', person, S.onfidoApiToken)).status).toBe(401);
      expect((await call(ROUTES.submit, { token: `${S.linkKey}.x.y` })).status).toBe(401);

      // A start that works; then the result cannot be fetched.
      const created = (await (await call('/internal/identities', person, OPERATOR_KEY)).json()) as {
        id: string;
        link: string;
        session: SessionRef;
      };
      await onfidoEmulator.completeCustomerJourney(created.session);
      const token = new URL(created.link).searchParams.get('token');
      expect((await call(ROUTES.submit, { token })).status).toBe(200);
      onfidoEmulator.fail({ kind: 'status', status: 503 }, { method: 'GET', times: 50 });
      const delivery = onfidoEmulator.deliveries().at(-1)!;
      const answer = await fetch(url + ROUTES.onfidoWebhook, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      expect(answer.status).toBe(200);
      for (let i = 0; i < 200 && !lines.some((l) => l.includes('processing failed')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await backend.close();
    }
    expect(lines.some((l) => l.includes('processing failed'))).toBe(true);
    expect(lines.some((l) => l.includes('HTTP 500'))).toBe(true);
    expect(lines.some((l) => l.includes('verification link refused'))).toBe(true);
    expectNoSecretIn(lines, secrets());
  });
});

describe('inspected objects', () => {
  it('show no secret: providers, link signer, HTTP client, intake handler, processor', async () => {
    const kyx = await kyxIdv();
    await kyx.checkConnection();
    const objects: unknown[] = [
      await onfidoIdv(),
      onfido({
        apiToken: S.onfidoApiToken,
        webhookToken: onfidoEmulator.webhookToken,
        verificationSiteUrl: 'https://verify.example.com/',
      }),
      kyx,
      jumio({ clientId: S.jumioClientId, clientSecret: S.jumioClientSecret, mode: 'netverify' }),
      createLinkSigner({ key: S.linkKey }),
      createHttpClient({
        provider: 'onfido',
        baseUrl: 'https://api.eu.onfido.com/v3.6',
        timeoutMs: 1000,
        maxRetries: 0,
        maxRetryAfterMs: 0,
        secrets: () => [S.onfidoApiToken],
        authorize: () => ({ Authorization: `Token token=${S.onfidoApiToken}` }),
      }),
      createWebhookHandler({ provider: kyx, store: createMemoryStore() }),
      createProcessor({ store: createMemoryStore(), providers: [kyx], handler: () => {} }),
    ];
    expect(jumioEmulator.issuedTokens().length).toBe(1);
    const texts = objects.flatMap((object) => [
      inspect(object, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
      JSON.stringify(object) ?? '',
      String(object),
    ]);
    expect(texts[0]).toContain("name: 'onfido'");
    expectNoSecretIn(texts, secrets());
  });
});
