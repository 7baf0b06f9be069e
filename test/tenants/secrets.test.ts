/**
 * No tenant's secret in any error, with distinct secrets per tenant: every
 * failing path of the set, the tenant route and the processor produces its
 * error, which is checked as `String`, `JSON.stringify`, `util.inspect` (all
 * depths, hidden fields) and its stack for every form of every tenant's API
 * tokens, client ids and secrets, webhook tokens and issued access tokens.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  createMemoryStore,
  createProcessor,
  createProviderSet,
  createTenantWebhookHandler,
  type IntakeOutcome,
  providerSetFromEnv,
  TENANTS_FILE_ENV,
  tenantFromPath,
  WebhookVerificationError,
} from 'idv-providers';
import { describe, expect, it } from 'vitest';
import {
  allSecrets,
  clock,
  countingRegistry,
  deliver,
  expectNoSecret,
  HOST,
  jumioJ,
  onfidoA,
  redirected,
  ref,
  rejectionOf,
  routes,
  SECRETS,
  tenantsDocument,
  useEmulators,
} from './helpers';

useEmulators();

const A = SECRETS['org-a'].apiToken;
const J = SECRETS['org-j'].clientSecret;
const WRONG = 'api_sandbox.SECRET-org-b-refused-61c2d3e4f5';
const secrets = () => [...allSecrets(), WRONG];

/** What `fail` threw. */
function thrown(fail: () => unknown): unknown {
  try {
    fail();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe("the set's errors hold no tenant's secret", () => {
  it.each([
    ['an invalid region', { region: A }],
    ['a number given as a secret', { timeoutMs: J }],
    ['an unknown option holding a secret', { apiTokn: A }],
    ['a base URL that is a secret, not a URL', { baseUrl: `${J} /v3.6` }],
    ['a list of secrets where a list of reports goes', { reportNames: [A, J] }],
  ])("one tenant's invalid config: %s", (_name, overrides) => {
    const error = thrown(() => createProviderSet(tenantsDocument({ 'org-b': overrides })));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^\[idv\] \[tenants\] tenant "org-b": /);
    expectNoSecret(error, secrets());
  });

  it('a reload whose document is not JSON, or refers to a variable not set', () => {
    const set = createProviderSet(tenantsDocument(), { clock, env: { A_TOKEN: A } });
    // The syntax error right after a secret: JSON.parse's own message would quote it.
    for (const text of [
      `{"org-a": {"provider": "onfido", "apiToken": "${A}" x}}`,
      `{"org-j": {"provider": "jumio", "clientSecret": "${J}`,
    ]) {
      expectNoSecret(
        thrown(() => set.reload(text)),
        secrets(),
      );
    }
    const referring = tenantsDocument({
      'org-a': { apiToken: ref('A_TOKEN') },
      'org-j': { clientSecret: ref('J_SECRET') },
    });
    const error = thrown(() => set.reload(referring));
    expect((error as Error).message).toContain(`refers to ${ref('J_SECRET')}`);
    expectNoSecret(error, secrets());
  });

  it('unknown and removed tenants, and a provider that could not be created', async () => {
    let fail = true;
    const { registry } = countingRegistry((provider) => {
      if (fail) {
        fail = false;
        throw new Error(`constructor failed with ${A}`);
      }
      return provider;
    });
    const set = createProviderSet(tenantsDocument(), { registry, clock });
    const created = await rejectionOf(set.provider('org-a'));
    expect((created as Error).message).toBe(
      '[idv] [tenants] tenant "org-a": its onfido provider could not be created: Error',
    );
    expectNoSecret(created, secrets());
    expectNoSecret(await rejectionOf(set.provider('org-x')), secrets());
    const { 'org-b': _b, ...rest } = tenantsDocument();
    set.reload(rest);
    expectNoSecret(await rejectionOf(set.provider('org-b')), secrets());
    expectNoSecret(
      thrown(() => set.providerName('org-b')),
      secrets(),
    );
  });

  it("ready(), when one tenant's credentials are refused", async () => {
    const set = createProviderSet(tenantsDocument({ 'org-b': { apiToken: WRONG } }), { clock });
    await (await set.provider('org-j')).checkConnection(); // an access token issued, now a secret too
    const error = await rejectionOf(set.ready());
    expect((error as Error).message).toContain('tenant "org-b"');
    expectNoSecret(error, secrets());
  });

  it('IDV_TENANTS_FILE naming a file that refers to a variable not set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idv-tenants-secrets-'));
    try {
      const path = join(dir, 'tenants.json');
      await writeFile(
        path,
        JSON.stringify(
          tenantsDocument({ 'org-a': { apiToken: ref('A_TOKEN'), webhookToken: ref('NOPE') } }),
        ),
      );
      const error = await rejectionOf(providerSetFromEnv({ [TENANTS_FILE_ENV]: path, A_TOKEN: A }));
      expect((error as Error).message).toContain(ref('NOPE'));
      expectNoSecret(error, secrets());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the intake's errors for one tenant hold no tenant's secret", () => {
  function intake(document = tenantsDocument()) {
    const set = createProviderSet(document, { clock });
    const store = createMemoryStore();
    const errors: unknown[] = [];
    const outcomes: IntakeOutcome[] = [];
    const processor = createProcessor({
      store,
      tenants: set,
      clock,
      maxAttempts: 1,
      handler: () => {},
      onError: (error) => errors.push(error),
    });
    for (const prefix of ['/onfidowh', '/jumiocb']) {
      routes.set(
        prefix,
        createTenantWebhookHandler({
          set,
          store,
          processor,
          clock,
          tenantFrom: tenantFromPath(prefix),
          onOutcome: (outcome) => outcomes.push(outcome),
        }),
      );
    }
    return { set, store, processor, errors, outcomes };
  }

  it("a webhook of one tenant posted to another's route", async () => {
    const context = intake();
    const idv = await context.set.provider('org-a');
    const started = await idv.startVerification({
      identityReference: 'posted-elsewhere',
      person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
    });
    await onfidoA.completeCustomerJourney(started.session);
    await idv.completeCapture(started.session);
    await onfidoA.settle();
    const genuine = onfidoA.deliveries().at(-1)!;
    const route = routes.get('/onfidowh')!;
    const answer = await route(
      new Request(`${HOST}/onfidowh/org-b`, {
        method: 'POST',
        headers: genuine.headers,
        body: genuine.body,
      }),
    );
    expect(answer.status).toBe(401);
    expectNoSecret(await answer.text(), secrets());
    const refused = context.outcomes.find((o) => o.result === 'refused');
    expect(refused).toMatchObject({ tenant: 'org-b', reason: 'bad_signature' });
    expect((refused as { error?: unknown }).error).toBeInstanceOf(WebhookVerificationError);
    expectNoSecret(refused, secrets());
    expect(await deliver(redirected(genuine, `${HOST}/onfidowh/org-x`))).toBe(404);
    expectNoSecret(context.outcomes, secrets());
  });

  it('a tenant route that cannot verify, and results that cannot be fetched, to the dead letters', async () => {
    const context = intake(tenantsDocument({ 'org-b': { webhookToken: undefined } }));
    // org-b cannot verify webhooks: 500, with a ConfigError for the log.
    const answer = await routes.get('/onfidowh')!(
      new Request(`${HOST}/onfidowh/org-b`, { method: 'POST', body: '{}' }),
    );
    expect(answer.status).toBe(500);
    const failed = context.outcomes.find((o) => o.result === 'failed');
    expect((failed as { error: unknown }).error).toBeInstanceOf(ConfigError);
    expectNoSecret(failed, secrets());

    // org-j's callback arrives, and its account then refuses every retrieval.
    const idv = await context.set.provider('org-j');
    const started = await idv.startVerification({ identityReference: 'refused-results' });
    jumioJ.fail({ kind: 'status', status: 401 }, { times: 20, path: /workflow-executions/ });
    await jumioJ.completeCustomerJourney(started.session);
    expect(jumioJ.deliveries().at(-1)?.answeredStatus).toBe(200);
    await context.processor.drain();
    expect(context.errors.length).toBeGreaterThan(0);
    for (const error of context.errors) expectNoSecret(error, secrets());
    const dead = await context.processor.listDeadLetters();
    expect(dead.map((event) => event.tenant)).toEqual(['org-j']);
    expectNoSecret(dead, secrets());

    // Removed while its deadline waits: the deadline's error names the tenant only.
    const a = await context.set.provider('org-a');
    const tracked = await a.startVerification({
      identityReference: 'removed-deadline',
      person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
    });
    await context.processor.track(tracked, { tenant: 'org-a' });
    const { 'org-a': _a, ...rest } = tenantsDocument();
    context.set.reload(rest);
    expectNoSecret(
      await rejectionOf(context.processor.track(tracked, { tenant: 'org-a' })),
      secrets(),
    );
    clock.advance(tracked.expiresAt.getTime() - clock.now() + 5 * 60_000);
    await context.processor.drain();
    const deadline = (await context.processor.listDeadLetters()).find((e) => e.tenant === 'org-a');
    expect(deadline?.lastError).toBe(
      '[idv] [tenants] tenant "org-a" was removed from the configuration',
    );
    for (const error of context.errors) expectNoSecret(error, secrets());
    expectNoSecret(await context.processor.stats(), secrets());
  });
});
