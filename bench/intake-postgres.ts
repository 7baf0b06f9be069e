/**
 * Intake throughput and answer time with 1, 2 and 4 server processes sharing
 * one store: PostgreSQL against the SQLite store (the baseline), in the same run.
 *
 * Each server process is node:http on 127.0.0.1 with the node adapter and the
 * Onfido adapter (`onfido({ webhookToken })`), as in `bench/intake.ts`: every
 * delivery is verified (signature, HMAC-SHA256 over the raw body, JSON,
 * schema) and recorded before its answer; no processor runs. The processes of
 * one configuration share one store: one PostgreSQL table, or one SQLite file
 * (WAL, `synchronous = FULL`, its default). A load generator in a worker
 * thread fires `CONCURRENT` webhooks at once, one connection each, spread
 * round-robin over the processes; the answer time is what the sender sees.
 *
 * The PostgreSQL server is a throwaway cluster started here with `fsync` on
 * (a commit waits for its WAL flush, as SQLite's FULL waits for its sync), in
 * the same temporary file system as the SQLite files; `IDV_POSTGRES_URL` uses
 * a server of your own instead. Without PostgreSQL's server binaries the bench
 * prints why and skips (fails under `IDV_REQUIRE_POSTGRES=1`).
 *
 * Run: `npx tsx bench/intake-postgres.ts` (INTAKE_PG_ROUNDS=n rounds, default 5;
 * INTAKE_PG_CONCURRENT=n webhooks per round, default 1000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  createPostgresStore,
  createSqliteStore,
  createWebhookHandler,
  type EventStore,
  toNodeListener,
} from 'idv-providers';
import { onfido } from 'idv-providers/onfido';
import pg from 'pg';
import {
  findPostgresBinaries,
  INSTALL_HINT,
  type PostgresCluster,
  startPostgresCluster,
} from '../test/postgres-cluster';
import { argValue, isMain, tsxArgs } from './lib/child';
import { ms, num, table, times } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';
import { median, percentile } from './lib/stats';
import { BENCH_WEBHOOK_TOKEN, fireWebhooks, onfidoDeliveries } from './lib/webhook-load';

const CONCURRENT = Math.max(10, Number(process.env['INTAKE_PG_CONCURRENT'] ?? 1000));
const ROUNDS = Math.max(1, Math.min(15, Number(process.env['INTAKE_PG_ROUNDS'] ?? 5)));
const PROCESSES = [1, 2, 4] as const;
const DEADLINE_MS = 300_000;
const SCRIPT = fileURLToPath(import.meta.url);

type Kind = 'sqlite' | 'postgres';
interface ServeConfig {
  kind: Kind;
  /** The SQLite file, or the PostgreSQL URL. */
  where: string;
  tableName?: string;
}

// ---- the server process --------------------------------------------------

async function serveChild(config: ServeConfig): Promise<void> {
  const store: EventStore =
    config.kind === 'sqlite'
      ? await createSqliteStore({ path: config.where })
      : await createPostgresStore({
          connectionString: config.where,
          ...(config.tableName === undefined ? {} : { tableName: config.tableName }),
        });
  const provider = onfido({
    apiToken: 'bench-api-token',
    verificationSiteUrl: 'https://verify.example.com/',
    webhookToken: BENCH_WEBHOOK_TOKEN,
  });
  const server = createServer(toNodeListener(createWebhookHandler({ provider, store })));
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    void store.close().then(() => process.exit(0));
  });
}

// ---- the driver ------------------------------------------------------------

interface Server {
  child: ChildProcess;
  port: number;
}

async function startServer(config: ServeConfig): Promise<Server> {
  const child = spawn(process.execPath, tsxArgs(SCRIPT, [`--serve=${JSON.stringify(config)}`]), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { port: number }).port),
    );
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}): ${stderr}`)));
  });
  return { child, port };
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
}

interface Target {
  kind: Kind;
  processes: number;
  servers: Server[];
  rounds: Round[];
  /** Counts the events recorded, to check every 200 was stored. */
  count: () => Promise<number>;
}

const label = (t: Pick<Target, 'kind' | 'processes'>) =>
  `${t.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} x${t.processes}`;

async function round(target: Target, name: string, count: number): Promise<Round> {
  const result = await fireWebhooks(
    target.servers.map((s) => s.port),
    onfidoDeliveries(`${target.kind}-${target.processes}-${name}`, count),
  );
  if (result.statuses['200'] !== count) {
    throw new Error(
      `${label(target)}: expected ${count} answers 200, got ${JSON.stringify(result.statuses)}`,
    );
  }
  return {
    rps: count / (result.wallMs / 1000),
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
  };
}

function skipped(reason: string): BenchResult {
  if (process.env['IDV_REQUIRE_POSTGRES'] === '1') {
    throw new Error(`IDV_REQUIRE_POSTGRES=1, but ${reason}`);
  }
  return {
    title: 'webhook intake, 1/2/4 processes: PostgreSQL vs SQLite',
    details: `SKIPPED: ${reason}. To run it: ${INSTALL_HINT}.`,
    rows: [],
  };
}

/** Runs the bench (see the module description). */
export async function benchIntakePostgres(): Promise<BenchResult> {
  const external = process.env['IDV_POSTGRES_URL'];
  let cluster: PostgresCluster | undefined;
  let serverUrl: string;
  let serverNote: string;
  if (external !== undefined && external !== '') {
    serverUrl = external;
    serverNote = 'the server at IDV_POSTGRES_URL';
  } else {
    const binDir = findPostgresBinaries();
    if (binDir === undefined) return skipped('no PostgreSQL server binaries (initdb, pg_ctl)');
    cluster = await startPostgresCluster({ binDir, fsync: true });
    serverUrl = cluster.url;
    serverNote = `a throwaway PostgreSQL ${cluster.version} cluster (fsync on, default settings otherwise)`;
  }
  const dir = await mkdtemp(join(tmpdir(), 'idv-intake-pg-bench-'));
  const database = `idv_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  admin.on('error', () => {});
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const dbUrl = url.toString();
  const reader = new pg.Pool({ connectionString: dbUrl, max: 1 });
  reader.on('error', () => {});
  const targets: Target[] = [];
  try {
    for (const processes of PROCESSES) {
      // The first process creates the tables; the others open them.
      const path = join(dir, `events-${processes}.sqlite`);
      const tableName = `events_${processes}`;
      const configs: Record<Kind, ServeConfig> = {
        sqlite: { kind: 'sqlite', where: path },
        postgres: { kind: 'postgres', where: dbUrl, tableName },
      };
      for (const kind of ['sqlite', 'postgres'] as const) {
        const first = await startServer(configs[kind]);
        const rest = await Promise.all(
          Array.from({ length: processes - 1 }, () => startServer(configs[kind])),
        );
        targets.push({
          kind,
          processes,
          servers: [first, ...rest],
          rounds: [],
          count:
            kind === 'sqlite'
              ? async () => {
                  const store = await createSqliteStore({ path });
                  const counts = await store.counts();
                  await store.close();
                  return counts.queued;
                }
              : async () =>
                  Number(
                    (await reader.query(`SELECT count(*) AS n FROM "${tableName}"`)).rows[0].n,
                  ),
        });
      }
    }
    for (const target of targets) await round(target, 'warmup', CONCURRENT);
    // Configurations take turns round by round, so load from elsewhere falls on all alike.
    for (let r = 0; r < ROUNDS; r++) {
      for (const target of targets) target.rounds.push(await round(target, `r${r}`, CONCURRENT));
    }
    for (const target of targets) {
      const expected = (ROUNDS + 1) * CONCURRENT;
      const recorded = await target.count();
      if (recorded !== expected) {
        throw new Error(
          `${label(target)}: expected ${expected} recorded events, found ${recorded}`,
        );
      }
    }
    const summary = targets.map((t) => ({
      target: t,
      rps: median(t.rounds.map((x) => x.rps)),
      p50: median(t.rounds.map((x) => x.p50)),
      p99: median(t.rounds.map((x) => x.p99)),
      range: `${num(Math.min(...t.rounds.map((x) => x.rps)))}-${num(Math.max(...t.rounds.map((x) => x.rps)))}`,
    }));
    const find = (kind: Kind, processes: number) =>
      summary.find((s) => s.target.kind === kind && s.target.processes === processes)!;
    const details = [
      `${num(CONCURRENT)} concurrent Onfido webhooks over HTTP on 127.0.0.1 (one connection each, ` +
        `spread round-robin over the processes), verified and recorded; medians of ${ROUNDS} ` +
        `rounds per configuration, configurations taking turns; SQLite: one file shared by the ` +
        `processes, WAL, synchronous=FULL; PostgreSQL: one table on ${serverNote}; ` +
        `node ${process.version}`,
      table(
        [
          'store x processes',
          'req/s',
          'range',
          'p50',
          'p99',
          'req/s vs SQLite',
          'p99 vs SQLite',
          'req/s vs x1',
        ],
        summary.map((s) => {
          const sqlite = find('sqlite', s.target.processes);
          const one = find(s.target.kind, 1);
          return [
            label(s.target),
            num(s.rps),
            s.range,
            ms(s.p50),
            ms(s.p99),
            times(s.rps, sqlite.rps),
            times(s.p99, sqlite.p99),
            times(s.rps, one.rps),
          ];
        }),
        new Set([1, 2, 3, 4, 5, 6, 7]),
      ),
      'p50/p99: answer time seen by the sender (queueing for a connection included).',
    ].join('\n');
    const bench = `intake ${num(CONCURRENT)} webhooks, shared store`;
    const rows: SummaryRow[] = PROCESSES.flatMap((processes): SummaryRow[] => {
      const ours = find('postgres', processes);
      const base = find('sqlite', processes);
      return [
        {
          bench,
          metric: `webhooks/s, ${processes} process${processes === 1 ? '' : 'es'} (higher better)`,
          subject: 'PostgreSQL store',
          ours: ours.rps,
          oursText: num(ours.rps),
          baseline: 'SQLite store',
          baselineValue: base.rps,
          baselineText: num(base.rps),
        },
        {
          bench,
          metric: `p99 answer, ${processes} process${processes === 1 ? '' : 'es'} (lower better)`,
          subject: 'PostgreSQL store',
          ours: ours.p99,
          oursText: ms(ours.p99),
          baseline: 'SQLite store',
          baselineValue: base.p99,
          baselineText: ms(base.p99),
        },
      ];
    });
    return {
      title: 'webhook intake, 1/2/4 processes sharing a store: PostgreSQL vs SQLite',
      details,
      rows,
    };
  } finally {
    for (const target of targets) {
      for (const server of target.servers) {
        server.child.kill('SIGTERM');
        if (server.child.exitCode === null) await once(server.child, 'exit');
      }
    }
    await reader.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    await admin.end();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const serve = argValue('serve');
if (serve !== undefined) {
  await serveChild(JSON.parse(serve) as ServeConfig);
} else if (isMain(import.meta.url)) {
  const deadline = setTimeout(() => {
    console.error(`bench: gave up after ${DEADLINE_MS / 1000} s`);
    process.exit(2);
  }, DEADLINE_MS);
  deadline.unref();
  const result = await benchIntakePostgres();
  console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
  process.exit(0);
}
