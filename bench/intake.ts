/**
 * Intake throughput and answer time: 1,000 concurrent webhooks over real HTTP.
 *
 * The server (this thread) is node:http on 127.0.0.1 with the node adapter and
 * the Onfido adapter (`onfido({ webhookToken })`), so every delivery is
 * verified as in production: signature header, HMAC-SHA256 over the raw body,
 * JSON and schema. The load generator runs in a worker thread with its own event
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
 * Run: `npx tsx bench/intake.ts` (INTAKE_ROUNDS=n to change the rounds per store, default 7).
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryStore,
  createSqliteStore,
  createWebhookHandler,
  type EventStore,
  type IdentityVerificationProvider,
  toNodeListener,
} from 'idv-providers';
import { onfido } from 'idv-providers/onfido';
import { isMain } from './lib/child';
import { ms, num, table, times } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';
import { median, percentile } from './lib/stats';
import { BENCH_WEBHOOK_TOKEN, fireWebhooks, onfidoDeliveries } from './lib/webhook-load';

const CONCURRENT = 1000;
const ROUNDS = Math.max(1, Math.min(15, Number(process.env['INTAKE_ROUNDS'] ?? 7)));
const WARMUP = CONCURRENT;
const DEADLINE_MS = 180_000;

/** The Onfido adapter, as a host configures it to receive webhooks. */
function onfidoProvider(): IdentityVerificationProvider {
  return onfido({
    apiToken: 'bench-api-token',
    verificationSiteUrl: 'https://verify.example.com/',
    webhookToken: BENCH_WEBHOOK_TOKEN,
  });
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
  const handler = createWebhookHandler({ provider: onfidoProvider(), store });
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
  const result = await fireWebhooks(
    [target.port],
    onfidoDeliveries(`${target.name}-${label}`, count),
  );
  if (result.statuses['200'] !== count) {
    throw new Error(
      `${target.name}: expected ${count} answers 200, got ${JSON.stringify(result.statuses)}`,
    );
  }
  return {
    name: target.name,
    rps: count / (result.wallMs / 1000),
    p50: percentile(result.latencies, 50),
    p95: percentile(result.latencies, 95),
    p99: percentile(result.latencies, 99),
    serverP99: percentile(target.serverMs, 99),
  };
}

/** Runs the intake bench: the in-memory store (baseline) and SQLite, taking turns. */
export async function benchIntake(): Promise<BenchResult> {
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
    const [base, full] = rows as [Row, Row];
    const spread = (t: Target, pick: (row: Row) => number) => {
      const values = t.rounds.map(pick);
      return `${num(Math.min(...values))}-${num(Math.max(...values))}`;
    };
    const details = [
      `${num(CONCURRENT)} concurrent Onfido webhooks over HTTP on 127.0.0.1 (one connection ` +
        `each), verified by onfido().verifyWebhook; medians of ${ROUNDS} rounds per store, ` +
        `stores taking turns; node ${process.version}`,
      table(
        [
          'store',
          'req/s',
          'range',
          'p50',
          'p95',
          'p99',
          'p99 range',
          'server p99',
          'req/s vs base',
          'p99 vs base',
        ],
        rows.map((row, i) => [
          row.name,
          num(row.rps),
          spread(targets[i]!, (x) => x.rps),
          ms(row.p50),
          ms(row.p95),
          ms(row.p99),
          spread(targets[i]!, (x) => x.p99),
          ms(row.serverP99),
          times(row.rps, base.rps),
          times(row.p99, base.p99),
        ]),
        new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      ),
      'p50/p95/p99: answer time seen by the sender (queueing for a connection included); ' +
        'server p99: from the listener being called to the answer written.',
    ].join('\n');
    const bench = `intake ${num(CONCURRENT)} concurrent webhooks`;
    const summary: SummaryRow[] = [
      {
        bench,
        metric: 'webhooks/s (higher better)',
        subject: 'SQLite store (sync=full)',
        ours: full.rps,
        oursText: num(full.rps),
        baseline: 'in-memory store',
        baselineValue: base.rps,
        baselineText: num(base.rps),
      },
      {
        bench,
        metric: 'p99 answer time (lower better)',
        subject: 'SQLite store (sync=full)',
        ours: full.p99,
        oursText: ms(full.p99),
        baseline: 'in-memory store',
        baselineValue: base.p99,
        baselineText: ms(base.p99),
      },
    ];
    return { title: 'webhook intake into the SQLite store', details, rows: summary };
  } finally {
    for (const target of targets) {
      target.close();
      await target.store.close();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const deadline = setTimeout(() => {
    console.error(`bench: gave up after ${DEADLINE_MS / 1000} s`);
    process.exit(2);
  }, DEADLINE_MS);
  deadline.unref();
  const result = await benchIntake();
  console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
}
