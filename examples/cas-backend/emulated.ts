/**
 * The example server deployed against a provider emulator over real HTTP:
 * configured from environment variables exactly as a deployment would be,
 * with the emulator's webhooks and callbacks posted back to the server the
 * way the TLS proxy in front of it would forward them. The demo and the
 * browser tests both run on this.
 */
import {
  type Clock,
  configFromEnv,
  createLinkSigner,
  createProvider,
  createSqliteStore,
  envVarName,
  type SqliteEventStore,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  type EmulatorDelivery,
  type ProviderEmulator,
  type TestClock,
} from 'idv-providers/testing';
import type { Identity } from './identities';
import { type CasBackend, createCasBackend, ROUTES } from './server';
import { LoggingSmsSender } from './sms';

/** The host in the provider's webhook and callback settings (the TLS proxy in front of the server). */
export const PUBLIC_HOST = 'https://cas.example.com';

/** The states an identity ends in. */
export const FINAL_STATES: ReadonlyArray<Identity['state']> = [
  'registered',
  'awaiting_registration',
  'rejected',
  'retry',
];

/** Sends one webhook or callback on to the server. */
export type Forward = (delivery: EmulatorDelivery) => Promise<number | undefined>;

/** Settings of {@link startEmulatedDeployment}. */
export interface EmulatedDeploymentOptions {
  provider: 'onfido' | 'jumio';
  autoRegistration: boolean;
  /** One clock for the emulator, the adapter and the link tokens. */
  clock: TestClock;
  /** Where the emulator is served (`http://127.0.0.1:<port>/<prefix>`); unique per deployment. */
  emulatorBaseUrl: string;
  /** The SQLite file of the intake. */
  storePath: string;
  linkKey: string;
  operatorKey: string;
  /** Decides what happens to each webhook or callback; default: forward it at once. */
  deliver?: (delivery: EmulatorDelivery, forward: Forward) => Promise<number | undefined>;
  log?: (line: string) => void;
  pollIntervalMs?: number;
}

/** A running deployment and the ATM's side of it. */
export interface EmulatedDeployment {
  readonly provider: 'onfido' | 'jumio';
  readonly emulator: ProviderEmulator;
  readonly backend: CasBackend;
  readonly sms: LoggingSmsSender;
  readonly store: SqliteEventStore;
  /** `http://127.0.0.1:<port>` of the server. */
  readonly url: string;
  /** Sends a webhook or callback to the server now. */
  readonly forward: Forward;
  /** Plays the ATM: asks the server to start a verification for this phone number. */
  startVerification(phoneNumber: string): Promise<Identity>;
  /** The identity as the server holds it now. */
  identity(id: string): Promise<Identity>;
  /** Waits until the server holds the identity in a final state. */
  finalIdentity(id: string, timeoutMs?: number): Promise<Identity>;
  close(): Promise<void>;
}

/** The environment variables a deployment of this emulator's provider would set. */
export function environmentFor(
  emulator: ProviderEmulator,
  autoRegistration: boolean,
): Record<string, string> {
  const env: Record<string, string> = {
    IDV_PROVIDER: emulator.provider,
    IDV_AUTO_REGISTRATION: String(autoRegistration),
  };
  for (const [option, value] of Object.entries(emulator.config() as Record<string, unknown>)) {
    if (option === 'provider' || option === 'clock' || value === undefined) continue;
    env[envVarName(emulator.provider, option)] = Array.isArray(value)
      ? value.join(',')
      : String(value);
  }
  return env;
}

/**
 * Creates the provider's emulator at `emulatorBaseUrl` and starts the example
 * server in front of it. Serve `deployment.emulator.handlers` at that URL (with
 * `serveEmulators`) before the first verification starts.
 */
export async function startEmulatedDeployment(
  options: EmulatedDeploymentOptions,
): Promise<EmulatedDeployment> {
  const { provider, clock } = options;
  const sms = new LoggingSmsSender(options.log);
  let serverUrl: string | undefined;

  const forward: Forward = async (delivery) => {
    if (serverUrl === undefined) return undefined;
    const headers = Object.fromEntries(
      Object.entries(delivery.headers).filter(
        ([name]) => !['content-length', 'host'].includes(name),
      ),
    );
    const response = await fetch(serverUrl + new URL(delivery.url).pathname, {
      method: delivery.method,
      headers,
      body: delivery.body,
    });
    await response.arrayBuffer();
    return response.status;
  };
  const deliver = (delivery: EmulatorDelivery) =>
    options.deliver === undefined ? forward(delivery) : options.deliver(delivery, forward);

  const base = options.emulatorBaseUrl.replace(/\/+$/, '');
  const emulator: ProviderEmulator =
    provider === 'onfido'
      ? createOnfidoEmulator({
          baseUrl: `${base}/v3.6`,
          clock,
          webhookUrl: PUBLIC_HOST + ROUTES.onfidoWebhook,
          verificationSiteUrl: `${PUBLIC_HOST}${ROUTES.page}`,
          deliver,
        })
      : createJumioEmulator({
          baseUrls: {
            auth: `${base}/auth`,
            account: `${base}/account`,
            retrieval: `${base}/retrieval`,
          },
          clock,
          callbackUrl: PUBLIC_HOST + ROUTES.jumioCallback,
          deliver,
        });

  const idv = await createProvider(
    configFromEnv(environmentFor(emulator, options.autoRegistration)),
    { clock: clock as Clock },
  );
  const store = await createSqliteStore({ path: options.storePath });
  const backend = createCasBackend({
    provider: idv,
    links: createLinkSigner({ key: options.linkKey, clock }),
    store,
    sms,
    operatorKey: options.operatorKey,
    emulatedCapture: (session) => emulator.completeCustomerJourney(session),
    clock,
    pollIntervalMs: options.pollIntervalMs ?? 50,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  serverUrl = await backend.listen(0, '127.0.0.1');
  const url = serverUrl;
  const operator = {
    authorization: `Bearer ${options.operatorKey}`,
    'content-type': 'application/json',
  };

  const identity = async (id: string): Promise<Identity> => {
    const response = await fetch(`${url}/internal/identities/${id}`, { headers: operator });
    if (response.status !== 200) throw new Error(`reading ${id} answered HTTP ${response.status}`);
    return (await response.json()) as Identity;
  };

  return {
    provider,
    emulator,
    backend,
    sms,
    store,
    url,
    forward,
    identity,
    async startVerification(phoneNumber) {
      const response = await fetch(`${url}/internal/identities`, {
        method: 'POST',
        headers: operator,
        body: JSON.stringify({
          phoneNumber,
          firstName: 'Ada',
          lastName: 'Lovelace',
          countryOfResidence: 'GBR',
        }),
      });
      const text = await response.text();
      if (response.status !== 201) {
        throw new Error(`starting a verification answered HTTP ${response.status}: ${text}`);
      }
      return JSON.parse(text) as Identity;
    },
    async finalIdentity(id, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await identity(id);
        if (FINAL_STATES.includes(current.state)) return current;
        if (Date.now() > deadline) {
          throw new Error(`${id} is still ${current.state} after ${timeoutMs / 1000} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await backend.close();
      await store.close();
    },
  };
}
