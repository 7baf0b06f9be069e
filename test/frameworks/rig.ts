/**
 * What the framework examples' tests share: the Onfido and Jumio emulators
 * (in-process, through MSW) whose webhooks and callbacks are sent over real
 * HTTP to a framework's server on 127.0.0.1, adapters of both providers
 * configured from the emulators, and a plain POST for the deliveries a test
 * builds itself.
 *
 * Jumio's callbacks are unsigned and accepted only from Jumio's published
 * addresses; over 127.0.0.1 the test plays the NGINX in front of the route:
 * the handlers trust `127.0.0.1` as a proxy and a callback carries one of
 * Jumio's amer-1 addresses in `X-Forwarded-For`
 * (docs/provider-facts.md#j-cb-5).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryStore,
  createProvider,
  createWebhookHandler,
  type IdentityVerificationProvider,
  type MemoryEventStore,
  type WebhookHandler,
} from 'idv-providers';
import { signOnfidoWebhook } from 'idv-providers/onfido';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  type EmulatorDelivery,
  type ProviderEmulator,
} from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

/** One of Jumio's published amer-1 callback addresses (docs/provider-facts.md#j-cb-5). */
export const JUMIO_SENDER = '34.202.241.227';

/** What a POST over HTTP was answered. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** POSTs a body to a URL on 127.0.0.1. */
export async function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : Buffer.from(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON (a framework's own error page): `text` has it.
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Where the emulators send their deliveries: the URL of the route under test and headers to add. */
export interface Target {
  url: string;
  headers?: Record<string, string> | undefined;
}

/** A delivery the emulator sent and what the route answered. */
export interface Sent {
  delivery: EmulatorDelivery;
  answer: Answer;
}

/** The emulators, their adapters and the deliveries they sent to the framework under test. */
export interface Rig {
  onfido: ReturnType<typeof createOnfidoEmulator>;
  jumio: ReturnType<typeof createJumioEmulator>;
  /** Where each emulator's deliveries go; set by the test once its server listens. */
  targets: { onfido?: Target | undefined; jumio?: Target | undefined };
  /** Every delivery sent over HTTP during the test, with its answer. */
  sent: Sent[];
  /** Adapters of both providers on the emulators, and one memory store with a handler for each. */
  intake(): Promise<Intake>;
  /** Runs a verification to its end: the emulator sends its webhook or callbacks; returns those sent. */
  verify(provider: 'onfido' | 'jumio', idv: IdentityVerificationProvider): Promise<Sent[]>;
}

/** Adapters of both providers, one store, a handler for each. */
export interface Intake {
  store: MemoryEventStore;
  providers: { onfido: IdentityVerificationProvider; jumio: IdentityVerificationProvider };
  /** The intake's handlers, trusting `127.0.0.1` as the proxy in front. */
  handlers: { onfido: WebhookHandler; jumio: WebhookHandler };
}

/** Sets up the emulators for the test file (MSW, 127.0.0.1 let through) and resets them after each test. */
export function useRig(): Rig {
  const sent: Sent[] = [];
  const targets: Rig['targets'] = {};
  const deliver = (name: 'onfido' | 'jumio') => async (delivery: EmulatorDelivery) => {
    const target = targets[name];
    if (target === undefined) return undefined;
    const answer = await post(target.url, delivery.body, {
      ...delivery.headers,
      ...target.headers,
    });
    sent.push({ delivery, answer });
    return answer.status;
  };
  const onfido = createOnfidoEmulator({ deliver: deliver('onfido') });
  const jumio = createJumioEmulator({ deliver: deliver('jumio') });
  const msw = setupServer(...onfido.handlers, ...jumio.handlers);
  beforeAll(() =>
    msw.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname === '127.0.0.1') return;
        print.error();
      },
    }),
  );
  afterEach(() => {
    msw.resetHandlers();
    onfido.reset();
    jumio.reset();
    sent.length = 0;
    targets.onfido = undefined;
    targets.jumio = undefined;
  });
  afterAll(() => msw.close());

  return {
    onfido,
    jumio,
    targets,
    sent,
    async intake() {
      const store = createMemoryStore();
      const providers = {
        onfido: await createProvider(onfido.config()),
        // The emulator's config turns the sender check off (its callbacks come from the test); on, as in production.
        jumio: await createProvider(jumio.config({ verifyCallbackSource: true })),
      };
      const handlerOf = (provider: IdentityVerificationProvider) =>
        createWebhookHandler({ provider, store, trustProxy: ['127.0.0.1'] });
      return {
        store,
        providers,
        handlers: { onfido: handlerOf(providers.onfido), jumio: handlerOf(providers.jumio) },
      };
    },
    async verify(name, idv) {
      const emulator: ProviderEmulator = name === 'onfido' ? onfido : jumio;
      const before = sent.length;
      const started = await idv.startVerification({
        identityReference: `identity-${name}-${before}`,
        person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
      });
      emulator.setVerdict(started.session.subjectId, { reason: 'CLEAR' });
      await emulator.completeCustomerJourney(started.session);
      if (idv.capabilities.requiresCompleteCapture) await idv.completeCapture(started.session);
      if (name === 'onfido') await onfido.settle();
      return sent.slice(before);
    },
  };
}

/** A running server and its base URL; `close()` ends it and its connections. */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Closes a node:http server and every connection it holds. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  if (server.listening) await once(server, 'close');
}

/**
 * A request's body as a Web stream. Cancelled (a body refused before it was
 * read), the rest is read and dropped, so the answer still reaches the sender.
 */
function streamOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => {
        if (open) controller.close();
        open = false;
      });
      req.on('error', (error) => {
        if (open) controller.error(error);
        open = false;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
      req.resume();
    },
  });
}

/**
 * Serves a Web route (`(request) => Promise<Response>`) over node:http on
 * 127.0.0.1, turning each request into a Web `Request` with a streamed body,
 * as Next.js's own server does before it calls a route handler.
 */
export async function serveWebRoute(
  route: (request: Request) => Promise<Response>,
): Promise<Listening> {
  const server = createServer((req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(hasBody ? { body: streamOf(req), duplex: 'half' } : {}),
    } as RequestInit);
    route(request).then(
      async (response) => {
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        res.writeHead(response.status, headers);
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

/** Starts the framework's server on port 0 with these routes (path → handler). */
export type StartServer = (routes: Record<string, WebhookHandler>) => Promise<Listening>;

/** The paths the shared tests mount. */
export const PATHS = { onfido: '/webhooks/onfido', jumio: '/callbacks/jumio' } as const;

/**
 * The README's intake table over a framework's server: the emulators'
 * deliveries are recorded (200, once), a forged or re-signed Onfido webhook is
 * refused (401), a Jumio callback from outside Jumio's addresses too (403),
 * and a body over the limit (413); nothing refused is stored.
 */
export function describeIntakeOverHttp(rig: Rig, start: StartServer): void {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const boot = async () => {
    const intake = await rig.intake();
    server = await start({
      [PATHS.onfido]: intake.handlers.onfido,
      [PATHS.jumio]: intake.handlers.jumio,
    });
    rig.targets.onfido = { url: `${server.url}${PATHS.onfido}` };
    rig.targets.jumio = {
      url: `${server.url}${PATHS.jumio}`,
      headers: { 'x-forwarded-for': JUMIO_SENDER },
    };
    return { intake, url: server.url };
  };

  it("records the Onfido emulator's signed webhooks (200, once) and refuses forged ones (401)", async () => {
    const { intake, url } = await boot();
    const sent = await rig.verify('onfido', intake.providers.onfido);
    expect(sent.length).toBeGreaterThan(0);
    for (const { answer } of sent) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ received: true, duplicate: false });
      const stored = await intake.store.get(String(answer.body['id']));
      expect(stored?.provider).toBe('onfido');
    }
    const recorded = await intake.store.counts();

    // Signed as Onfido signs it (signOnfidoWebhook with the webhook's token): the same event again.
    const { body, headers } = sent.at(-1)!.delivery;
    const again = await post(`${url}${PATHS.onfido}`, body, {
      'content-type': headers['content-type'] ?? 'application/json',
      'x-sha2-signature': signOnfidoWebhook(body, rig.onfido.webhookToken),
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ received: true, duplicate: true });

    // Signed with another token, or not signed: refused, not stored.
    const forged = await post(`${url}${PATHS.onfido}`, body, {
      'content-type': 'application/json',
      'x-sha2-signature': signOnfidoWebhook(body, 'not-the-webhook-token'),
    });
    expect(forged.status).toBe(401);
    expect(forged.body).toEqual({ error: 'bad_signature' });
    const unsigned = await post(`${url}${PATHS.onfido}`, body, {
      'content-type': 'application/json',
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toEqual({ error: 'missing_signature' });
    expect(await intake.store.counts()).toEqual(recorded);
  });

  it("records the Jumio emulator's unsigned callbacks from Jumio's address (200) and refuses them from elsewhere (403)", async () => {
    const { intake, url } = await boot();
    const sent = await rig.verify('jumio', intake.providers.jumio);
    expect(sent.length).toBeGreaterThan(0);
    for (const { answer } of sent) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ received: true });
      const stored = await intake.store.get(String(answer.body['id']));
      expect(stored?.provider).toBe('jumio');
      expect(stored?.source).toBe(JUMIO_SENDER);
    }
    const recorded = await intake.store.counts();

    // The same callback from the proxy's own address (no X-Forwarded-For): not one of Jumio's.
    const { body, headers } = sent.at(-1)!.delivery;
    const direct = await post(`${url}${PATHS.jumio}`, body, headers);
    expect(direct.status).toBe(403);
    expect(direct.body).toEqual({ error: 'unknown_sender' });
    // From an address that is not Jumio's, through the proxy.
    const elsewhere = await post(`${url}${PATHS.jumio}`, body, {
      ...headers,
      'x-forwarded-for': '198.51.100.7',
    });
    expect(elsewhere.status).toBe(403);
    expect(await intake.store.counts()).toEqual(recorded);
  });

  it('refuses a body over maxBodyBytes (413) and stores nothing', async () => {
    const { intake, url } = await boot();
    const big = `{"payload":"${'a'.repeat(intake.handlers.onfido.maxBodyBytes)}"}`;
    const answer = await post(`${url}${PATHS.onfido}`, big, {
      'content-type': 'application/json',
      'x-sha2-signature': signOnfidoWebhook(big, rig.onfido.webhookToken),
    });
    expect(answer.status).toBe(413);
    expect((await intake.store.counts()).queued).toBe(0);
  });
}
