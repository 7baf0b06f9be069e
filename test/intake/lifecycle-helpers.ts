/**
 * What the lifecycle tests share: both emulators behind one MSW server, their
 * webhooks and callbacks routed into the intake of the test that runs (or
 * dropped, to play a lost delivery), and an intake (handler, processor and
 * store) on an emulator's clock, through the library's public API.
 */
import { buffer } from 'node:stream/consumers';
import {
  createMemoryStore,
  createProcessor,
  createProvider,
  createWebhookHandler,
  type EventStore,
  type IdentityVerificationProvider,
  type ResultDelivery,
  type VerificationSession,
  type WebhookHandler,
  type WebhookProcessor,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  createTestClock,
  type EmulatorDelivery,
  type ProviderEmulator,
} from 'idv-providers/testing';
import { setupServer } from 'msw/node';

/** One of Jumio's published amer-1 callback addresses (docs/provider-facts.md#j-cb-5). */
export const JUMIO_SENDER = '34.202.241.227';

/** Where deliveries go now, and whether they are lost on the way. */
export const routing: { route: WebhookHandler | undefined; drop: boolean } = {
  route: undefined,
  drop: false,
};

/** Sends one webhook or callback to the intake of the running test (from Jumio's address for Jumio). */
export async function deliver(delivery: EmulatorDelivery): Promise<number | undefined> {
  if (routing.drop) return undefined;
  if (routing.route === undefined) return 500;
  const response = await routing.route(
    new Request(delivery.url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
    }),
    { remoteAddress: delivery.url.includes('/callbacks/jumio') ? JUMIO_SENDER : '198.51.100.20' },
  );
  return response.status;
}

/** One time for both emulators, both adapters and the processors: tests move it. */
export const clock = createTestClock();
/** Checks complete only when a test says (`completeChecks()`), so one can still be running at a deadline. */
export const onfido = createOnfidoEmulator({ deliver, clock, autoCompleteChecks: false });
export const jumio = createJumioEmulator({ deliver, clock });
export const server = setupServer(...onfido.handlers, ...jumio.handlers);

/** Resets the routing and both emulators (after each test). */
export function resetLifecycle(): void {
  routing.route = undefined;
  routing.drop = false;
  server.resetHandlers();
  onfido.reset();
  jumio.reset();
}

/** An intake on one emulator: what the handler received, with the documents' bytes. */
export interface Intake {
  idv: IdentityVerificationProvider;
  store: EventStore;
  processor: WebhookProcessor;
  webhook: WebhookHandler;
  handled: Array<ResultDelivery & { bytes: Buffer[] }>;
}

/** Creates the provider, a store (memory by default), the processor and the route, on the emulator's clock. */
export async function intakeFor(
  emulator: ProviderEmulator,
  store: EventStore = createMemoryStore(),
): Promise<Intake> {
  const idv = await createProvider(emulator.config({ autoRegistration: true, clock }));
  const handled: Intake['handled'] = [];
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
  const webhook = createWebhookHandler({ provider: idv, store, processor, clock });
  routing.route = webhook;
  return { idv, store, processor, webhook, handled };
}

/** Starts a verification and tracks its deadline, as a host does right after starting. */
export async function startTracked(
  { idv, processor }: Intake,
  reference: string,
): Promise<VerificationSession> {
  const started = await idv.startVerification({
    identityReference: reference,
    person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
  });
  const tracked = await processor.track(started);
  if (tracked.duplicate) throw new Error('a fresh session was tracked before');
  return started;
}

/** The customer captures and submits; for Onfido the check then completes (its webhook is sent). */
export async function finishCustomer(
  { idv }: Intake,
  emulator: ProviderEmulator,
  started: VerificationSession,
): Promise<void> {
  await emulator.completeCustomerJourney(started.session);
  if (idv.capabilities.requiresCompleteCapture) {
    await idv.completeCapture(started.session);
    await onfido.completeChecks();
  }
}

/** The status and reason of every result the handler received, in order. */
export const verdicts = (intake: Intake): string[] =>
  intake.handled.map((d) => `${d.result.status} ${d.result.reason}`);
