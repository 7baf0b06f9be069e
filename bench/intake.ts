/**
 * Intake throughput and answer time: 1,000 concurrent webhooks over real HTTP.
 *
 * The server (this thread) is node:http on 127.0.0.1 with the node adapter and
 * a provider whose `verifyWebhook` checks a real HMAC-SHA256 signature over
 * the raw body. The load generator runs in a worker thread with its own event
 * loop, opens one connection per webhook (as a provider does) and fires all
 * 1,000 at once; the answer time is what the sender sees, from sending the
 * request to the end of the answer, queueing for a connection included.
 * "server p99" is the time inside the server only: from the request reaching
 * the listener to its answer being written (body read, verify, record). The processor is not running: this
 * measures the path a provider waits on (verify, record, answer).
 *
 * Stores compared: the in-memory store (the baseline), and the SQLite store in
 * a temporary file with `synchronous = FULL` (its default) and `NORMAL`.
 *
 * Run: `npx tsx bench/intake.ts` (ROUNDS=n to change the rounds per store).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  bodyBytes,
  createMemoryStore,
  createSqliteStore,
  createWebhookHandler,
  type EventStore,
  headerValue,
  type IdentityVerificationProvider,
  toNodeListener,
  WebhookVerificationError,
} from 'idv-providers';

const CONCURRENT = 1000;
const ROUNDS = Math.max(1, Math.min(15, Number(process.env['ROUNDS'] ?? 5)));
const WARMUP = CONCURRENT;
const SECRET = 'bench-webhook-secret-0123456789abcdef';
const DEADLINE_MS = 180_000;

/** A provider whose webhooks are Onfido-shaped and signed with HMAC-SHA256 (hex). */
function hmacProvider(): IdentityVerificationProvider {
  const unused = async (): Promise<never> => {
    throw new Error('not used by the bench');
  };
  return {
    name: 'bench',
    capabilities: {
      signedWebhooks: true,
      requiresCompleteCapture: false,
      hostedCapture: false,
      sdkToken: false,
    },
    async verifyWebhook(request) {
      const header = headerValue(request.headers, 'x-sha2-signature') ?? '';
      const given = Buffer.from(header, 'hex');
      const expected = createHmac('sha256', SECRET).update(bodyBytes(request.body)).digest();
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new WebhookVerificationError('[idv] [bench] bad signature', {
          provider: 'bench',
          reason: 'bad_signature',
        });
      }
      const { payload } = JSON.parse(bodyBytes(request.body).toString('utf8')) as {
        payload: { action: string; object: { id: string } };
      };
      return {
        provider: 'bench',
        type: payload.action,
        dedupeKey: `bench:${payload.action}:${payload.object.id}`,
        session: { provider: 'bench', attemptId: payload.object.id },
        actionable: true,
      };
    },
    startVerification: unused,
    completeCapture: unused,
    getResult: unused,
    listDocuments: unused,
    downloadDocument: unused,
    checkConnection: unused,
  };
}

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

function deliveries(prefix: string, count: number): Delivery[] {
  return Array.from({ length: count }, (_, i) => {
    const body = JSON.stringify({
      payload: {
        resource_type: 'check',
        action: 'check.completed',
        object: {
          id: `${prefix}-${i}`,
          status: 'complete',
          completed_at_iso8601: '2026-01-01T00:00:00Z',
          href: `https://api.eu.onfido.com/v3.6/checks/${prefix}-${i}`,
        },
      },
    });
    const signature = createHmac('sha256', SECRET).update(body).digest('hex');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'x-sha2-signature': signature,
      },
    };
  });
}

/** The load generator, plain JavaScript for a worker thread. */
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, deliveries } = workerData;
const latencies = new Array(deliveries.length);
const statuses = {};
let done = 0;
const started = performance.now();
deliveries.forEach((d, i) => {
  const t0 = performance.now();
  const req = http.request({ host: '127.0.0.1', port, path: '/webhooks/bench', method: 'POST',
    headers: d.headers, agent: false }, (res) => {
    res.resume();
    res.on('end', () => {
      latencies[i] = performance.now() - t0;
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      if (++done === deliveries.length) {
        parentPort.postMessage({ latencies, statuses, wallMs: performance.now() - started });
      }
    });
  });
  req.on('error', (e) => {
    latencies[i] = performance.now() - t0;
    statuses[e.code || 'error'] = (statuses[e.code || 'error'] || 0) + 1;
    if (++done === deliveries.length) {
      parentPort.postMessage({ latencies, statuses, wallMs: performance.now() - started });
    }
  });
  req.end(d.body);
});
`;

interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  wallMs: number;
}

async function fire(port: number, batch: Delivery[]): Promise<LoadResult> {
  const worker = new Worker(LOAD, { eval: true, workerData: { port, deliveries: batch } });
  const [result] = (await once(worker, 'message')) as [LoadResult];
  await worker.terminate();
  return result;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** p99 of the time inside the server (request handed to the listener → answer written). */
  serverP99: number;
}

interface Target {
  name: string;
  store: EventStore;
  port: number;
  close: () => void;
  rounds: Row[];
  /** Time inside the server per request (listener called → answer written), this round. */
  serverMs: number[];
}

async function serve(name: string, store: EventStore): Promise<Target> {
  const handler = createWebhookHandler({ provider: hmacProvider(), store });
  const listener = toNodeListener(handler);
  const target: Target = { name, store, port: 0, close: () => {}, rounds: [], serverMs: [] };
  const server = createServer((req, res) => {
    const t0 = performance.now();
    res.on('finish', () => target.serverMs.push(performance.now() - t0));
    listener(req, res);
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  await once(server, 'listening');
  target.port = (server.address() as AddressInfo).port;
  target.close = () => {
    server.closeAllConnections();
    server.close();
  };
  return target;
}

async function round(target: Target, label: string, count: number): Promise<Row> {
  target.serverMs = [];
  const result = await fire(target.port, deliveries(`${target.name}-${label}`, count));
  if (result.statuses['200'] !== count) {
    throw new Error(
      `${target.name}: expected ${count} answers 200, got ${JSON.stringify(result.statuses)}`,
    );
  }
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    name: target.name,
    rps: count / (result.wallMs / 1000),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    serverP99: percentile(
      [...target.serverMs].sort((a, b) => a - b),
      99,
    ),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(9);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'idv-intake-bench-'));
  const targets: Target[] = [];
  try {
    targets.push(await serve('memory (baseline)', createMemoryStore()));
    for (const synchronous of ['full', 'normal'] as const) {
      const path = join(dir, `events-${synchronous}.sqlite`);
      targets.push(
        await serve(`sqlite sync=${synchronous}`, await createSqliteStore({ path, synchronous })),
      );
    }
    for (const target of targets) await round(target, 'warmup', WARMUP);
    // Stores take turns round by round, so load from elsewhere on the machine
    // falls on all of them alike.
    for (let r = 0; r < ROUNDS; r++) {
      for (const target of targets) target.rounds.push(await round(target, `r${r}`, CONCURRENT));
    }
    for (const target of targets) {
      const expected = WARMUP + ROUNDS * CONCURRENT;
      const { queued } = await target.store.counts();
      if (queued !== expected) {
        throw new Error(`${target.name}: expected ${expected} recorded events, found ${queued}`);
      }
    }
    const rows = targets.map(
      (target): Row => ({
        name: target.name,
        rps: median(target.rounds.map((row) => row.rps)),
        p50: median(target.rounds.map((row) => row.p50)),
        p95: median(target.rounds.map((row) => row.p95)),
        p99: median(target.rounds.map((row) => row.p99)),
        serverP99: median(target.rounds.map((row) => row.serverP99)),
      }),
    );
    const base = rows[0]!;
    console.log(
      `intake: ${CONCURRENT} concurrent webhooks over HTTP (one connection each), HMAC-SHA256 ` +
        `verified; medians of ${ROUNDS} rounds per store; node ${process.version}`,
    );
    console.log(
      `${'store'.padEnd(20)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}` +
        `${'p99 ms'.padStart(9)}${'server p99'.padStart(12)}${'req/s vs base'.padStart(15)}` +
        `${'p99 vs base'.padStart(13)}`,
    );
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(20)}${fmt(row.rps, 0)}${fmt(row.p50)}${fmt(row.p95)}${fmt(row.p99)}` +
          `${row.serverP99.toFixed(2).padStart(12)}` +
          `${`${(row.rps / base.rps).toFixed(2)}x`.padStart(15)}` +
          `${`${(row.p99 / base.p99).toFixed(2)}x`.padStart(13)}`,
      );
    }
    const spread = targets.map(
      (t) =>
        `${t.name}: req/s ${Math.round(Math.min(...t.rounds.map((r) => r.rps)))}-` +
        `${Math.round(Math.max(...t.rounds.map((r) => r.rps)))}, p99 ` +
        `${Math.min(...t.rounds.map((r) => r.p99)).toFixed(0)}-` +
        `${Math.max(...t.rounds.map((r) => r.p99)).toFixed(0)} ms`,
    );
    console.log(`range over rounds: ${spread.join('; ')}`);
  } finally {
    for (const target of targets) {
      target.close();
      await target.store.close();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

const deadline = setTimeout(() => {
  console.error(`bench: gave up after ${DEADLINE_MS / 1000} s`);
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
