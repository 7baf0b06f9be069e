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
 * travel over HTTP from the emulators to the server. Then one server for two
 * organisations (org-eu on Onfido EU, org-jumio on Jumio, from a tenants
 * file) runs scenarios for each, and a webhook of one organisation sent to the
 * other's routes must be refused and recorded nowhere. Exits non-zero on any
 * outcome other than the expected one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FinalStatus, ReasonCode } from 'idv-providers';
import { createTestClock, serveEmulators } from 'idv-providers/testing';
import {
  type EmulatedDeployment,
  type EmulatedOrganisations,
  ORGANISATIONS,
  type OrganisationId,
  PUBLIC_HOST,
  startEmulatedDeployment,
  startEmulatedOrganisations,
} from './emulated';
import { ROUTES, smsText } from './server';

interface Scenario {
  name: string;
  reason: ReasonCode;
  autoRegistration: boolean;
  expected: FinalStatus;
  /** The customer never opens the texted link: only the intake's deadline says what became of it. */
  neverOpened?: boolean;
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
  {
    name: 'EXPIRED, link never opened',
    reason: 'EXPIRED',
    autoRegistration: true,
    expected: 'retry',
    neverOpened: true,
  },
];
const PROVIDERS = ['onfido', 'jumio'] as const;
const shorten = (text: string) => text.replace(/https?:\/\/\S+/g, '<link>');

const started = performance.now();
const verbose = process.argv.includes('--verbose');
const log = (line: string) => {
  if (verbose || line.startsWith('[demo]')) console.log(line);
};
const clock = createTestClock({ start: Date.UTC(2026, 10, 22, 9, 0, 0) });
const workDir = mkdtempSync(join(tmpdir(), 'idv-demo-'));
const operatorKey = randomBytes(24).toString('base64url');
const linkKey = randomBytes(48).toString('base64url');

interface Deployment extends EmulatedDeployment {
  autoRegistration: boolean;
}

const deployments: Deployment[] = [];
let organisations: EmulatedOrganisations | undefined;
const emulatorServer = await serveEmulators({
  handlers: () =>
    [...deployments, ...Object.values(organisations?.organisations ?? {})].flatMap(
      (d) => d.emulator.handlers,
    ),
});

for (const provider of PROVIDERS) {
  for (const autoRegistration of [false, true]) {
    const emulatorBaseUrl = `${emulatorServer.url}/${provider}-${autoRegistration ? 'auto' : 'manual'}`;
    const deployment = await startEmulatedDeployment({
      provider,
      autoRegistration,
      clock,
      emulatorBaseUrl,
      storePath: join(workDir, `${provider}-${autoRegistration}.sqlite`),
      linkKey,
      operatorKey,
      log,
    });
    deployments.push(Object.assign(deployment, { autoRegistration }));
    log(
      `[demo] ${provider} (auto-registration ${autoRegistration ? 'on' : 'off'}): server ${deployment.url}, emulator ${emulatorBaseUrl}`,
    );
  }
}

// One server for two organisations, each on its own provider account, from a tenants file.
organisations = await startEmulatedOrganisations({
  autoRegistration: true,
  clock,
  emulatorBaseUrl: `${emulatorServer.url}/organisations`,
  storePath: join(workDir, 'organisations.sqlite'),
  tenantsPath: join(workDir, 'tenants.json'),
  linkKey,
  operatorKey,
  log,
});
log(
  `[demo] organisations ${Object.keys(ORGANISATIONS).join(', ')}: one server ${organisations.url}, emulators ${emulatorServer.url}/organisations/<organisation>`,
);
/** The scenarios every organisation of the shared server runs. */
const ORGANISATION_SCENARIOS = SCENARIOS.filter((s) =>
  [
    'CLEAR, auto-registration on',
    'SUSPECTED_COMPROMISED_DOCUMENT',
    'EXPIRED, link never opened',
  ].includes(s.name),
);

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
  const phoneNumber = `+4207770${String(n).padStart(5, '0')}`;
  const identity = await deployment.startVerification(phoneNumber);
  emulator.setVerdict(identity.session.subjectId, { reason: scenario.reason });
  const link = new URL(identity.link);
  const token = link.searchParams.get('token') ?? '';

  if (scenario.neverOpened === true) {
    // Nobody opens the link and no webhook comes: the intake's deadline reports it ran out.
    clock.advance(91 * 60 * 1000);
    const stale = await call(`${url}${link.pathname}${link.search}`);
    if (stale.status !== 410) throw new Error(`an expired link answered HTTP ${stale.status}`);
  } else {
    await customerTakesPart(deployment, scenario, link, token);
  }
  return finish(deployment, phoneNumber, identity.id, link);
}

/** The customer opens the texted link (rewritten from the public host to this server), captures, and submits. */
async function customerTakesPart(
  deployment: Deployment,
  scenario: Scenario,
  link: URL,
  token: string,
): Promise<void> {
  const { url } = deployment;
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
    // The customer never finishes; the link runs out, and the intake's deadline says so.
    clock.advance(91 * 60 * 1000);
    const stale = await call(`${url}${link.pathname}${link.search}`);
    if (stale.status !== 410) throw new Error(`an expired link answered HTTP ${stale.status}`);
  } else {
    const submitted = await post(ROUTES.submit);
    if (submitted.status !== 200)
      throw new Error(`submit failed: HTTP ${submitted.status} ${submitted.text}`);
  }
}

/** Waits for the identity's final state and checks what the customer was sent. */
async function finish(deployment: Deployment, phoneNumber: string, id: string, link: URL) {
  const { emulator, url } = deployment;
  const final = await deployment.finalIdentity(id);
  for (const kept of final.documents) {
    const served = emulator.servedBytes(kept.id);
    if (served === undefined || served.byteLength !== kept.bytes) {
      throw new Error(`document ${kept.id} differs from what was served`);
    }
  }
  const sms = deployment.sms.lastTo(phoneNumber) ?? '';
  if (final.state === 'retry') {
    // The fresh link in the message opens the capture page; the old one no longer does.
    const fresh = new URL(sms.match(/https?:\/\/\S+/)?.[0] ?? 'http://missing.invalid/');
    const reopened = await call(`${url}${fresh.pathname}${fresh.search}`);
    if (reopened.status !== 200 || !reopened.text.includes('data-testid="capture"')) {
      throw new Error(`the fresh link answered HTTP ${reopened.status} without the capture page`);
    }
    const old = await call(`${url}${link.pathname}${link.search}`);
    if (old.status === 200) throw new Error('the replaced link still opens');
  }
  return { identity: final, sms };
}

const rows: Array<{
  /** Set for the rows of the shared server's organisations. */
  organisation?: string;
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
      const ok =
        identity.state === scenario.expected &&
        identity.reason === scenario.reason &&
        shorten(sms) ===
          shorten(smsText({ status: scenario.expected, reason: scenario.reason }, 'https://x'));
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

const shared = organisations;
for (const scenario of ORGANISATION_SCENARIOS) {
  for (const organisation of Object.keys(ORGANISATIONS) as OrganisationId[]) {
    const deployment = Object.assign(shared.organisations[organisation], {
      autoRegistration: scenario.autoRegistration,
    });
    const row = { organisation, scenario: scenario.name, provider: deployment.provider };
    try {
      const { identity, sms } = await runScenario(deployment, scenario, n++);
      const ok =
        identity.state === scenario.expected &&
        identity.reason === scenario.reason &&
        shorten(sms) ===
          shorten(smsText({ status: scenario.expected, reason: scenario.reason }, 'https://x'));
      rows.push({
        ...row,
        expected: scenario.expected,
        got: `${identity.state} (${identity.reason})`,
        documents: identity.documents.length,
        sms,
        ok,
      });
    } catch (error) {
      rows.push({
        ...row,
        expected: scenario.expected,
        got: `error: ${(error as Error).message}`,
        documents: 0,
        sms: '',
        ok: false,
      });
    }
  }
}

/** org-eu's last webhook, sent to org-jumio's routes and to an unknown organisation's: refused, recorded nowhere. */
async function sentElsewhere(shared: EmulatedOrganisations): Promise<number[]> {
  const webhook = shared.organisations['org-eu'].emulator
    .deliveries()
    .filter((d) => d.answeredStatus === 200)
    .at(-1);
  if (webhook === undefined) throw new Error('org-eu received no webhook');
  // Events recorded, in any state: the processor moving earlier events between states while
  // these are sent changes the counts by state, never their total.
  const recorded = async () =>
    Object.values(await shared.store.counts()).reduce((sum, n) => sum + n, 0);
  const before = await recorded();
  const statuses: number[] = [];
  for (const path of [
    `${ROUTES.onfidoWebhook}/org-jumio`,
    `${ROUTES.jumioCallback}/org-jumio`,
    `${ROUTES.onfidoWebhook}/org-unknown`,
  ]) {
    statuses.push((await shared.forward({ ...webhook, url: PUBLIC_HOST + path })) ?? 0);
  }
  if (statuses.some((status) => status < 400)) {
    throw new Error(`a webhook sent to another organisation answered ${statuses.join(', ')}`);
  }
  if ((await recorded()) !== before) {
    throw new Error('a webhook sent to another organisation was recorded');
  }
  return statuses;
}
try {
  const statuses = await sentElsewhere(shared);
  rows.push({
    organisation: 'org-jumio',
    scenario: "org-eu's webhook sent here",
    provider: 'onfido',
    expected: 'refused',
    got: `refused (HTTP ${statuses.join(', ')}), not recorded`,
    documents: 0,
    sms: '',
    ok: true,
  });
} catch (error) {
  rows.push({
    organisation: 'org-jumio',
    scenario: "org-eu's webhook sent here",
    provider: 'onfido',
    expected: 'refused',
    got: `error: ${(error as Error).message}`,
    documents: 0,
    sms: '',
    ok: false,
  });
}

for (const deployment of deployments) await deployment.close();
await shared.close();
await emulatorServer.close();
rmSync(workDir, { recursive: true, force: true });

/** Prints rows as a table, columns as wide as their widest cell. */
function printTable(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const [i, row] of table.entries()) {
    console.log(
      row
        .map((cell, j) => cell.padEnd(widths[j]!))
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
const cells = (r: (typeof rows)[number]) => [
  r.scenario,
  r.provider,
  r.expected,
  r.got,
  String(r.documents),
  shorten(r.sms),
  r.ok ? 'ok' : 'MISMATCH',
];
console.log('');
printTable([
  ['scenario', 'provider', 'expected', 'final status (reason)', 'docs', 'SMS to the customer', ''],
  ...rows.filter((r) => r.organisation === undefined).map(cells),
]);
console.log('\none server, two organisations (org-eu on Onfido EU, org-jumio on Jumio):\n');
printTable([
  [
    'organisation',
    'scenario',
    'provider',
    'expected',
    'final status (reason)',
    'docs',
    'SMS to the customer',
    '',
  ],
  ...rows
    .filter((r) => r.organisation !== undefined)
    .map((r) => [r.organisation ?? '', ...cells(r)]),
]);
const failed = rows.filter((r) => !r.ok).length;
console.log(
  `\n${rows.length - failed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
process.exit(failed === 0 ? 0 : 1);
