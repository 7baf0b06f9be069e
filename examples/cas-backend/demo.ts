/**
 * `npm run demo`: the whole flow, for both providers, over real HTTP.
 *
 * Starts the provider emulators on a local port and, for each provider, the
 * example ATM server (with auto-registration on and off) configured from
 * environment variables exactly as a deployment would be. Then, for every
 * scenario, it plays the ATM (asks the server to start a verification), the
 * customer (opens the texted link, captures, finishes) and the provider's
 * decision (the emulator's verdict), and waits for the identity's final
 * status and the text message the customer gets. Webhooks and callbacks
 * travel over HTTP from the emulators to the server. Exits non-zero on any
 * outcome other than the expected one.
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
  type ReasonCode,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  createTestClock,
  type EmulatorDelivery,
  type ProviderEmulator,
  serveEmulators,
} from 'idv-providers/testing';
import type { Identity } from './identities';
import { type CasBackend, createCasBackend, ROUTES } from './server';
import { LoggingSmsSender } from './sms';

interface Scenario {
  name: string;
  reason: ReasonCode;
  autoRegistration: boolean;
  expected: Identity['state'];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'CLEAR, auto-registration off',
    reason: 'CLEAR',
    autoRegistration: false,
    expected: 'awaiting_registration',
  },
  {
    name: 'CLEAR, auto-registration on',
    reason: 'CLEAR',
    autoRegistration: true,
    expected: 'registered',
  },
  {
    name: 'CAUTION_FACIAL_COMPARISON',
    reason: 'CAUTION_FACIAL_COMPARISON',
    autoRegistration: true,
    expected: 'awaiting_registration',
  },
  {
    name: 'SUSPECTED_COMPROMISED_DOCUMENT',
    reason: 'SUSPECTED_COMPROMISED_DOCUMENT',
    autoRegistration: true,
    expected: 'rejected',
  },
  {
    name: 'REJECTED_IMAGE_INTEGRITY',
    reason: 'REJECTED_IMAGE_INTEGRITY',
    autoRegistration: true,
    expected: 'retry',
  },
  { name: 'EXPIRED', reason: 'EXPIRED', autoRegistration: true, expected: 'retry' },
];
const PROVIDERS = ['onfido', 'jumio'] as const;
const PUBLIC_HOST = 'https://cas.example.com';

const started = performance.now();
const verbose = process.argv.includes('--verbose');
const log = (line: string) => {
  if (verbose || line.startsWith('[demo]')) console.log(line);
};
const clock = createTestClock({ start: Date.UTC(2026, 10, 22, 9, 0, 0) });
const workDir = mkdtempSync(join(tmpdir(), 'idv-demo-'));
const operatorKey = randomBytes(24).toString('base64url');
const linkKey = randomBytes(48).toString('base64url');

interface Deployment {
  provider: (typeof PROVIDERS)[number];
  autoRegistration: boolean;
  emulator: ProviderEmulator;
  backend?: CasBackend;
  url?: string;
  sms: LoggingSmsSender;
}

const deployments: Deployment[] = [];
const emulatorServer = await serveEmulators({
  handlers: () => deployments.flatMap((d) => d.emulator.handlers),
});

/** Delivers a webhook or callback over HTTP to the deployment's server, as the TLS proxy in front of it would. */
function deliverTo(deployment: Deployment) {
  return async (delivery: EmulatorDelivery): Promise<number | undefined> => {
    if (deployment.url === undefined) return undefined;
    const headers = Object.fromEntries(
      Object.entries(delivery.headers).filter(
        ([name]) => !['content-length', 'host'].includes(name),
      ),
    );
    const response = await fetch(deployment.url + new URL(delivery.url).pathname, {
      method: delivery.method,
      headers,
      body: delivery.body,
    });
    await response.arrayBuffer();
    return response.status;
  };
}

/** The environment variables a deployment of this provider would set. */
function environment(
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

for (const provider of PROVIDERS) {
  for (const autoRegistration of [false, true]) {
    const base = `${emulatorServer.url}/${provider}-${autoRegistration ? 'auto' : 'manual'}`;
    const deployment: Deployment = {
      provider,
      autoRegistration,
      sms: new LoggingSmsSender(log),
    } as Deployment;
    deployment.emulator =
      provider === 'onfido'
        ? createOnfidoEmulator({
            baseUrl: `${base}/v3.6`,
            clock,
            webhookUrl: PUBLIC_HOST + ROUTES.onfidoWebhook,
            verificationSiteUrl: `${PUBLIC_HOST}${ROUTES.page}`,
            deliver: deliverTo(deployment),
          })
        : createJumioEmulator({
            baseUrls: {
              auth: `${base}/auth`,
              account: `${base}/account`,
              retrieval: `${base}/retrieval`,
            },
            clock,
            callbackUrl: PUBLIC_HOST + ROUTES.jumioCallback,
            deliver: deliverTo(deployment),
          });
    const idv = await createProvider(
      configFromEnv(environment(deployment.emulator, autoRegistration)),
      { clock: clock as Clock },
    );
    deployment.backend = createCasBackend({
      provider: idv,
      links: createLinkSigner({ key: linkKey, clock }),
      store: await createSqliteStore({
        path: join(workDir, `${provider}-${autoRegistration}.sqlite`),
      }),
      sms: deployment.sms,
      operatorKey,
      emulatedCapture: (session) => deployment.emulator.completeCustomerJourney(session),
      clock,
      pollIntervalMs: 50,
      log,
    });
    deployment.url = await deployment.backend.listen();
    deployments.push(deployment);
    log(
      `[demo] ${provider} (auto-registration ${autoRegistration ? 'on' : 'off'}): server ${deployment.url}, emulator ${base}`,
    );
  }
}

async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML pages stay text.
  }
  return { status: response.status, body, text };
}

async function runScenario(deployment: Deployment, scenario: Scenario, n: number) {
  const { emulator, url } = deployment;
  const operator = { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' };
  const phoneNumber = `+4207770${String(n).padStart(5, '0')}`;
  const created = await call(`${url}/internal/identities`, {
    method: 'POST',
    headers: operator,
    body: JSON.stringify({ phoneNumber, firstName: 'Ada', lastName: 'Lovelace' }),
  });
  if (created.status !== 201)
    throw new Error(`start failed: HTTP ${created.status} ${created.text}`);
  const identity = created.body as Identity;
  emulator.setVerdict(identity.session.subjectId, { reason: scenario.reason });

  // The customer opens the texted link (rewritten from the public host to this server).
  const link = new URL(identity.link);
  const token = link.searchParams.get('token') ?? '';
  const page = await call(`${url}${link.pathname}${link.search}`);
  if (page.status !== 200 || !page.text.includes('Verify your identity'))
    throw new Error(`page failed: HTTP ${page.status}`);
  const post = (path: string) =>
    call(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });

  const capture = await post(`${ROUTES.page}/capture`);
  if (capture.status !== 200)
    throw new Error(`capture failed: HTTP ${capture.status} ${capture.text}`);
  if (scenario.reason === 'EXPIRED') {
    clock.advance(91 * 60 * 1000); // the customer never finishes; the link runs out
    const stale = await call(`${url}${link.pathname}${link.search}`);
    if (stale.status !== 410) throw new Error(`an expired link answered HTTP ${stale.status}`);
    await call(`${url}/internal/sweep`, { method: 'POST', headers: operator });
  } else {
    const submitted = await post(ROUTES.submit);
    if (submitted.status !== 200)
      throw new Error(`submit failed: HTTP ${submitted.status} ${submitted.text}`);
  }

  const deadline = Date.now() + 15_000;
  for (;;) {
    const current = (await call(`${url}/internal/identities/${identity.id}`, { headers: operator }))
      .body as Identity;
    if (['registered', 'awaiting_registration', 'rejected', 'retry'].includes(current.state)) {
      for (const kept of current.documents) {
        const served = emulator.servedBytes(kept.id);
        if (served === undefined || served.byteLength !== kept.bytes)
          throw new Error(`document ${kept.id} differs from what was served`);
      }
      return { identity: current, sms: deployment.sms.lastTo(phoneNumber) ?? '' };
    }
    if (Date.now() > deadline) throw new Error(`identity stuck in ${current.state}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const rows: Array<{
  scenario: string;
  provider: string;
  expected: string;
  got: string;
  documents: number;
  sms: string;
  ok: boolean;
}> = [];
let n = 0;
for (const scenario of SCENARIOS) {
  for (const provider of PROVIDERS) {
    const deployment = deployments.find(
      (d) => d.provider === provider && d.autoRegistration === scenario.autoRegistration,
    )!;
    try {
      const { identity, sms } = await runScenario(deployment, scenario, n++);
      const ok = identity.state === scenario.expected && identity.reason === scenario.reason;
      rows.push({
        scenario: scenario.name,
        provider,
        expected: scenario.expected,
        got: `${identity.state} (${identity.reason})`,
        documents: identity.documents.length,
        sms,
        ok,
      });
    } catch (error) {
      rows.push({
        scenario: scenario.name,
        provider,
        expected: scenario.expected,
        got: `error: ${(error as Error).message}`,
        documents: 0,
        sms: '',
        ok: false,
      });
    }
  }
}

for (const deployment of deployments) await deployment.backend?.close();
await emulatorServer.close();
rmSync(workDir, { recursive: true, force: true });

const shorten = (text: string) => text.replace(/https?:\/\/\S+/g, '<link>');
const table = [
  ['scenario', 'provider', 'expected', 'final status (reason)', 'docs', 'SMS to the customer', ''],
  ...rows.map((r) => [
    r.scenario,
    r.provider,
    r.expected,
    r.got,
    String(r.documents),
    shorten(r.sms),
    r.ok ? 'ok' : 'MISMATCH',
  ]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log('');
for (const [i, row] of table.entries()) {
  console.log(
    row
      .map((cell, j) => cell.padEnd(widths[j]!))
      .join('  ')
      .trimEnd(),
  );
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
const failed = rows.filter((r) => !r.ok).length;
console.log(
  `\n${rows.length - failed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
process.exit(failed === 0 ? 0 : 1);
