/**
 * The SQLite store under faults of its file: another process holding the
 * write lock (the event loop keeps running while the store waits), the file
 * deleted or replaced while the server runs (503, never a 200 for an event
 * written into a deleted file), a read-only file (refused at open), and a
 * table made by an earlier version (upgraded in place).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StoreError } from 'idv-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSqliteStore,
  createWebhookHandler,
  type SqliteOpenOptions,
} from '../../src/intake/index';
import { resolveSqliteDriver } from '../../src/intake/sqlite-store';
import { createFakeProvider, fakeDelivery } from './fixtures/fake-provider';
import { tempDir } from './helpers';

const Database = await resolveSqliteDriver();
const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
// The lock holder opens the file with better-sqlite3 where this Node.js can load it (the build
// installed is for one Node.js version), else with node:sqlite, as the store itself does.
const OPEN_IN_CHILD = `
  let db;
  try {
    const Database = require(${JSON.stringify(driverPath)});
    db = new Database(PATH);
  } catch {
    const { DatabaseSync } = require('node:sqlite');
    db = new DatabaseSync(PATH);
  }`;
const T0 = Date.UTC(2026, 0, 1);
const SECRET = 'sqlite-faults-secret-0123';
const event = (id: string) => ({
  provider: 'fake',
  type: 'check.completed',
  dedupeKey: `fake:check.completed:${id}`,
  session: { provider: 'fake', attemptId: `chk-${id}` },
  actionable: true,
});

/** Another process that takes the write lock on `path`, says so, and holds it for `ms`. */
async function holdLock(path: string, ms: number): Promise<ChildProcess> {
  const script = `
    const PATH = ${JSON.stringify(path)};
    ${OPEN_IN_CHILD}
    db.exec('BEGIN IMMEDIATE');
    db.exec('CREATE TABLE IF NOT EXISTS held_elsewhere (x)');
    db.exec('INSERT INTO held_elsewhere VALUES (1)');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, ${ms});
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the lock holder exited early (${code})`)));
  });
  return child;
}

/** Largest gap between the ticks of a 10 ms interval while `work` runs. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    const value = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { value, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('the SQLite store under faults of its file', () => {
  let dir: string;
  let remove: () => Promise<void>;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }
    await remove();
  });

  it('another process holds the write lock: timers keep firing, and the delivery is recorded once it is released', async () => {
    const path = join(dir, 'locked.sqlite');
    const store = await createSqliteStore({ path, synchronous: 'normal' });
    children.push(await holdLock(path, 1500));
    const started = performance.now();
    const { value, stallMs } = await longestStall(() =>
      store.insertIfAbsent({ event: event('while-locked'), state: 'queued', now: T0 }),
    );
    expect(value.inserted).toBe(true);
    expect(performance.now() - started).toBeGreaterThan(1000);
    // SQLite blocks for at most lockWaitMs (50 ms) at a time; the rest of the wait is asynchronous.
    expect(stallMs).toBeLessThan(250);
    expect((await store.counts()).queued).toBe(1);
    await store.close();
  });

  it('another process holds the write lock past busyTimeoutMs: a StoreError, without freezing the loop', async () => {
    const path = join(dir, 'held.sqlite');
    const store = await createSqliteStore({ path, busyTimeoutMs: 600 });
    children.push(await holdLock(path, 3000));
    const started = performance.now();
    const { value: error, stallMs } = await longestStall(() =>
      store.claim({ now: T0, leaseMs: 1000, limit: 1 }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/could not claim events: database is locked/);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(stallMs).toBeLessThan(250);
    await store.close();
  });

  it('the database file is deleted while the server runs: deliveries are answered 503, not 200', async () => {
    const path = join(dir, 'deleted.sqlite');
    const store = await createSqliteStore({ path, synchronous: 'normal' });
    const provider = createFakeProvider(SECRET);
    const handler = createWebhookHandler({ provider, store });
    const post = async (id: string) => {
      const { body, headers } = fakeDelivery({ id }, SECRET);
      return handler(new Request('http://127.0.0.1/hook', { method: 'POST', body, headers }));
    };
    expect((await post('before')).status).toBe(200);
    await rm(path);
    await rm(`${path}-wal`, { force: true });
    await rm(`${path}-shm`, { force: true });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await post(`after-${i}`)).status);
    expect(statuses).toEqual(Array(10).fill(503));
    const error = await store
      .insertIfAbsent({ event: event('direct'), state: 'queued', now: T0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(
      /was deleted or replaced while the store was open/,
    );
    await store.close();
  });

  it('the database file is replaced by another one: a StoreError', async () => {
    const path = join(dir, 'replaced.sqlite');
    const store = await createSqliteStore({ path });
    await store.insertIfAbsent({ event: event('a'), state: 'queued', now: T0 });
    await rm(path);
    const other = await createSqliteStore({ path });
    await other.close();
    await expect(store.counts()).rejects.toThrow(/deleted or replaced/);
    await store.close();
  });

  it('a read-only database fails at open, not at the first delivery', async () => {
    const path = join(dir, 'readonly.sqlite');
    const first = await createSqliteStore({ path });
    await first.close();
    const ReadOnly = class extends Database {
      constructor(filename: string, options?: SqliteOpenOptions) {
        super(filename, { ...options, readonly: true });
      }
    };
    const error = await createSqliteStore({ path, Database: ReadOnly }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/could not write to .*readonly/);
  });

  it.runIf(process.getuid?.() !== 0)('a read-only file fails at open', async () => {
    const path = join(dir, 'mode-444.sqlite');
    const first = await createSqliteStore({ path });
    await first.close();
    await chmod(path, 0o444);
    await expect(createSqliteStore({ path })).rejects.toBeInstanceOf(StoreError);
  });

  it('upgrades a table made by an earlier version in place', async () => {
    const path = join(dir, 'old.sqlite');
    await writeFile(path, '');
    const old = new Database(path);
    old.exec(`CREATE TABLE idv_webhook_events (
      id TEXT PRIMARY KEY, provider TEXT NOT NULL, type TEXT NOT NULL, dedupe_key TEXT NOT NULL UNIQUE,
      session TEXT NOT NULL, actionable INTEGER NOT NULL, occurred_at TEXT, state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, pending_checks INTEGER NOT NULL DEFAULT 0,
      received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
      lease_token TEXT, lease_until INTEGER, last_error TEXT, finished_at INTEGER)`);
    old
      .prepare(
        `INSERT INTO idv_webhook_events (id, provider, type, dedupe_key, session, actionable, state,
           received_at, updated_at, next_attempt_at) VALUES ('e1', 'fake', 'check.completed',
           'fake:check.completed:old', '{"provider":"fake","attemptId":"chk-old"}', 1, 'queued', 1, 1, 1)`,
      )
      .run();
    old.close();
    const store = await createSqliteStore({ path });
    const upgraded = await store.get('e1');
    expect(upgraded?.state).toBe('queued');
    expect(upgraded?.source).toBeUndefined();
    const [claimed] = await store.claim({ now: T0, leaseMs: 1000, limit: 1 });
    expect(claimed).toMatchObject({ id: 'e1', fencingToken: 1, attempts: 1 });
    expect(
      (await store.insertIfAbsent({ event: event('old'), state: 'queued', now: T0 })).inserted,
    ).toBe(false);
    expect(
      (await store.insertIfAbsent({ event: event('new'), state: 'queued', now: T0 })).inserted,
    ).toBe(true);
    await store.close();
  });
});
