/**
 * The intake driven by the real adapters against their emulators: the
 * emulator's webhook (Onfido, signed) or callback (Jumio, unsigned) goes
 * through the Web handler into the store, and the processor fetches the
 * result and downloads the documents from the emulated API.
 */
import { buffer } from 'node:stream/consumers';
import {
  createProvider,
  type IdentityVerificationProvider,
  type ReasonCode,
  type SessionRef,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  createTestClock,
  type EmulatorDelivery,
  type ProviderEmulator,
} from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createProcessor,
  createWebhookHandler,
  type EventStore,
  type ResultDelivery,
  type WebhookHandler,
} from '../../src/intake/index';

/** Where emulator deliveries go: the handler of the test that is running. */
let route: WebhookHandler | undefined;
/** One of Jumio's published amer-1 callback addresses (docs/provider-facts.md#j-cb-5): where Jumio's callbacks come from. */
const JUMIO_SENDER = '34.202.241.227';
const deliver = async (delivery: EmulatorDelivery): Promise<number | undefined> => {
  if (route === undefined) return 500;
  const response = await route(
    new Request(delivery.url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
    }),
    { remoteAddress: delivery.url.includes('/callbacks/jumio') ? JUMIO_SENDER : '198.51.100.20' },
  );
  return response.status;
};

const onfido = createOnfidoEmulator({ deliver });
const jumio = createJumioEmulator({ deliver });
const server = setupServer(...onfido.handlers, ...jumio.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  route = undefined;
  server.resetHandlers();
  onfido.reset();
  jumio.reset();
});
afterAll(() => server.close());

interface Setup {
  idv: IdentityVerificationProvider;
  store: EventStore;
  handled: Array<ResultDelivery & { bytes: Buffer[] }>;
  processor: ReturnType<typeof createProcessor>;
}

async function setup(emulator: ProviderEmulator): Promise<Setup> {
  const idv = await createProvider(emulator.config({ autoRegistration: true }));
  const store = createMemoryStore();
  const handled: Setup['handled'] = [];
  const clock = createTestClock();
  const processor = createProcessor({
    store,
    providers: [idv],
    clock,
    handler: async (delivery) => {
      const bytes: Buffer[] = [];
      for (const doc of delivery.documents) bytes.push(await buffer(doc.body));
      handled.push({ ...delivery, bytes });
    },
  });
  route = createWebhookHandler({ provider: idv, store, processor, clock });
  return { idv, store, handled, processor };
}

async function verify(
  { idv }: Setup,
  emulator: ProviderEmulator,
  reason: ReasonCode,
): Promise<SessionRef> {
  const started = await idv.startVerification({
    identityReference: `identity-${reason}`,
    person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
  });
  emulator.setVerdict(started.session.subjectId, { reason });
  await emulator.completeCustomerJourney(started.session);
  if (idv.capabilities.requiresCompleteCapture && reason !== 'EXPIRED')
    await idv.completeCapture(started.session);
  if (emulator === onfido) await onfido.settle();
  return started.session;
}

describe.each([
  ['onfido', onfido as ProviderEmulator],
  ['jumio', jumio as ProviderEmulator],
])('intake with the %s adapter and emulator', (name, emulator) => {
  it('records the delivery once, then hands the host the result and the documents', async () => {
    const context = await setup(emulator);
    const session = await verify(context, emulator, 'CLEAR');
    const sent = emulator.deliveries().filter((d) => d.answeredStatus !== undefined);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((d) => d.answeredStatus === 200)).toBe(true);

    // The provider delivers the last event again: answered 200, not recorded twice.
    const queued = (await context.store.counts()).queued;
    expect(queued).toBeGreaterThan(0);
    expect(await deliver(sent.at(-1)!)).toBe(200);
    expect((await context.store.counts()).queued).toBe(queued);

    const summary = await context.processor.drain();
    expect(summary.completed).toBe(queued);
    expect(context.handled.length).toBe(queued);
    const last = context.handled.at(-1)!;
    expect(last.result.provider).toBe(name);
    expect(last.result.status).toBe('registered');
    expect(last.result.reason).toBe('CLEAR');
    expect(last.result.session.subjectId).toBe(session.subjectId);
    expect(last.documents.length).toBeGreaterThan(0);
    for (const [i, doc] of last.documents.entries()) {
      const served = emulator.servedBytes(doc.document.id);
      expect(served?.byteLength).toBeGreaterThan(0);
      expect(last.bytes[i]?.equals(Buffer.from(served!))).toBe(true);
    }
    expect(await context.processor.drain()).toMatchObject({ completed: 0 });
  });
});

describe('an expired Jumio session', () => {
  // Onfido sends no webhook for a link that was never used; Jumio sends SESSION_EXPIRED.
  it('reaches the host as retry / EXPIRED, without a dead letter', async () => {
    const context = await setup(jumio);
    await verify(context, jumio, 'EXPIRED');
    expect(await context.processor.drain()).toMatchObject({ completed: 1, deadLettered: 0 });
    expect(context.handled.map((d) => [d.result.status, d.result.reason])).toEqual([
      ['retry', 'EXPIRED'],
    ]);
  });
});

describe('a forged Onfido webhook', () => {
  it('is refused with 401 and not recorded', async () => {
    const context = await setup(onfido);
    await verify(context, onfido, 'CLEAR');
    const genuine = onfido.deliveries().at(-1)!;
    const before = await context.store.counts();
    const forged = {
      ...genuine,
      body: genuine.body.replace('"check.completed"', '"check.withdrawn"'),
    };
    expect(forged.body).not.toBe(genuine.body);
    expect(await deliver(forged)).toBe(401);
    expect(await context.store.counts()).toEqual(before);
  });
});
