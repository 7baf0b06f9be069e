/**
 * The scripts the cold-start benches run in fresh `node` processes, one per
 * run: what a serverless webhook receiver does first (import, create the
 * provider, verify one delivery) and what a process that calls the API does
 * first (import, create, one `GET /applicants` against a local stub).
 *
 * Every script prints one JSON line: `phases` (milliseconds, in the order they
 * ran, timed with `performance.now()` inside the child), `total` (their sum)
 * and `check` (a value the parent compares, so a contender that did not do the
 * work fails the bench instead of winning it). Fixtures (the body, its
 * signature) are made by the parent, so no contender's code signs them.
 *
 * @module
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One contender of a scenario: a label and the ESM script a child runs. */
export interface Scenario {
  label: string;
  /** The official client, the baseline of the ratios. */
  official?: boolean;
  /** The floor: the least any contender can do (not compared). */
  floor?: boolean;
  /** Ours with axios loaded before the timed call (reported, not judged). */
  preloaded?: boolean;
  script: string;
}

/** What a scenario's child prints. */
export interface ScenarioRun {
  phases: Record<string, number>;
  total: number;
  check: string;
}

/** Script lines that time `phases` and print the result line. */
const PRELUDE = [
  'const phases = {};',
  'let mark = performance.now();',
  'const lap = (name) => { const now = performance.now(); phases[name] = now - mark; mark = now; };',
];
const done = (check: string) =>
  `console.log(JSON.stringify({ phases, total: Object.values(phases).reduce((a, b) => a + b, 0), check: String(${check}) }));`;

/** A signed Onfido `check.completed` delivery. */
export interface WebhookFixture {
  token: string;
  body: string;
  signature: string;
  checkId: string;
}

/** A delivery in the shape Onfido sends, signed as Onfido signs it (HMAC-SHA256, hex). */
export function webhookFixture(): WebhookFixture {
  const token = 'bench-onfido-webhook-token-7c2e91d4a0b3';
  const checkId = randomUUID();
  const body = JSON.stringify({
    payload: {
      resource_type: 'check',
      action: 'check.completed',
      object: {
        id: checkId,
        status: 'complete',
        completed_at_iso8601: '2026-01-01T00:00:00Z',
        href: `https://api.eu.onfido.com/v3.6/checks/${checkId}`,
      },
    },
  });
  const signature = createHmac('sha256', token).update(body).digest('hex');
  return { token, body, signature, checkId };
}

/** Import + create + verify one webhook: ours (two ways), the official client, the floor. */
export function webhookScenarios(f: WebhookFixture): Scenario[] {
  const fixture = [
    `const token = ${JSON.stringify(f.token)};`,
    `const body = Buffer.from(${JSON.stringify(f.body)});`,
    `const headers = { 'content-type': 'application/json', 'x-sha2-signature': ${JSON.stringify(f.signature)} };`,
  ];
  const options = `{ apiToken: 'bench-api-token', verificationSiteUrl: 'https://verify.example.com/', webhookToken: token }`;
  return [
    {
      label: 'idv-providers/onfido: onfido() + verifyWebhook',
      script: [
        ...fixture,
        ...PRELUDE,
        "const { onfido } = await import('idv-providers/onfido');",
        "lap('import');",
        `const idv = onfido(${options});`,
        "lap('create');",
        'const event = await idv.verifyWebhook({ body, headers });',
        "lap('verify');",
        done('event.session.attemptId'),
      ].join('\n'),
    },
    {
      label: 'idv-providers: createProvider() + verifyWebhook',
      script: [
        ...fixture,
        ...PRELUDE,
        "const { createProvider } = await import('idv-providers');",
        "lap('import');",
        `const idv = await createProvider({ provider: 'onfido', ...${options} });`,
        "lap('create');",
        'const event = await idv.verifyWebhook({ body, headers });',
        "lap('verify');",
        done('event.session.attemptId'),
      ].join('\n'),
    },
    {
      label: '@onfido/api: WebhookEventVerifier',
      official: true,
      script: [
        ...fixture,
        ...PRELUDE,
        "const { WebhookEventVerifier } = await import('@onfido/api');",
        "lap('import');",
        'const verifier = new WebhookEventVerifier(token);',
        "lap('create');",
        "const event = verifier.readPayload(body, headers['x-sha2-signature']);",
        "lap('verify');",
        done('event.payload.object.id'),
      ].join('\n'),
    },
    {
      label: 'floor: node:crypto HMAC + JSON.parse',
      floor: true,
      script: [
        ...fixture,
        ...PRELUDE,
        "const { createHmac, timingSafeEqual } = await import('node:crypto');",
        "lap('import');",
        "const expected = Buffer.from(headers['x-sha2-signature'], 'hex');",
        "lap('create');",
        "const mac = createHmac('sha256', token).update(body).digest();",
        "if (!timingSafeEqual(mac, expected)) throw new Error('bad signature');",
        'const event = JSON.parse(body.toString());',
        "lap('verify');",
        done('event.payload.object.id'),
      ].join('\n'),
    },
  ];
}

/**
 * Import + create + the first API call (and a second, for the steady cost):
 * ours, the official client, and ours again with axios required before the
 * first call (from where the package requires it, so the call finds it
 * loaded): the first call's cost without the lazy load, and the load's own.
 */
export function firstCallScenarios(baseUrl: string): Scenario[] {
  const base = JSON.stringify(baseUrl);
  /** Our script; `beforeCall` runs (and is timed) between creation and the first call. */
  const ours = (beforeCall: readonly string[]) =>
    [
      ...PRELUDE,
      "const { onfido } = await import('idv-providers/onfido');",
      "lap('import');",
      `const idv = onfido({ apiToken: 'bench-api-token', verificationSiteUrl: 'https://verify.example.com/', baseUrl: ${base}, maxRetries: 0 });`,
      "lap('create');",
      ...beforeCall,
      'const first = await idv.checkConnection();',
      "lap('first call');",
      'await idv.checkConnection();',
      "lap('second call');",
      done('first.ok'),
    ].join('\n');
  return [
    { label: 'idv-providers/onfido: checkConnection', script: ours([]) },
    {
      label: '@onfido/api: listApplicants',
      official: true,
      script: [
        ...PRELUDE,
        "const { Configuration, DefaultApi } = await import('@onfido/api');",
        "lap('import');",
        `const api = new DefaultApi(new Configuration({ apiToken: 'bench-api-token', basePath: ${base} }));`,
        "lap('create');",
        'const first = await api.listApplicants(1, 1);',
        "lap('first call');",
        'await api.listApplicants(1, 1);',
        "lap('second call');",
        done('Array.isArray(first.data.applicants)'),
      ].join('\n'),
    },
    {
      label: 'idv-providers/onfido: checkConnection, axios loaded first',
      preloaded: true,
      script: ours([
        "const { createRequire } = await import('node:module');",
        "createRequire(import.meta.resolve('idv-providers/onfido'))('axios');",
        "lap('axios');",
      ]),
    },
  ];
}

/** A stub of Onfido's `GET /v3.6/applicants` on 127.0.0.1 (an empty page); anything else is 404. */
export async function startApplicantsStub(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v3.6/applicants') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"applicants":[]}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"type":"resource_not_found","message":"not found"}}');
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v3.6`,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
