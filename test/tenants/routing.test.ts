/**
 * One intake for three tenants, through the public API with both adapters and
 * their emulators: Onfido's signed webhooks reach `/onfidowh/{tenant}`,
 * Jumio's callbacks `/jumiocb/{tenant}`; each is verified with its tenant's
 * provider alone, recorded with its tenant and processed with its tenant's
 * provider, and a delivery signed for one tenant is refused on another's route.
 */
import { buffer } from 'node:stream/consumers';
import {
  ConfigError,
  createMemoryStore,
  createProcessor,
  createProvider,
  createProviderSet,
  createTenantWebhookHandler,
  type EventStore,
  type IntakeOutcome,
  type ProviderSet,
  type ReasonCode,
  type ResultDelivery,
  type SessionRef,
  type TenantsDocument,
  type TenantWebhookHandler,
  tenantFromHeader,
  tenantFromPath,
  type WebhookProcessor,
} from 'idv-providers';
import type { ProviderEmulator } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import {
  type Creations,
  clock,
  countingRegistry,
  deliver,
  HOST,
  jumioJ,
  onfidoA,
  onfidoB,
  redirected,
  routes,
  tenantsDocument,
  useEmulators,
} from './helpers';

useEmulators();

type Tenant = 'org-a' | 'org-b' | 'org-j';
const EMULATORS: Record<Tenant, ProviderEmulator & { settle?: () => Promise<void> }> = {
  'org-a': onfidoA,
  'org-b': onfidoB,
  'org-j': jumioJ,
};

interface Setup {
  set: ProviderSet;
  creations: Creations;
  store: EventStore;
  processor: WebhookProcessor;
  handled: Array<ResultDelivery & { bytes: Buffer[] }>;
  outcomes: IntakeOutcome[];
  onfidoRoute: TenantWebhookHandler;
  jumioRoute: TenantWebhookHandler;
}

function setup(document: TenantsDocument = tenantsDocument()): Setup {
  const { registry, creations } = countingRegistry();
  const set = createProviderSet(document, { registry, clock });
  const store = createMemoryStore();
  const handled: Setup['handled'] = [];
  const outcomes: IntakeOutcome[] = [];
  const processor = createProcessor({
    store,
    tenants: set,
    clock,
    handler: async (delivery) => {
      const bytes: Buffer[] = [];
      for (const doc of delivery.documents) bytes.push(await buffer(doc.body));
      handled.push({ ...delivery, bytes });
    },
  });
  const common = {
    set,
    store,
    processor,
    clock,
    onOutcome: (o: IntakeOutcome) => outcomes.push(o),
  };
  const onfidoRoute = createTenantWebhookHandler({
    ...common,
    tenantFrom: tenantFromPath('/onfidowh'),
    providerNames: ['onfido'],
  });
  const jumioRoute = createTenantWebhookHandler({
    ...common,
    tenantFrom: tenantFromPath('/jumiocb'),
    providerNames: ['jumio'],
  });
  routes.set('/onfidowh', onfidoRoute);
  routes.set('/jumiocb', jumioRoute);
  return { set, creations, store, processor, handled, outcomes, onfidoRoute, jumioRoute };
}

/** Plays one verification of a tenant's customer to the provider's webhook or callback. */
async function verify(context: Setup, tenant: Tenant, reason: ReasonCode): Promise<SessionRef> {
  const idv = await context.set.provider(tenant);
  const emulator = EMULATORS[tenant];
  const started = await idv.startVerification({
    identityReference: `${tenant}-${reason}`,
    person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
  });
  emulator.setVerdict(started.session.subjectId, { reason });
  await emulator.completeCustomerJourney(started.session);
  if (idv.capabilities.requiresCompleteCapture) await idv.completeCapture(started.session);
  await emulator.settle?.();
  return started.session;
}

describe('webhooks routed by tenant', () => {
  it("records each tenant's deliveries with its tenant and processes them with its provider", async () => {
    const context = setup();
    const sessions = {
      'org-a': await verify(context, 'org-a', 'CLEAR'),
      'org-b': await verify(context, 'org-b', 'SUSPECTED_COMPROMISED_DOCUMENT'),
      'org-j': await verify(context, 'org-j', 'CLEAR'),
    };
    for (const emulator of [onfidoA, onfidoB, jumioJ]) {
      const sent = emulator.deliveries();
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.map((d) => d.answeredStatus)).toEqual(sent.map(() => 200));
    }
    const recorded = context.outcomes.filter((o) => o.result === 'recorded');
    expect(new Set(recorded.map((o) => o.tenant))).toEqual(new Set(['org-a', 'org-b', 'org-j']));
    for (const outcome of recorded) {
      if (outcome.result !== 'recorded') continue;
      expect(outcome.event.tenant).toBe(outcome.tenant);
      expect(outcome.event.dedupeKey.startsWith(`tenant/${outcome.tenant}/`)).toBe(true);
    }
    const stats = await context.processor.stats();
    expect(stats.tenants.map((t) => t.tenant).sort()).toEqual(['org-a', 'org-b', 'org-j']);

    await context.processor.drain();
    const last = (tenant: Tenant) => context.handled.filter((d) => d.tenant === tenant).at(-1);
    expect(last('org-a')?.result).toMatchObject({ provider: 'onfido', reason: 'CLEAR' });
    expect(last('org-b')?.result).toMatchObject({
      provider: 'onfido',
      status: 'rejected',
      reason: 'SUSPECTED_COMPROMISED_DOCUMENT',
    });
    expect(last('org-j')?.result).toMatchObject({ provider: 'jumio', reason: 'CLEAR' });
    for (const tenant of ['org-a', 'org-b', 'org-j'] as const) {
      const delivery = last(tenant)!;
      expect(delivery.event.tenant).toBe(tenant);
      expect(delivery.result.session.subjectId).toBe(sessions[tenant].subjectId);
      // The documents came from the tenant's own account.
      expect(delivery.documents.length).toBeGreaterThan(0);
      for (const [i, doc] of delivery.documents.entries()) {
        const served = EMULATORS[tenant].servedBytes(doc.document.id);
        expect(delivery.bytes[i]?.equals(Buffer.from(served!))).toBe(true);
      }
    }
  });

  it("refuses a webhook signed for one tenant on another tenant's route, and records nothing", async () => {
    const context = setup();
    await verify(context, 'org-a', 'CLEAR');
    const genuine = onfidoA.deliveries().at(-1)!;
    const before = await context.store.counts();
    context.outcomes.length = 0;

    expect(await deliver(redirected(genuine, `${HOST}/onfidowh/org-b`))).toBe(401);
    expect(context.outcomes).toEqual([
      expect.objectContaining({
        result: 'refused',
        status: 401,
        reason: 'bad_signature',
        tenant: 'org-b',
      }),
    ]);
    expect(await context.store.counts()).toEqual(before);
    // The genuine route still takes it (a duplicate now).
    expect(await deliver(genuine)).toBe(200);
  });

  it('answers 404 for no tenant, an unknown one, or a tenant of a provider the route does not serve', async () => {
    const context = setup();
    await verify(context, 'org-a', 'CLEAR');
    await verify(context, 'org-j', 'CLEAR');
    const onfidoWebhook = onfidoA.deliveries().at(-1)!;
    const jumioCallback = jumioJ.deliveries().at(-1)!;
    const before = await context.store.counts();
    context.outcomes.length = 0;
    for (const url of [
      `${HOST}/onfidowh`,
      `${HOST}/onfidowh/`,
      `${HOST}/onfidowh/org-x`,
      `${HOST}/onfidowh/org-a/extra`,
      `${HOST}/onfidowh/org-j`, // a Jumio tenant on the Onfido route
      `${HOST}/onfidowh/..%2Forg-a`,
    ]) {
      expect(await deliver(redirected(onfidoWebhook, url))).toBe(404);
    }
    expect(await deliver(redirected(jumioCallback, `${HOST}/jumiocb/org-a`))).toBe(404);
    expect(
      context.outcomes.every((o) => o.result === 'refused' && o.reason === 'unknown_tenant'),
    ).toBe(true);
    expect(await context.store.counts()).toEqual(before);

    const route = routes.get('/onfidowh')!;
    const get = await route(new Request(`${HOST}/onfidowh/org-a`));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('keeps tenants sharing one provider account apart: one delivery to both routes is two events, one each', async () => {
    // org-b is configured with org-a's Onfido account, so both verify org-a's webhooks.
    const shared = tenantsDocument();
    const context = setup({ ...shared, 'org-b': shared['org-a']! });
    await verify(context, 'org-a', 'CLEAR');
    const genuine = onfidoA
      .deliveries()
      .filter((d) => d.body.includes('check.completed'))
      .at(-1)!;
    expect(await deliver(redirected(genuine, `${HOST}/onfidowh/org-b`))).toBe(200);
    const recorded = context.outcomes.filter((o) => o.result === 'recorded');
    const forA = recorded.filter(
      (o) => o.tenant === 'org-a' && o.result === 'recorded' && !o.duplicate,
    );
    const forB = recorded.filter((o) => o.tenant === 'org-b');
    expect(forB).toHaveLength(1);
    expect(forB[0]).toMatchObject({
      duplicate: false,
      coalesced: false,
      event: { tenant: 'org-b' },
    });
    expect(forA.length).toBeGreaterThan(0);
    await context.processor.drain();
    const keys = (tenant: string) =>
      new Set(context.handled.filter((d) => d.tenant === tenant).map((d) => d.resultKey));
    expect(keys('org-b').size).toBe(1);
    expect([...keys('org-b')].some((key) => keys('org-a').has(key))).toBe(false);
  });

  it('reads the tenant from a header, and serves one tenant from a route bound to it', async () => {
    const context = setup();
    const byHeader = createTenantWebhookHandler({
      set: context.set,
      store: context.store,
      tenantFrom: tenantFromHeader('x-idv-tenant'),
      clock,
    });
    await verify(context, 'org-b', 'CLEAR');
    const genuine = onfidoB.deliveries().at(-1)!;
    const post = (
      route: typeof byHeader | ReturnType<typeof byHeader.forTenant>,
      tenant?: string,
    ) =>
      route(
        new Request(`${HOST}/anywhere`, {
          method: 'POST',
          headers: {
            ...genuine.headers,
            ...(tenant === undefined ? {} : { 'x-idv-tenant': tenant }),
          },
          body: genuine.body,
        }),
      );
    expect((await post(byHeader, 'org-b')).status).toBe(200);
    expect((await post(byHeader, 'org-a')).status).toBe(401);
    expect((await post(byHeader)).status).toBe(404);
    expect((await post(byHeader.forTenant('org-b'))).status).toBe(200);
    expect((await post(byHeader.forTenant('org-a'))).status).toBe(401);
    expect((await post(byHeader.forTenant('org-x'))).status).toBe(404);
    expect((await byHeader.forTenant('org-b').ready()).tenant).toBe('org-b');
    await expect(byHeader.forTenant('org-x').ready()).rejects.toThrow(/unknown tenant "org-x"/);
  });

  it('creates a tenant provider on its first delivery, and only that one', async () => {
    const { registry, creations } = countingRegistry();
    const set = createProviderSet(tenantsDocument(), { registry, clock });
    const store = createMemoryStore();
    routes.set(
      '/jumiocb',
      createTenantWebhookHandler({ set, store, clock, tenantFrom: tenantFromPath('/jumiocb') }),
    );
    expect(creations.count).toEqual({});
    // The customer's side, with a provider of the test's own (not the set's).
    const idv = await createProvider(jumioJ.config(), { clock });
    const started = await idv.startVerification({ identityReference: 'lazy-1' });
    await jumioJ.completeCustomerJourney(started.session);
    expect(jumioJ.deliveries().at(-1)?.answeredStatus).toBe(200);
    expect(creations.count).toEqual({ jumio: 1 });
  });

  it('answers 500 for a tenant that cannot verify webhooks, and its ready() names it', async () => {
    const context = setup(tenantsDocument({ 'org-a': { webhookToken: undefined } }));
    await verify(context, 'org-a', 'CLEAR');
    const sent = onfidoA.deliveries();
    expect(sent.map((d) => d.answeredStatus)).toEqual(sent.map(() => 500));
    const failed = context.outcomes.find((o) => o.result === 'failed');
    expect(failed).toMatchObject({ status: 500, tenant: 'org-a' });
    expect((failed as { error: unknown }).error).toBeInstanceOf(ConfigError);
    expect(String((failed as { error: unknown }).error)).toMatch(/"webhookToken"/);
    await expect(context.onfidoRoute.ready()).rejects.toThrow(
      /not ready: tenant "org-a": \[intake\] ready\(\): the onfido provider is not ready for webhooks/,
    );
    expect((await context.jumioRoute.ready()).map((r) => r.tenant)).toEqual(['org-j']);
  });
});

describe('deadlines of tenants', () => {
  it("delivers a tenant's link that ran out unused as EXPIRED, with its tenant", async () => {
    const context = setup();
    const idv = await context.set.provider('org-a');
    const started = await idv.startVerification({
      identityReference: 'never-opened',
      person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
    });
    const tracked = await context.processor.track(started, { tenant: 'org-a' });
    expect(tracked.duplicate).toBe(false);
    expect((await context.processor.track(started, { tenant: 'org-a' })).duplicate).toBe(true);
    clock.advance(started.expiresAt.getTime() - clock.now() + 20 * 60_000);
    await context.processor.drain();
    clock.advance(20 * 60_000);
    await context.processor.drain();
    expect(context.handled.map((d) => [d.tenant, d.result.status, d.result.reason])).toEqual([
      ['org-a', 'retry', 'EXPIRED'],
    ]);
  });

  it('refuses to track a session under a tenant that is not configured, or whose provider is another', async () => {
    const context = setup();
    const idv = await context.set.provider('org-a');
    const started = await idv.startVerification({
      identityReference: 'mistracked',
      person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
    });
    await expect(context.processor.track(started, { tenant: 'org-x' })).rejects.toThrow(
      /unknown tenant "org-x"/,
    );
    await expect(context.processor.track(started, { tenant: 'org-j' })).rejects.toThrow(
      /tenant "org-j" is configured with provider "jumio", not "onfido"/,
    );
    await expect(context.processor.track(started)).rejects.toThrow(
      /track\(\) needs \{ tenant \}: the processor was given only tenants/,
    );
  });
});
