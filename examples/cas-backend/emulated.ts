/**
 * The example server deployed against a provider emulator over real HTTP:
 * configured from environment variables exactly as a deployment would be,
 * with the emulator's webhooks and callbacks posted back to the server the
 * way the TLS proxy in front of it would forward them. The demo and the
 * browser tests both run on this.
 *
 * {@link startEmulatedOrganisations} deploys one server for two organisations,
 * one on Onfido EU and one on Jumio, configured as a deployment would be: a
 * tenants file (`IDV_TENANTS_FILE`) whose secrets are `${ENV}` references.
 */
import { writeFile } from 'node:fs/promises';
import {
  type Clock,
  configFromEnv,
  createLinkSigner,
  createProvider,
  createSqliteStore,
  envVarName,
  providerSetFromEnv,
  type SessionRef,
  type SqliteEventStore,
  TENANTS_FILE_ENV,
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
 * A provider's emulator served at `baseUrl`, sending its webhooks or callbacks
 * to the server's route for the provider, followed by `routeSuffix`
 * (`/org-eu` for an organisation's route).
 */
function createEmulator(
  provider: 'onfido' | 'jumio',
  baseUrl: string,
  clock: TestClock,
  routeSuffix: string,
  deliver: (delivery: EmulatorDelivery) => Promise<number | undefined>,
): ProviderEmulator {
  const base = baseUrl.replace(/\/+$/, '');
  return provider === 'onfido'
    ? createOnfidoEmulator({
        baseUrl: `${base}/v3.6`,
        region: 'EU',
        clock,
        webhookUrl: PUBLIC_HOST + ROUTES.onfidoWebhook + routeSuffix,
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
        callbackUrl: PUBLIC_HOST + ROUTES.jumioCallback + routeSuffix,
        deliver,
      });
}

/** Sends deliveries on to a server once it listens, as the TLS proxy in front of it would. */
function forwarder(): { forward: Forward; listening(url: string): void } {
  let serverUrl: string | undefined;
  return {
    listening: (url) => {
      serverUrl = url;
    },
    async forward(delivery) {
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
    },
  };
}

/** The ATM's side of a server: start verifications, read identities, wait for a final state. */
function atm(url: string, operatorKey: string) {
  const operator = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };
  const identity = async (id: string): Promise<Identity> => {
    const response = await fetch(`${url}/internal/identities/${id}`, { headers: operator });
    if (response.status !== 200) throw new Error(`reading ${id} answered HTTP ${response.status}`);
    return (await response.json()) as Identity;
  };
  return {
    identity,
    async startVerification(phoneNumber: string, organisation?: string): Promise<Identity> {
      const response = await fetch(`${url}/internal/identities`, {
        method: 'POST',
        headers: operator,
        body: JSON.stringify({
          phoneNumber,
          firstName: 'Ada',
          lastName: 'Lovelace',
          countryOfResidence: 'GBR',
          ...(organisation === undefined ? {} : { organisation }),
        }),
      });
      const text = await response.text();
      if (response.status !== 201) {
        throw new Error(`starting a verification answered HTTP ${response.status}: ${text}`);
      }
      return JSON.parse(text) as Identity;
    },
    async finalIdentity(id: string, timeoutMs = 15_000): Promise<Identity> {
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
  };
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
  const { forward, listening } = forwarder();
  const deliver = (delivery: EmulatorDelivery) =>
    options.deliver === undefined ? forward(delivery) : options.deliver(delivery, forward);

  const emulator = createEmulator(provider, options.emulatorBaseUrl, clock, '', deliver);

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
  const url = await backend.listen(0, '127.0.0.1');
  listening(url);
  const client = atm(url, options.operatorKey);

  return {
    provider,
    emulator,
    backend,
    sms,
    store,
    url,
    forward,
    identity: client.identity,
    startVerification: (phoneNumber) => client.startVerification(phoneNumber),
    finalIdentity: client.finalIdentity,
    async close() {
      await backend.close();
      await store.close();
    },
  };
}

/** The organisations of {@link startEmulatedOrganisations}, and the provider each is on. */
export const ORGANISATIONS = { 'org-eu': 'onfido', 'org-jumio': 'jumio' } as const;
/** An organisation of {@link ORGANISATIONS}. */
export type OrganisationId = keyof typeof ORGANISATIONS;

/** Options that hold a secret: the tenants file refers to them as `${ENV}` variables. */
const SECRET_OPTIONS: ReadonlySet<string> = new Set([
  'apiToken',
  'webhookToken',
  'clientId',
  'clientSecret',
]);

/** Settings of {@link startEmulatedOrganisations}. */
export interface EmulatedOrganisationsOptions
  extends Omit<EmulatedDeploymentOptions, 'provider' | 'deliver'> {
  /** Where the tenants file is written (what `IDV_TENANTS_FILE` names). */
  tenantsPath: string;
}

/** One server for several organisations, and a deployment view of each the demo's scenarios run on. */
export interface EmulatedOrganisations {
  readonly backend: CasBackend;
  readonly store: SqliteEventStore;
  readonly url: string;
  readonly forward: Forward;
  /** Each organisation as a deployment of its own (closing one closes the server). */
  readonly organisations: Record<OrganisationId, EmulatedDeployment>;
  close(): Promise<void>;
}

/**
 * Starts one example server for the organisations of {@link ORGANISATIONS},
 * each with its own emulated provider account at
 * `<emulatorBaseUrl>/<organisation>`, configured from a tenants file whose
 * secrets are `${ENV}` references (`ORG_EU_API_TOKEN`, ...), as a deployment
 * would be. Serve every organisation's `emulator.handlers` at that URL.
 */
export async function startEmulatedOrganisations(
  options: EmulatedOrganisationsOptions,
): Promise<EmulatedOrganisations> {
  const { clock } = options;
  const sms = new LoggingSmsSender(options.log);
  const { forward, listening } = forwarder();
  const base = options.emulatorBaseUrl.replace(/\/+$/, '');
  const emulators = Object.fromEntries(
    Object.entries(ORGANISATIONS).map(([organisation, provider]) => [
      organisation,
      createEmulator(provider, `${base}/${organisation}`, clock, `/${organisation}`, forward),
    ]),
  ) as Record<OrganisationId, ProviderEmulator>;

  // The tenants file a deployment would keep, its secrets in the environment.
  const env: Record<string, string> = {};
  const document: Record<string, Record<string, unknown>> = {};
  for (const [organisation, emulator] of Object.entries(emulators)) {
    const config: Record<string, unknown> = { autoRegistration: options.autoRegistration };
    for (const [option, value] of Object.entries(emulator.config() as Record<string, unknown>)) {
      if (option === 'clock' || value === undefined) continue;
      if (!SECRET_OPTIONS.has(option) || typeof value !== 'string') {
        config[option] = value;
        continue;
      }
      const variable = envVarName(organisation, option).replace(/^IDV_/, '');
      env[variable] = value;
      config[option] = ['$', '{', variable, '}'].join('');
    }
    document[organisation] = config;
  }
  await writeFile(options.tenantsPath, JSON.stringify(document, null, 2));
  const organisations = await providerSetFromEnv(
    { ...env, [TENANTS_FILE_ENV]: options.tenantsPath },
    { clock: clock as Clock },
  );

  const store = await createSqliteStore({ path: options.storePath });
  const byProvider = (session: SessionRef) =>
    Object.values(emulators).find((emulator) => emulator.provider === session.provider);
  const backend = createCasBackend({
    organisations,
    links: createLinkSigner({ key: options.linkKey, clock }),
    store,
    sms,
    operatorKey: options.operatorKey,
    emulatedCapture: (session) => byProvider(session)!.completeCustomerJourney(session),
    clock,
    pollIntervalMs: options.pollIntervalMs ?? 50,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const url = await backend.listen(0, '127.0.0.1');
  listening(url);
  const client = atm(url, options.operatorKey);
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= backend.close().then(() => store.close());
    return closed;
  };
  const view = (organisation: OrganisationId): EmulatedDeployment => ({
    provider: ORGANISATIONS[organisation],
    emulator: emulators[organisation],
    backend,
    sms,
    store,
    url,
    forward,
    identity: client.identity,
    startVerification: (phoneNumber) => client.startVerification(phoneNumber, organisation),
    finalIdentity: client.finalIdentity,
    close,
  });
  return {
    backend,
    store,
    url,
    forward,
    organisations: { 'org-eu': view('org-eu'), 'org-jumio': view('org-jumio') },
    close,
  };
}
