/**
 * The two emulated providers the fault matrix runs against, behind one MSW
 * server that refuses any request no handler answers. Each target says how to
 * reach a finished session through the public interface and which request the
 * faults are aimed at.
 */
import {
  createProvider,
  type IdentityVerificationProvider,
  type IdvError,
  isIdvError,
  type SessionRef,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  createTestClock,
  type ProviderEmulator,
  type TestClock,
} from 'idv-providers/testing';
import { useMswEmulators } from '../msw-emulators';

/** Retries after the first attempt: the library's default. */
export const DEFAULT_MAX_RETRIES = 3;

/** Per-request timeout of the provider that meets a `delay` fault, milliseconds. */
export const SHORT_TIMEOUT_MS = 250;

/** How long a `delay` fault holds the answer back: well past {@link SHORT_TIMEOUT_MS}. */
export const SLOW_ANSWER_MS = 1500;

/** One emulated provider and the idempotent read the matrix aims at. */
export interface Target {
  name: 'onfido' | 'jumio';
  emulator: ProviderEmulator;
  /** A provider on this emulator with an instant clock. */
  provider(overrides?: Record<string, unknown>): Promise<{
    idv: IdentityVerificationProvider;
    clock: TestClock;
  }>;
  /** Starts a verification and plays it to a finished verdict; returns the session to read. */
  finished(): Promise<SessionRef>;
  /** The read `getResult` makes first: the request the faults hit. */
  read: { method: 'GET'; path: RegExp };
  /** A document download, as `downloadDocument` requests it. */
  download: { method: 'GET'; path: RegExp };
  /** The provider's own error type in its 429 and 503 bodies. */
  errorTypes: { rateLimited: string; unavailable: string };
}

/** The Onfido emulator every fault test file shares. */
export const onfidoEmulator = createOnfidoEmulator();
/** The Jumio emulator every fault test file shares (KYX and Netverify). */
export const jumioEmulator = createJumioEmulator();

/** A provider on `emulator` with an instant clock. */
export async function providerOn(
  emulator: ProviderEmulator,
  overrides: Record<string, unknown> = {},
) {
  const clock = createTestClock();
  const idv = await createProvider(emulator.config({ clock, ...overrides }));
  return { idv, clock };
}

/** The Onfido target: `getResult` reads `GET /checks/{id}` first. */
export const onfidoTarget: Target = {
  name: 'onfido',
  emulator: onfidoEmulator,
  provider: (overrides) => providerOn(onfidoEmulator, overrides),
  async finished() {
    const { idv } = await providerOn(onfidoEmulator);
    const started = await idv.startVerification({
      identityReference: 'identity-fault',
      person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
    });
    await onfidoEmulator.completeCustomerJourney(started.session);
    return idv.completeCapture(started.session);
  },
  read: { method: 'GET', path: /\/v3\.6\/checks\/[^/]+$/ },
  download: { method: 'GET', path: /\/download$/ },
  errorTypes: { rateLimited: 'rate_limit', unavailable: 'internal_server_error' },
};

/** The Jumio (KYX) target: `getResult` reads the workflow execution's details first. */
export const jumioTarget: Target = {
  name: 'jumio',
  emulator: jumioEmulator,
  provider: (overrides) => providerOn(jumioEmulator, overrides),
  async finished() {
    const { idv } = await providerOn(jumioEmulator);
    const started = await idv.startVerification({ identityReference: 'identity-fault' });
    await jumioEmulator.completeCustomerJourney(started.session);
    return started.session;
  },
  read: { method: 'GET', path: /\/workflow-executions\/[^/]+$/ },
  download: { method: 'GET', path: /\/parts\/[^/]+$/ },
  errorTypes: { rateLimited: 'Too Many Requests', unavailable: 'Service Unavailable' },
};

/** Both targets, for `describe.each`. */
export const TARGETS: readonly Target[] = [onfidoTarget, jumioTarget];

/** Serves both emulators for the test file and forgets their state after every test. */
export function useEmulators(): void {
  useMswEmulators([onfidoEmulator, jumioEmulator]);
}

/** The library error a promise rejects with; fails when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<IdvError> {
  try {
    await promise;
  } catch (error) {
    if (!isIdvError(error)) throw error;
    return error;
  }
  throw new Error('expected the call to fail');
}
