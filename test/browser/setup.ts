/**
 * What the browser tests run against: the example ATM server, configured from
 * environment variables as a deployment would be, talking over real HTTP to a
 * provider emulator that sends its webhooks and callbacks back over HTTP; and
 * Debian's Chromium, driven by playwright-core.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Clock,
  configFromEnv,
  createLinkSigner,
  createProvider,
  createSqliteStore,
  envVarName,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  createTestClock,
  type EmulatorDelivery,
  type EmulatorServer,
  type ProviderEmulator,
  serveEmulators,
  type TestClock,
} from 'idv-providers/testing';
import { type BrowserContext, chromium } from 'playwright-core';
import type { Identity } from '../../examples/cas-backend/identities';
import { type CasBackend, createCasBackend, ROUTES } from '../../examples/cas-backend/server';
import { LoggingSmsSender } from '../../examples/cas-backend/sms';

/** Where Debian's chromium package puts the browser (see scripts/install-chromium.sh). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Switches that keep Chromium off the network it cannot reach here, and off its first-run work. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** A running headless Chromium with a fresh, empty profile of its own. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts Chromium with a new empty user-data directory. Playwright takes the
 * directory as `launchPersistentContext`'s argument and passes it on as
 * `--user-data-dir`; it refuses that switch in `args`.
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'idv-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
    viewport: { width: 800, height: 900 },
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const FINAL_STATES: ReadonlyArray<Identity['state']> = [
  'registered',
  'awaiting_registration',
  'rejected',
  'retry',
];

/** The host in the provider's webhook and callback settings (the TLS proxy in front of the server in production). */
const PUBLIC_HOST = 'https://cas.example.com';

/** One provider's deployment of the example server, and the emulator it talks to. */
export interface Deployment {
  readonly provider: 'onfido' | 'jumio';
  readonly clock: TestClock;
  readonly emulator: ProviderEmulator;
  readonly backend: CasBackend;
  readonly sms: LoggingSmsSender;
  /** `http://127.0.0.1:<port>` of the example server. */
  readonly url: string;
  /** Log lines of the server, for a failing test's message. */
  readonly log: string[];
  /** Plays the ATM: asks the server to start a verification for this phone number. */
  startVerification(phoneNumber: string): Promise<Identity>;
  /** The identity as the server holds it now. */
  identity(id: string): Promise<Identity>;
  /** Waits until the server holds the identity in a final status. */
  finalIdentity(id: string): Promise<Identity>;
  /** Keeps the emulator's webhooks and callbacks back until {@link releaseDeliveries}. */
  holdDeliveries(): void;
  /** Sends the webhooks and callbacks held back, in order, and stops holding them. */
  releaseDeliveries(): Promise<number>;
  close(): Promise<void>;
}

/** The environment variables a deployment of this emulator's provider would set. */
function environment(emulator: ProviderEmulator): Record<string, string> {
  const env: Record<string, string> = {
    IDV_PROVIDER: emulator.provider,
    IDV_AUTO_REGISTRATION: 'true',
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
 * Starts the emulator of `provider` on its own port and the example server
 * (auto-registration on) in front of it, sharing one test clock, so that a
 * test can move the links' time forward.
 */
export async function startDeployment(provider: 'onfido' | 'jumio'): Promise<Deployment> {
  const clock = createTestClock({ start: Date.UTC(2026, 10, 22, 9, 0, 0) });
  const workDir = mkdtempSync(join(tmpdir(), `idv-browser-${provider}-`));
  const operatorKey = randomBytes(24).toString('base64url');
  const log: string[] = [];
  const sms = new LoggingSmsSender((line) => log.push(line));
  let serverUrl: string | undefined;

  /** Sends a webhook or callback to the server over HTTP, as the TLS proxy in front of it would. */
  const post = async (delivery: EmulatorDelivery): Promise<number | undefined> => {
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
  // While held, deliveries wait here, as the provider's decision would while it checks the photos.
  let held: EmulatorDelivery[] | undefined;
  const deliver = async (delivery: EmulatorDelivery): Promise<number | undefined> => {
    if (held !== undefined) {
      held.push(delivery);
      return undefined;
    }
    return post(delivery);
  };

  let emulator: ProviderEmulator | undefined;
  const emulatorServer: EmulatorServer = await serveEmulators({
    handlers: () => emulator?.handlers ?? [],
  });
  const base = `${emulatorServer.url}/${provider}`;
  emulator =
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
  const started = emulator;

  const idv = await createProvider(configFromEnv(environment(started)), { clock: clock as Clock });
  const store = await createSqliteStore({ path: join(workDir, 'intake.sqlite') });
  const backend = createCasBackend({
    provider: idv,
    links: createLinkSigner({ key: randomBytes(48).toString('base64url'), clock }),
    store,
    sms,
    operatorKey,
    emulatedCapture: (session) => started.completeCustomerJourney(session),
    clock,
    pollIntervalMs: 50,
    log: (line) => log.push(line),
  });
  serverUrl = await backend.listen(0, '127.0.0.1');
  const url = serverUrl;
  const operator = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };
  const readIdentity = async (id: string): Promise<Identity> => {
    const response = await fetch(`${url}/internal/identities/${id}`, { headers: operator });
    if (response.status !== 200) throw new Error(`reading ${id} answered HTTP ${response.status}`);
    return (await response.json()) as Identity;
  };

  return {
    provider,
    clock,
    emulator: started,
    backend,
    sms,
    url,
    log,
    async startVerification(phoneNumber) {
      const response = await fetch(`${url}/internal/identities`, {
        method: 'POST',
        headers: operator,
        body: JSON.stringify({ phoneNumber, firstName: 'Ada', lastName: 'Lovelace' }),
      });
      const text = await response.text();
      if (response.status !== 201)
        throw new Error(`starting a verification answered HTTP ${response.status}: ${text}`);
      return JSON.parse(text) as Identity;
    },
    identity: readIdentity,
    async finalIdentity(id) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const identity = await readIdentity(id);
        if (FINAL_STATES.includes(identity.state)) return identity;
        if (Date.now() > deadline)
          throw new Error(`${id} is still ${identity.state} after 15 seconds`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    holdDeliveries() {
      held ??= [];
    },
    async releaseDeliveries() {
      const queue = held ?? [];
      held = undefined;
      for (const delivery of queue) await post(delivery);
      return queue.length;
    },
    async close() {
      held = undefined;
      await backend.close();
      await emulatorServer.close();
      await store.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** The verification link in the last text message to a phone number. */
export function linkInSms(sms: LoggingSmsSender, phoneNumber: string): string {
  const text = sms.lastTo(phoneNumber);
  const link = text?.match(/https?:\/\/\S+?(?=\s|$)/)?.[0];
  if (link === undefined) throw new Error(`no link in the message to ${phoneNumber}: ${text}`);
  return link;
}
