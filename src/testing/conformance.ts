/**
 * One conformance suite for every provider, written once against
 * {@link IdentityVerificationProvider} and the emulator contract. A provider
 * passes it with one call in a vitest test file:
 *
 * ```ts
 * import { createOnfidoEmulator, runConformanceSuite } from 'idv-providers/testing';
 * await runConformanceSuite({ emulator: () => createOnfidoEmulator() });
 * ```
 *
 * vitest is a peer dependency of this module, loaded when the suite runs.
 *
 * @module
 */

import {
  createProvider,
  type IdentityVerificationProvider,
  isIdvError,
  ProviderApiError,
  type ProviderRegistry,
  type ReasonCode,
  WebhookVerificationError,
} from 'idv-providers';
import type { ProviderEmulator } from 'idv-providers/emulator-kit';
import { setupServer } from 'msw/node';
import { lifecycleScenarios } from './conformance-lifecycle';
import { runVerificationFlow, SAMPLE_COUNTRY_OF_RESIDENCE, SAMPLE_PERSON } from './flow';

/** Settings of {@link runConformanceSuite}. */
export interface ConformanceSuiteOptions {
  /** Creates a fresh emulator; called once per test. */
  emulator: () => ProviderEmulator;
  /** The registry that knows the provider. Default: the default registry (built-ins and registered ones). */
  registry?: ProviderRegistry | undefined;
  /**
   * Config overrides the emulator refuses as bad credentials. Default: the
   * emulator's own `invalidCredentials()`.
   */
  badCredentials?: Record<string, unknown> | undefined;
  /** The reason each outcome family is exercised with. */
  reasons?: { caution?: ReasonCode; suspected?: ReasonCode; rejected?: ReasonCode } | undefined;
}

/** One scenario of the suite: a verdict and the status it must reach. */
export interface ConformanceScenario {
  /** Short name. */
  name: string;
  /** The verdict the emulator gives. */
  reason: ReasonCode;
  /** Whether auto-registration is on. */
  autoRegistration: boolean;
  /** The status the result must have. */
  status: 'registered' | 'awaiting_registration' | 'rejected' | 'retry';
}

/** The outcome scenarios every provider must pass. */
export function conformanceScenarios(
  reasons: ConformanceSuiteOptions['reasons'] = {},
): ConformanceScenario[] {
  return [
    {
      name: 'CLEAR, auto-registration off',
      reason: 'CLEAR',
      autoRegistration: false,
      status: 'awaiting_registration',
    },
    {
      name: 'CLEAR, auto-registration on',
      reason: 'CLEAR',
      autoRegistration: true,
      status: 'registered',
    },
    {
      name: 'CAUTION',
      reason: reasons.caution ?? 'CAUTION_DATA_VALIDATION',
      autoRegistration: true,
      status: 'awaiting_registration',
    },
    {
      name: 'SUSPECTED',
      reason: reasons.suspected ?? 'SUSPECTED_COMPROMISED_DOCUMENT',
      autoRegistration: true,
      status: 'rejected',
    },
    {
      name: 'REJECTED',
      reason: reasons.rejected ?? 'REJECTED_IMAGE_INTEGRITY',
      autoRegistration: true,
      status: 'retry',
    },
    { name: 'EXPIRED', reason: 'EXPIRED', autoRegistration: true, status: 'retry' },
    { name: 'UNKNOWN', reason: 'UNKNOWN', autoRegistration: true, status: 'awaiting_registration' },
  ];
}

/**
 * Registers the conformance suite for one provider with vitest: every outcome
 * family end to end (start, customer link, capture finished, webhook or
 * callback verified, result, documents), forged and malformed webhooks, an
 * outage, a broken connection, and the connection check with good and bad
 * credentials; and the lifecycle around them: twenty concurrent submits start
 * one attempt, two provider instances (two processes) start one with a
 * shared lock and agree on one without, `refreshLink` gives a new link for the
 * same subject that carries the whole flow, and `deleteSubject` makes later
 * reads fail and a second deletion find nothing. A provider without
 * `refreshLink` or `deleteSubject` (optional members) skips that scenario.
 */
export async function runConformanceSuite(options: ConformanceSuiteOptions): Promise<void> {
  const vitest = await import('vitest');
  const { describe, it, expect, beforeAll, afterAll, afterEach } = vitest;
  const name = options.emulator().provider;
  const server = setupServer();
  let emulator: ProviderEmulator;

  async function setUp(
    overrides: Record<string, unknown> = {},
  ): Promise<IdentityVerificationProvider> {
    emulator = options.emulator();
    server.resetHandlers(...emulator.handlers);
    return another(overrides);
  }

  /** Another provider instance on the current emulator: a second process of the host. */
  function another(overrides: Record<string, unknown> = {}): Promise<IdentityVerificationProvider> {
    return createProvider(
      emulator.config(overrides),
      options.registry ? { registry: options.registry } : {},
    );
  }

  function secretsOf(config: Record<string, unknown>): string[] {
    return Object.entries(config)
      .filter(
        ([key, value]) =>
          typeof value === 'string' && /token|secret|key|password|clientid/i.test(key),
      )
      .map(([, value]) => value as string)
      .filter((value) => value.length >= 4);
  }

  describe(`conformance: ${name}`, () => {
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());

    for (const scenario of conformanceScenarios(options.reasons)) {
      it(`${scenario.name}: ${scenario.reason} → ${scenario.status}`, async () => {
        const idv = await setUp({ autoRegistration: scenario.autoRegistration });
        expect(idv.name).toBe(name);
        const run = await runVerificationFlow(idv, emulator, {
          identityReference: `conformance-${scenario.reason.toLowerCase()}`,
          reason: scenario.reason,
        });

        expect(run.session.session.provider).toBe(name);
        expect(run.session.session.subjectId).toMatch(/\S/);
        expect(run.session.customerUrl ?? run.session.sdkToken).toMatch(/\S/);
        expect(Number.isNaN(run.session.expiresAt.getTime())).toBe(false);

        if (idv.capabilities.signedWebhooks && scenario.reason !== 'EXPIRED') {
          expect(run.delivery).toBeDefined();
        }
        if (run.event !== undefined) {
          expect(run.event.provider).toBe(name);
          expect(run.event.actionable).toBe(true);
          expect(run.event.dedupeKey).toMatch(/\S/);
        }

        expect(run.result.provider).toBe(name);
        expect(run.result.status).toBe(scenario.status);
        expect(run.result.reason).toBe(scenario.reason);
        expect(run.result.reasons[0]).toBe(scenario.reason);
        expect(run.result.statusSource).toBe('mapping');
        expect(run.result.session.subjectId ?? run.session.session.subjectId).toBe(
          run.session.session.subjectId,
        );
        if (scenario.reason === 'CLEAR') {
          expect(run.result.person).toMatchObject(SAMPLE_PERSON);
          expect(run.result.providerLabels.length).toBeGreaterThan(0);
        }

        if (scenario.reason === 'EXPIRED') {
          expect(run.documents).toEqual([]);
        } else {
          expect(run.documents.some((d) => d.info.kind === 'document')).toBe(true);
          expect(run.documents.some((d) => d.info.kind === 'selfie')).toBe(true);
          for (const document of run.documents) {
            expect(document.bytes).toBeGreaterThan(0);
            expect(document.downloadedSha256).toBe(document.servedSha256);
          }
        }
      });
    }

    it('waits for capture to be reported finished where the provider needs it', async () => {
      const idv = await setUp();
      const session = await idv.startVerification({
        identityReference: 'conformance-pending',
        person: { ...SAMPLE_PERSON, countryOfResidence: SAMPLE_COUNTRY_OF_RESIDENCE },
      });
      await emulator.completeCustomerJourney(session.session);
      const result = await idv.getResult(session.session);
      if (idv.capabilities.requiresCompleteCapture) {
        expect(result.status).toBe('pending');
        expect(result.reason).toBeNull();
      } else {
        expect(result.status).not.toBe('pending');
        expect(await idv.completeCapture(session.session)).toMatchObject(session.session);
      }
    });

    it('refuses a forged webhook', async () => {
      const idv = await setUp();
      const run = await runVerificationFlow(idv, emulator, {
        identityReference: 'conformance-forged',
        reason: 'CLEAR',
      });
      const original = run.delivery;
      if (idv.capabilities.signedWebhooks) {
        expect(original).toBeDefined();
        const tampered = original!.body.replace(
          /"([^"]*)"\s*:\s*"([^"]+)"/,
          (_m, k: string, v: string) => `"${k}":"${v}x"`,
        );
        expect(tampered).not.toBe(original!.body);
        await expect(
          idv.verifyWebhook({ body: tampered, headers: original!.headers }),
        ).rejects.toBeInstanceOf(WebhookVerificationError);
        await expect(
          idv.verifyWebhook({ body: original!.body, headers: {} }),
        ).rejects.toBeInstanceOf(WebhookVerificationError);
      } else {
        // Unsigned callbacks: a forged one naming a session that does not exist
        // must never yield a verdict, because only the API's answer counts.
        // A plain replacement: the id is the provider's text, never a pattern.
        const forgedBody = original!.body.replaceAll(
          run.session.session.subjectId,
          '00000000-0000-4000-8000-000000000000',
        );
        const outcome = await idv
          .verifyWebhook({ body: forgedBody, headers: original!.headers })
          .then((event) => idv.getResult(event.session))
          .then(
            (result) => ({ ok: true as const, result }),
            (error: unknown) => ({ ok: false as const, error }),
          );
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(isIdvError(outcome.error)).toBe(true);
      }
    });

    it('refuses a malformed webhook', async () => {
      const idv = await setUp();
      for (const body of ['', 'not json', '{}', '[]', '{"payload": 42}']) {
        await expect(
          idv.verifyWebhook({ body, headers: { 'content-type': 'application/json' } }),
        ).rejects.toBeInstanceOf(WebhookVerificationError);
      }
    });

    it('surfaces a provider outage as a typed error', async () => {
      const idv = await setUp({ maxRetries: 1 });
      emulator.fail({ kind: 'status', status: 503 }, { times: 1000 });
      const error = await idv.checkConnection().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProviderApiError);
      expect((error as ProviderApiError).status).toBe(503);
      expect((error as ProviderApiError).provider).toBe(name);
    });

    it('surfaces a broken connection as a typed error', async () => {
      const idv = await setUp({ maxRetries: 0 });
      const session = await idv.startVerification({
        identityReference: 'conformance-reset',
        person: { ...SAMPLE_PERSON, countryOfResidence: SAMPLE_COUNTRY_OF_RESIDENCE },
      });
      emulator.fail({ kind: 'reset' }, { times: 1000 });
      const error = await idv.getResult(session.session).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isIdvError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('network_error');
    });

    it('passes the connection check with good credentials', async () => {
      const idv = await setUp();
      const check = await idv.checkConnection();
      expect(check).toMatchObject({ provider: name, ok: true });
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    });

    it('fails the connection check clearly with bad credentials, without showing them', async () => {
      const probe = options.emulator();
      const bad = options.badCredentials ?? probe.invalidCredentials();
      expect(bad, 'the emulator must say which credentials it refuses').toBeDefined();
      const idv = await setUp(bad);
      const error = await idv.checkConnection().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProviderApiError);
      expect([401, 403]).toContain((error as ProviderApiError).status);
      expect((error as Error).message).toContain(`[${name}]`);
      const printed = `${String(error)} ${JSON.stringify(error)}`;
      for (const secret of [
        ...secretsOf(emulator.config() as Record<string, unknown>),
        ...secretsOf(bad ?? {}),
      ]) {
        expect(printed).not.toContain(secret);
      }
    });

    lifecycleScenarios(vitest, { name, setUp, another, emulator: () => emulator });
  });
}
