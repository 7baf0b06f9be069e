/**
 * Swapping providers is a change of environment only: the same host code,
 * given IDV_PROVIDER=onfido or IDV_PROVIDER=jumio with that provider's
 * variables, reaches the same normalised outcome for the same scenario.
 */

import {
  type Clock,
  configFromEnv,
  createProvider,
  envVarName,
  type ReasonCode,
} from 'idv-providers';
import {
  conformanceScenarios,
  createJumioEmulator,
  createOnfidoEmulator,
  type ProviderEmulator,
  runVerificationFlow,
} from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The host backend's code: it knows nothing of the provider but its environment. */
async function verifyIdentity(
  env: Record<string, string>,
  emulator: ProviderEmulator,
  scenario: { identityReference: string; reason: ReasonCode },
  clock: Clock | undefined,
) {
  const idv = await createProvider(configFromEnv(env), clock === undefined ? {} : { clock });
  const run = await runVerificationFlow(idv, emulator, scenario);
  return {
    provider: idv.name,
    status: run.result.status,
    reason: run.result.reason,
    reasons: run.result.reasons,
  };
}

/** The environment a deployment would set for this emulator's provider. */
function environmentFor(
  emulator: ProviderEmulator,
  autoRegistration: boolean,
): { env: Record<string, string>; clock: Clock | undefined } {
  const config = emulator.config() as Record<string, unknown>;
  const env: Record<string, string> = { IDV_PROVIDER: String(config['provider']) };
  for (const [option, value] of Object.entries(config)) {
    if (option === 'provider' || option === 'clock') continue;
    env[envVarName(emulator.provider, option)] = Array.isArray(value)
      ? value.join(',')
      : String(value);
  }
  env['IDV_AUTO_REGISTRATION'] = String(autoRegistration);
  return { env, clock: config['clock'] as Clock | undefined };
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('swapping providers by environment', () => {
  const factories = { onfido: () => createOnfidoEmulator(), jumio: () => createJumioEmulator() };

  it.each(conformanceScenarios().map((s) => [s.name, s] as const))(
    '%s: both providers agree',
    async (_name, scenario) => {
      const outcomes = [];
      for (const [name, factory] of Object.entries(factories)) {
        const emulator = factory();
        server.resetHandlers(...emulator.handlers);
        const { env, clock } = environmentFor(emulator, scenario.autoRegistration);
        expect(Object.keys(env).every((key) => key.startsWith('IDV_'))).toBe(true);
        const outcome = await verifyIdentity(
          env,
          emulator,
          { identityReference: `swap-${scenario.reason.toLowerCase()}`, reason: scenario.reason },
          clock,
        );
        expect(outcome.provider).toBe(name);
        outcomes.push(outcome);
      }
      const [onfido, jumio] = outcomes;
      expect(onfido!.status).toBe(scenario.status);
      expect({ status: jumio!.status, reason: jumio!.reason, reasons: jumio!.reasons }).toEqual({
        status: onfido!.status,
        reason: onfido!.reason,
        reasons: onfido!.reasons,
      });
    },
  );
});
