/**
 * Reloading the tenants while the intake runs, through the public API with
 * both emulators: a tenant added starts receiving, a removed one is refused at
 * its route and its queued events wait (retried, their last error naming it)
 * until it comes back, a changed one processes its queued events with its new
 * provider, and a call that started before the reload finishes with the
 * provider it started with.
 */
import {
  createMemoryStore,
  createProcessor,
  createProvider,
  createProviderSet,
  createTenantWebhookHandler,
  type IdentityVerificationProvider,
  type MemoryEventStore,
  type ProviderSet,
  type ResultDelivery,
  type SessionRef,
  type TenantsDocument,
  tenantFromPath,
  type WebhookProcessor,
} from 'idv-providers';
import { signOnfidoWebhook } from 'idv-providers/onfido';
import type { ProviderEmulator } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import {
  type Creations,
  clock,
  countingRegistry,
  deliver,
  expectNoSecret,
  intercept,
  jumioJ,
  onfidoA,
  onfidoB,
  routes,
  tenantsDocument,
  useEmulators,
} from './helpers';

useEmulators();

interface Setup {
  set: ProviderSet;
  creations: Creations;
  store: MemoryEventStore;
  processor: WebhookProcessor;
  handled: ResultDelivery[];
  /** The events the routes recorded, by id, with their tenant. */
  recorded: Map<string, string | undefined>;
}

function setup(
  document: TenantsDocument,
  options: {
    wrap?: (provider: IdentityVerificationProvider) => IdentityVerificationProvider;
    concurrency?: number;
  } = {},
): Setup {
  const { registry, creations } = countingRegistry(options.wrap);
  const set = createProviderSet(document, { registry, clock });
  const store = createMemoryStore();
  const handled: ResultDelivery[] = [];
  const recorded = new Map<string, string | undefined>();
  const processor = createProcessor({
    store,
    tenants: set,
    clock,
    downloadDocuments: false,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    handler: (delivery) => {
      handled.push(delivery);
    },
  });
  for (const [prefix, provider] of [
    ['/onfidowh', 'onfido'],
    ['/jumiocb', 'jumio'],
  ] as const) {
    routes.set(
      prefix,
      createTenantWebhookHandler({
        set,
        store,
        processor,
        clock,
        tenantFrom: tenantFromPath(prefix),
        providerNames: [provider],
        onOutcome: (outcome) => {
          if (outcome.result === 'recorded') recorded.set(outcome.event.id, outcome.tenant);
        },
      }),
    );
  }
  return { set, creations, store, processor, handled, recorded };
}

/** Plays a customer of an Onfido account through to its webhooks, with `idv` (the tenant's provider or the test's own). */
async function verifyOnfido(
  idv: IdentityVerificationProvider,
  emulator: ProviderEmulator & { settle(): Promise<void> },
  reference: string,
): Promise<SessionRef> {
  const started = await idv.startVerification({
    identityReference: reference,
    person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
  });
  emulator.setVerdict(started.session.subjectId, { reason: 'CLEAR' });
  await emulator.completeCustomerJourney(started.session);
  await idv.completeCapture(started.session);
  await emulator.settle();
  return started.session;
}

const without = (document: TenantsDocument, tenant: string): TenantsDocument =>
  Object.fromEntries(Object.entries(document).filter(([id]) => id !== tenant));

describe('reloading the tenants of a running intake', () => {
  it('starts receiving for a tenant added by a reload', async () => {
    const document = tenantsDocument();
    const context = setup(without(document, 'org-b'));
    // org-b's customers already verify with its Onfido account; its webhooks find no tenant yet.
    const own = await createProvider(onfidoB.config());
    await verifyOnfido(own, onfidoB, 'added-1');
    const refused = onfidoB.deliveries();
    expect(refused.map((d) => d.answeredStatus)).toEqual(refused.map(() => 404));
    expect((await context.store.counts()).queued).toBe(0);

    expect(context.set.reload(document).added).toEqual(['org-b']);
    for (const delivery of refused) expect(await deliver(delivery)).toBe(200);
    await context.processor.drain();
    expect(context.handled.map((d) => [d.tenant, d.result.status])).toContainEqual([
      'org-b',
      'awaiting_registration',
    ]);
  });

  it("holds a removed tenant's queued events, retried with an error naming it, until it is back", async () => {
    const document = tenantsDocument();
    const context = setup(document);
    await verifyOnfido(await context.set.provider('org-a'), onfidoA, 'removed-1');
    const queued = (await context.store.counts()).queued;
    expect(queued).toBeGreaterThan(0);

    expect(context.set.reload(without(document, 'org-a')).removed).toEqual(['org-a']);
    // Its route refuses it now.
    expect(await deliver(onfidoA.deliveries().at(-1)!)).toBe(404);
    const errors: unknown[] = [];
    const summary = await context.processor.drain();
    expect(summary).toMatchObject({ completed: 0, retried: queued, deadLettered: 0 });
    expect(context.handled).toEqual([]);
    const stats = await context.processor.stats();
    expect(stats.tenants).toEqual([
      { tenant: 'org-a', states: expect.objectContaining({ queued }) },
    ]);
    const ids = [...context.recorded].filter(([, tenant]) => tenant === 'org-a').map(([id]) => id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const event = await context.store.get(id);
      if (event?.actionable !== true) continue;
      expect(event.lastError).toBe(
        '[idv] [tenants] tenant "org-a" was removed from the configuration',
      );
      errors.push(event);
    }
    expect(errors.length).toBe(queued);
    for (const error of errors) expectNoSecret(error);

    expect(context.set.reload(document).added).toEqual(['org-a']);
    clock.advance(10_000);
    expect(await context.processor.drain()).toMatchObject({ completed: queued });
    expect(context.handled.map((d) => d.tenant)).toEqual(Array(queued).fill('org-a'));
  });

  it("processes a changed tenant's queued events with its new provider, and keeps the others' providers", async () => {
    const context = setup(tenantsDocument());
    await verifyOnfido(await context.set.provider('org-a'), onfidoA, 'changed-1');
    const jumio = await context.set.provider('org-j');
    expect(context.creations.count).toEqual({ onfido: 1, jumio: 1 });

    const changes = context.set.reload(tenantsDocument({ 'org-a': { autoRegistration: true } }));
    expect(changes.changed).toEqual(['org-a']);
    await context.processor.drain();
    expect(context.handled.at(-1)?.result).toMatchObject({ status: 'registered', reason: 'CLEAR' });
    expect(await context.set.provider('org-j')).toBe(jumio);
    expect(context.creations.count).toEqual({ onfido: 2, jumio: 1 });
  });

  it("retries a tenant's queued events when a reload gives it another provider, naming both", async () => {
    const context = setup(tenantsDocument());
    await verifyOnfido(await context.set.provider('org-a'), onfidoA, 'switched-1');
    context.set.reload({ ...tenantsDocument(), 'org-a': tenantsDocument()['org-j']! });
    const summary = await context.processor.drain();
    expect(summary.completed).toBe(0);
    expect(summary.retried).toBeGreaterThan(0);
    const events = await Promise.all(
      [...context.recorded.keys()].map((id) => context.store.get(id)),
    );
    const event = events.find((e) => e?.tenant === 'org-a' && e.actionable);
    expect(event?.lastError).toBe(
      '[idv] [intake] tenant "org-a" is configured with provider "jumio", not "onfido" as its event names',
    );
  });

  it('lets an event being processed when a reload lands finish with the provider it started with', async () => {
    let set: ProviderSet | undefined;
    let onfidoMade = 0;
    const wrap = (provider: IdentityVerificationProvider) => {
      if (provider.name !== 'onfido' || onfidoMade++ > 0) return provider;
      // The first org-a provider: a reload lands while its first result is being fetched.
      let reloaded = false;
      return intercept(provider, {
        getResult: (original) => async (session, call) => {
          if (!reloaded) {
            reloaded = true;
            set?.reload(tenantsDocument({ 'org-a': { autoRegistration: true } }));
          }
          return original(session, call);
        },
      });
    };
    const context = setup(without(tenantsDocument(), 'org-b'), { wrap, concurrency: 1 });
    set = context.set;
    const idv = await context.set.provider('org-a');
    const first = await verifyOnfido(idv, onfidoA, 'in-flight-1');
    const second = await verifyOnfido(idv, onfidoA, 'in-flight-2');
    await context.processor.drain();
    const statusOf = (session: SessionRef) =>
      context.handled.find((d) => d.result.session.subjectId === session.subjectId)?.result.status;
    // The first was fetched by the provider of before the reload (no auto-registration) ...
    expect(statusOf(first)).toBe('awaiting_registration');
    // ... the next one by the new provider.
    expect(statusOf(second)).toBe('registered');
  });

  it('verifies a delivery in flight with the token it started with; afterwards only the new token is accepted', async () => {
    const newToken = 'whk-org-a-rotated-5b7c9d1e3f';
    let set: ProviderSet | undefined;
    let onfidoMade = 0;
    const wrap = (provider: IdentityVerificationProvider) => {
      if (provider.name !== 'onfido' || onfidoMade++ > 0) return provider;
      let reloaded = false;
      return intercept(provider, {
        verifyWebhook: (original) => async (request) => {
          if (!reloaded) {
            reloaded = true;
            set?.reload(tenantsDocument({ 'org-a': { webhookToken: newToken } }));
          }
          return original(request);
        },
      });
    };
    const context = setup(without(tenantsDocument(), 'org-b'), { wrap });
    set = context.set;
    // The webhooks are held back, then delivered one after another.
    const route = routes.get('/onfidowh')!;
    routes.delete('/onfidowh');
    await verifyOnfido(await createProvider(onfidoA.config()), onfidoA, 'rotated-1');
    const sent = onfidoA.deliveries();
    expect(sent.length).toBeGreaterThan(1);
    routes.set('/onfidowh', route);
    const answers: Array<number | undefined> = [];
    for (const delivery of sent) answers.push(await deliver(delivery));
    // The first delivery was being verified when the token changed: recorded with the old one.
    expect(answers[0]).toBe(200);
    // Every later one, still signed with the old token, is refused.
    expect(answers.slice(1)).toEqual(sent.slice(1).map(() => 401));
    const resigned = sent.at(-1)!;
    expect(
      await deliver({
        ...resigned,
        headers: {
          ...resigned.headers,
          'x-sha2-signature': signOnfidoWebhook(resigned.body, newToken),
        },
      }),
    ).toBe(200);
    void jumioJ;
  });
});
