/**
 * The PostgreSQL store beyond the contract: its options, its migrations (a
 * fresh table, an upgrade from a version-1 table made by hand, processes
 * opening at once, a newer schema refused), claims across pools, and lost
 * connections: server connections killed with pg_terminate_backend while
 * webhooks arrive over HTTP, and a server killed and restarted. Every
 * failure is a StoreError answered 503, and nothing answered 200 is lost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ConfigError, StoreError } from 'idv-providers';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresStore,
  createProcessor,
  createWebhookHandler,
  type EventStore,
  type IntakeOutcome,
  toNodeListener,
} from '../../src/intake/index';
import { loadPostgresDriver } from '../../src/intake/postgres-driver';
import { findPostgresBinaries, startPostgresCluster } from '../postgres-cluster';
import { createFakeProvider, fakeDelivery } from './fixtures/fake-provider';
import { send } from './http-client';
import {
  createTestDatabase,
  dropTables,
  freshTableName,
  hasPostgres,
  reportSkipped,
  tempPostgresStore,
  withDatabase,
} from './postgres-helpers';

const T0 = Date.UTC(2026, 0, 1);
const SECRET = 'postgres-faults-secret-0123';
const event = (id: string, session = { provider: 'fake', attemptId: `chk-${id}` }) => ({
  provider: 'fake',
  type: 'check.completed',
  dedupeKey: `fake:check.completed:${id}`,
  session,
  actionable: true,
});

describe('createPostgresStore options (no server needed)', () => {
  it('takes exactly one of pool and connectionString', async () => {
    await expect(createPostgresStore({})).rejects.toThrow(ConfigError);
    await expect(
      createPostgresStore({
        connectionString: 'postgres://x@127.0.0.1:1/x',
        pool: { query: async () => ({ rows: [], rowCount: 0 }) } as never,
      }),
    ).rejects.toThrow(/exactly one of the options "pool" and "connectionString"/);
  });

  it.each(['drop table', 'x;y', '1abc', 'a'.repeat(49), ''])(
    'refuses the table name %j',
    async (tableName) => {
      await expect(
        createPostgresStore({ connectionString: 'postgres://x@127.0.0.1:1/x', tableName }),
      ).rejects.toMatchObject({ name: 'ConfigError', option: 'tableName' });
    },
  );

  it('says what a numeric option must be', async () => {
    const connectionString = 'postgres://x@127.0.0.1:1/x';
    await expect(createPostgresStore({ connectionString, maxConnections: 0 })).rejects.toThrow(
      '[idv] [postgres-store] option "maxConnections" must be a whole number of at least 1',
    );
    await expect(
      createPostgresStore({ connectionString, statementTimeoutMs: Number.NaN }),
    ).rejects.toThrow('option "statementTimeoutMs" must be a number of milliseconds');
  });

  it('says how to install pg when it is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'pg'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(loadPostgresDriver(() => Promise.reject(missing))).rejects.toThrow(
      /pg is not installed: run "npm install pg"/,
    );
    await expect(loadPostgresDriver(async () => ({ default: {} }))).rejects.toThrow(
      /no Pool constructor/,
    );
    expect(await loadPostgresDriver()).toBe(pg.Pool);
  });

  it('fails with a StoreError that names no password when the server cannot be reached', async () => {
    const error = await createPostgresStore({
      connectionString: 'postgres://idv:hunter2-secret@127.0.0.1:1/idv',
      connectionTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(
      /^\[idv\] \[postgres-store\] could not open the table "idv_webhook_events": .*ECONNREFUSED/,
    );
    expect(inspect(error, { depth: 10 })).not.toContain('hunter2');
  });
});

reportSkipped('PostgreSQL store: migrations, claims across pools, lost connections');

describe.runIf(hasPostgres)('the PostgreSQL store on a server', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase('idv_faults');
    admin = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });
  const versions = async (table: string) =>
    (await admin.query(`SELECT version FROM "${table}_schema" ORDER BY version`)).rows.map(
      (r: { version: number }) => r.version,
    );

  describe('migrations', () => {
    it('creates every table on a fresh database and records each step', async () => {
      const { store, cleanup } = await tempPostgresStore(database.url);
      try {
        expect(store.schemaVersion).toBe(3);
        expect(await versions(store.tableName)).toEqual([1, 2, 3]);
        const { rows } = await admin.query(
          `SELECT tablename FROM pg_tables WHERE tablename LIKE $1 ORDER BY tablename`,
          [`${store.tableName}%`],
        );
        expect(rows.map((r: { tablename: string }) => r.tablename)).toEqual([
          store.tableName,
          `${store.tableName}_keys`,
          `${store.tableName}_results`,
          `${store.tableName}_schema`,
        ]);
      } finally {
        await cleanup();
      }
    });

    it('migrates once when six processes open the same new table at the same moment', async () => {
      const tableName = freshTableName('racing');
      const stores = await Promise.all(
        Array.from({ length: 6 }, () =>
          createPostgresStore({ connectionString: database.url, tableName, maxConnections: 2 }),
        ),
      );
      try {
        expect(stores.map((s) => s.schemaVersion)).toEqual([3, 3, 3, 3, 3, 3]);
        expect(await versions(tableName)).toEqual([1, 2, 3]);
        const inserted = await Promise.all(
          stores.map((s) => s.insertIfAbsent({ event: event('shared'), state: 'queued', now: T0 })),
        );
        expect(inserted.filter((r) => r.inserted)).toHaveLength(1);
      } finally {
        for (const s of stores) await s.close();
        await dropTables(database.url, tableName);
      }
    });

    it('upgrades a version-1 table made by hand, keeping its events, keys and order', async () => {
      const t = freshTableName('v1');
      // The tables as version 1 of the store made them.
      await admin.query(`
        CREATE TABLE "${t}_schema" (version integer PRIMARY KEY, description text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO "${t}_schema" (version, description) VALUES (1, 'events, with purged dedupe keys kept');
        CREATE TABLE "${t}" (
          seq bigserial NOT NULL, id text PRIMARY KEY, provider text NOT NULL, type text NOT NULL,
          dedupe_key text NOT NULL UNIQUE, session jsonb NOT NULL, actionable boolean NOT NULL,
          occurred_at text, state text NOT NULL, attempts integer NOT NULL DEFAULT 0,
          pending_checks integer NOT NULL DEFAULT 0, received_at bigint NOT NULL,
          updated_at bigint NOT NULL, next_attempt_at bigint NOT NULL, lease_token text,
          lease_until bigint, last_error text, finished_at bigint);
        CREATE INDEX "${t}_queued" ON "${t}" (state, next_attempt_at);
        CREATE INDEX "${t}_leased" ON "${t}" (state, lease_until);
        CREATE TABLE "${t}_keys" (dedupe_key text PRIMARY KEY, id text NOT NULL,
          provider text NOT NULL, type text NOT NULL, state text NOT NULL, finished_at bigint NOT NULL);
        INSERT INTO "${t}" (id, provider, type, dedupe_key, session, actionable, occurred_at, state,
            attempts, received_at, updated_at, next_attempt_at, last_error, finished_at) VALUES
          ('ev-queued', 'fake', 'check.completed', 'fake:check.completed:old-queued',
           '{"provider":"fake","subjectId":"app-old","attemptId":"chk-old"}', true,
           '2025-12-31T23:00:00Z', 'queued', 0, ${T0}, ${T0}, ${T0}, NULL, NULL),
          ('ev-later', 'fake', 'check.completed', 'fake:check.completed:old-later',
           '{"provider":"fake","attemptId":"chk-later"}', true, NULL, 'queued', 0,
           ${T0 + 1}, ${T0 + 1}, ${T0 + 1}, NULL, NULL),
          ('ev-dead', 'fake', 'check.completed', 'fake:check.completed:old-dead',
           '{"provider":"fake","attemptId":"chk-dead"}', true, NULL, 'dead', 3,
           ${T0}, ${T0 + 5}, ${T0 + 4}, 'provider down', ${T0 + 5});
        INSERT INTO "${t}_keys" VALUES
          ('fake:check.completed:old-purged', 'ev-purged', 'fake', 'check.completed', 'done', ${T0 - 10});
      `);
      const store = await createPostgresStore({ connectionString: database.url, tableName: t });
      try {
        expect(store.schemaVersion).toBe(3);
        expect(await versions(t)).toEqual([1, 2, 3]);
        expect(await store.get('ev-queued')).toEqual({
          id: 'ev-queued',
          provider: 'fake',
          type: 'check.completed',
          dedupeKey: 'fake:check.completed:old-queued',
          session: { provider: 'fake', subjectId: 'app-old', attemptId: 'chk-old' },
          actionable: true,
          occurredAt: '2025-12-31T23:00:00Z',
          state: 'queued',
          attempts: 0,
          pendingChecks: 0,
          receivedAt: T0,
          updatedAt: T0,
          nextAttemptAt: T0,
          leaseUntil: undefined,
          lastError: undefined,
          finishedAt: undefined,
        });
        expect(await store.counts()).toEqual({
          queued: 2,
          processing: 0,
          done: 0,
          skipped: 0,
          dead: 1,
        });
        // Keys of the old rows still de-duplicate, the kept key of a purged one too.
        const again = await store.insertIfAbsent({
          event: {
            ...event('old-queued'),
            session: { provider: 'fake', subjectId: 'app-old', attemptId: 'chk-old' },
          },
          state: 'queued',
          now: T0 + 10,
        });
        expect(again).toMatchObject({ inserted: false, event: { id: 'ev-queued' } });
        const purged = await store.insertIfAbsent({
          event: event('old-purged'),
          state: 'queued',
          now: T0 + 10,
        });
        expect(purged.event).toMatchObject({ id: 'ev-purged', state: 'done', purged: true });
        // The session key computed for the old rows matches the one new events get.
        const merged = await store.insertIfAbsent({
          event: {
            ...event('new-for-old-session'),
            session: { provider: 'fake', subjectId: 'app-old', attemptId: 'chk-old' },
          },
          state: 'queued',
          now: T0 + 10,
          coalesce: true,
        });
        expect(merged).toMatchObject({
          inserted: false,
          coalesced: true,
          event: { id: 'ev-queued' },
        });
        // A dead event comes back on redelivery; claims keep the old rows' order; fencing starts at 1.
        const revived = await store.insertIfAbsent({
          event: event('old-dead'),
          state: 'queued',
          now: T0 + 20,
        });
        expect(revived).toMatchObject({ requeued: true, event: { id: 'ev-dead', attempts: 0 } });
        const claimed = await store.claim({ now: T0 + 20, leaseMs: 1000, limit: 10 });
        expect(claimed.map((e) => [e.id, e.fencingToken])).toEqual([
          ['ev-queued', 1],
          ['ev-later', 1],
          ['ev-dead', 1],
        ]);
        expect(await store.complete('ev-queued', claimed[0]!.leaseToken, T0 + 21, 'rk-old')).toBe(
          true,
        );
        expect(await store.deliveredResult('rk-old')).toBe('ev-queued');
        expect(await store.purgeSubject('fake', 'app-old')).toBe(1);
        expect(await store.get('ev-queued')).toBeUndefined();
        expect(await store.deliveredResult('rk-old')).toBeUndefined();
      } finally {
        await store.close();
        await dropTables(database.url, t);
      }
    });

    it('refuses a table at a newer schema version, and checks only with migrate: false', async () => {
      const tableName = freshTableName('newer');
      await expect(
        createPostgresStore({ connectionString: database.url, tableName, migrate: false }),
      ).rejects.toThrow(/is at schema version 0, and this version of idv-providers needs 3/);
      const { store, cleanup } = await tempPostgresStore(database.url, { tableName });
      await store.close();
      const checked = await createPostgresStore({
        connectionString: database.url,
        tableName,
        migrate: false,
      });
      expect(checked.schemaVersion).toBe(3);
      await checked.close();
      await admin.query(`INSERT INTO "${tableName}_schema" (version, description) VALUES (4, 'x')`);
      const refused = await createPostgresStore({
        connectionString: database.url,
        tableName,
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StoreError);
      expect((refused as Error).message).toMatch(
        /is at schema version 4, newer than this version of idv-providers knows \(3\): upgrade idv-providers/,
      );
      await cleanup();
    });

    it('refuses to take over a table of the same name it did not make', async () => {
      const tableName = freshTableName('foreign');
      await admin.query(`CREATE TABLE "${tableName}" (id integer)`);
      await expect(
        createPostgresStore({ connectionString: database.url, tableName }),
      ).rejects.toThrow(/could not open the table .* already exists/);
      await admin.query(`DROP TABLE "${tableName}"`);
      await dropTables(database.url, tableName);
    });
  });

  it('works on a pool the host owns, and leaves it open on close()', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 3 });
    pool.on('error', () => {});
    const tableName = freshTableName('owned');
    const store = await createPostgresStore({ pool, tableName });
    await store.insertIfAbsent({ event: event('p'), state: 'queued', now: T0 });
    await store.close();
    await expect(store.counts()).rejects.toThrow(/the store is closed/);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "${tableName}"`)).rows).toEqual([
      { n: 1 },
    ]);
    expect(inspect(store)).not.toMatch(/connectionString|password/);
    await pool.end();
    await dropTables(database.url, tableName);
  });

  it('hands each of 300 events to one of two stores claiming at once on their own pools', async () => {
    const tableName = freshTableName('claims');
    const a = await createPostgresStore({ connectionString: database.url, tableName });
    const b = await createPostgresStore({ connectionString: database.url, tableName });
    try {
      for (let i = 0; i < 300; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            a.insertIfAbsent({ event: event(`c${i + j}`), state: 'queued', now: T0 + i + j }),
          ),
        );
      }
      const claimed: string[] = [];
      const worker = async (store: EventStore) => {
        for (;;) {
          const batch = await Promise.all(
            Array.from({ length: 4 }, () =>
              store.claim({ now: T0 + 1000, leaseMs: 60_000, limit: 7 }),
            ),
          );
          const ids = batch.flat().map((e) => e.id);
          if (ids.length === 0) return;
          claimed.push(...ids);
        }
      };
      await Promise.all([worker(a), worker(b), worker(a), worker(b)]);
      expect(claimed).toHaveLength(300);
      expect(new Set(claimed).size).toBe(300);
    } finally {
      await a.close();
      await b.close();
      await dropTables(database.url, tableName);
    }
  });

  describe('lost connections', () => {
    let server: Server | undefined;
    afterEach(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
      server = undefined;
    });

    async function serve(store: EventStore, outcomes: IntakeOutcome[], withProcessor = true) {
      const provider = createFakeProvider(SECRET);
      const handled = new Map<string, number>();
      const processor = withProcessor
        ? createProcessor({
            store,
            providers: provider,
            pollIntervalMs: 20,
            leaseMs: 1500,
            backoff: { baseMs: 20, capMs: 200 },
            handler: ({ eventId }) => {
              handled.set(eventId, (handled.get(eventId) ?? 0) + 1);
            },
          })
        : undefined;
      const intake = createWebhookHandler({
        provider,
        store,
        processor,
        onOutcome: (outcome) => outcomes.push(outcome),
      });
      server = createServer(toNodeListener(intake));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return { port: (server.address() as AddressInfo).port, processor, handled };
    }

    /** Sends each delivery (with `parallel` at once); returns each answer's status and body. */
    async function deliver(port: number, ids: readonly string[], parallel: number) {
      const answers = new Map<string, { status: number; id?: string }>();
      let next = 0;
      const sender = async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const { body, headers } = fakeDelivery({ id }, SECRET);
          const answer = await send({ port, headers, body }).catch(() => ({ status: 0, body: '' }));
          const parsed =
            answer.status === 200 ? (JSON.parse(answer.body) as { id: string }) : undefined;
          answers.set(id, { status: answer.status, ...(parsed ? { id: parsed.id } : {}) });
        }
      };
      await Promise.all(Array.from({ length: parallel }, sender));
      return answers;
    }

    async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
      const started = Date.now();
      while (!(await check())) {
        if (Date.now() - started > timeoutMs) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    it('server connections killed with pg_terminate_backend mid-run: 503s, then every event done, none lost', async () => {
      const { store, cleanup } = await tempPostgresStore(database.url, {
        connectionTimeoutMs: 2000,
      });
      const outcomes: IntakeOutcome[] = [];
      const { port, processor, handled } = await serve(store, outcomes);
      processor!.start();
      let killing = true;
      let terminated = 0;
      const killer = (async () => {
        while (killing) {
          const { rows } = await admin.query(
            `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'idv-providers'
               AND pid <> pg_backend_pid()`,
          );
          terminated += (rows[0] as { n: number }).n;
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      })();
      const ids = Array.from({ length: 400 }, (_, i) => `term-${i}`);
      const first = await deliver(port, ids, 16);
      killing = false;
      await killer;

      const statuses = [...first.values()].map((a) => a.status);
      expect(new Set(statuses)).toEqual(new Set([200, 503]));
      expect(terminated).toBeGreaterThan(0);
      const failed = outcomes.filter((o) => o.result === 'failed');
      expect(failed.length).toBe(statuses.filter((s) => s === 503).length);
      for (const o of failed) {
        expect(o).toMatchObject({ status: 503 });
        expect((o as { error: unknown }).error).toBeInstanceOf(StoreError);
      }

      // Every event answered 200 is stored; the provider retries the 503s.
      const acknowledged = new Map<string, string>();
      for (const [id, answer] of first) if (answer.status === 200) acknowledged.set(id, answer.id!);
      for (const [id, storedId] of acknowledged) {
        expect((await store.getByDedupeKey(`fake:check.completed:${id}`))?.id).toBe(storedId);
      }
      let missing = ids.filter((id) => first.get(id)?.status !== 200);
      for (let round = 0; missing.length > 0 && round < 10; round++) {
        const retried = await deliver(port, missing, 8);
        missing = missing.filter((id) => retried.get(id)?.status !== 200);
      }
      expect(missing).toEqual([]);

      await until(async () => (await store.counts()).done === ids.length, 20_000);
      await processor!.stop();
      expect(await store.counts()).toEqual({
        queued: 0,
        processing: 0,
        done: ids.length,
        skipped: 0,
        dead: 0,
      });
      expect(handled.size).toBe(ids.length);
      for (const [id, storedId] of acknowledged) {
        expect((await store.getByDedupeKey(`fake:check.completed:${id}`))?.state).toBe('done');
        expect(handled.get(storedId)).toBeGreaterThanOrEqual(1);
      }
      console.info(
        `[postgres-faults] ${terminated} connections terminated; first round: ` +
          `${statuses.filter((s) => s === 200).length} answered 200, ` +
          `${statuses.filter((s) => s === 503).length} 503; ` +
          `handler runs ${[...handled.values()].reduce((a, b) => a + b, 0)} for ${handled.size} events`,
      );
      await cleanup();
    });

    it.runIf(findPostgresBinaries() !== undefined)(
      'the server killed and restarted: 503 while it is down, 200 after, nothing answered 200 lost',
      async () => {
        const cluster = await startPostgresCluster();
        try {
          const url = withDatabase(cluster.url, 'postgres');
          const store = await createPostgresStore({
            connectionString: url,
            connectionTimeoutMs: 1000,
          });
          const outcomes: IntakeOutcome[] = [];
          const { port } = await serve(store, outcomes, false);
          const before = await deliver(
            port,
            Array.from({ length: 50 }, (_, i) => `before-${i}`),
            8,
          );
          expect([...before.values()].every((a) => a.status === 200)).toBe(true);

          await cluster.kill();
          const started = Date.now();
          const down = await deliver(
            port,
            Array.from({ length: 10 }, (_, i) => `down-${i}`),
            5,
          );
          expect([...down.values()].map((a) => a.status)).toEqual(Array(10).fill(503));
          expect(Date.now() - started).toBeLessThan(5000);
          expect(outcomes.filter((o) => o.result === 'failed')).toHaveLength(10);

          await cluster.restart();
          const after = await deliver(
            port,
            Array.from({ length: 10 }, (_, i) => `down-${i}`),
            5,
          );
          expect([...after.values()].map((a) => a.status)).toEqual(Array(10).fill(200));
          for (const [id, answer] of before) {
            expect((await store.getByDedupeKey(`fake:check.completed:${id}`))?.id).toBe(answer.id);
          }
          expect((await store.counts()).queued).toBe(60);
          await store.close();
        } finally {
          await cluster.stop();
        }
      },
      60_000,
    );
  });
});
