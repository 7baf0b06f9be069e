import { join } from 'node:path';
import { ConfigError, StoreError } from 'idv-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, type SqliteOpenOptions } from '../../src/intake/index';
import { loadSqliteDriver } from '../../src/intake/sqlite-driver';
import { resolveSqliteDriver } from '../../src/intake/sqlite-store';
import { tempDir } from './helpers';

// The driver the store would choose here: better-sqlite3 on Node 20, and
// node:sqlite where better-sqlite3 is built for another Node.js version.
const Database = await resolveSqliteDriver();
const betterSqlite = await loadSqliteDriver().catch(() => undefined);

const T0 = Date.UTC(2026, 0, 1);
const event = (id: string) => ({
  provider: 'fake',
  type: 'check.completed',
  dedupeKey: `fake:check.completed:${id}`,
  session: { provider: 'fake', attemptId: `chk-${id}` },
  actionable: true,
});

describe('createSqliteStore', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
  });
  afterEach(async () => {
    await remove();
  });

  it('keeps events in the file across close and reopen', async () => {
    const path = join(dir, 'events.sqlite');
    const first = await createSqliteStore({ path });
    const { event: stored } = await first.insertIfAbsent({
      event: event('a'),
      state: 'queued',
      now: T0,
    });
    await first.close();
    const second = await createSqliteStore({ path });
    expect(await second.get(stored.id)).toEqual(stored);
    expect(
      (await second.insertIfAbsent({ event: event('a'), state: 'queued', now: T0 })).inserted,
    ).toBe(false);
    await second.close();
  });

  it('opens the file in WAL mode with synchronous FULL by default', async () => {
    const path = join(dir, 'events.sqlite');
    const store = await createSqliteStore({ path });
    const probe = new Database(path);
    expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    probe.close();
    await store.close();
    let seen: unknown;
    const Spy = class extends Database {
      override pragma(source: string, options?: { simple?: boolean }) {
        if (source.startsWith('synchronous')) seen = source;
        return super.pragma(source, options as { simple: true });
      }
    };
    const normal = await createSqliteStore({ path, Database: Spy, synchronous: 'normal' });
    expect(seen).toBe('synchronous = NORMAL');
    await normal.close();
  });

  it('uses an injected Database constructor instead of importing the driver', async () => {
    const opened: string[] = [];
    const Injected = class extends Database {
      constructor(filename: string, options?: SqliteOpenOptions) {
        super(filename, options);
        opened.push(filename);
      }
    };
    const path = join(dir, 'injected.sqlite');
    const store = await createSqliteStore({ path, Database: Injected });
    expect(opened).toEqual([path]);
    await store.close();
  });

  it('commits a burst of inserts in one transaction, each promise settling after the commit', async () => {
    const statements: string[] = [];
    const Counting = class extends Database {
      override exec(source: string) {
        if (/^(BEGIN|COMMIT|ROLLBACK)/.test(source)) statements.push(source);
        return super.exec(source);
      }
    };
    const store = await createSqliteStore({ path: join(dir, 'burst.sqlite'), Database: Counting });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.insertIfAbsent({ event: event(`b${i % 40}`), state: 'queued', now: T0 }),
      ),
    );
    expect(statements).toEqual(['BEGIN IMMEDIATE', 'COMMIT']);
    expect(results.filter((r) => r.inserted)).toHaveLength(40);
    expect(results[45]?.event.id).toBe(results[5]?.event.id);
    expect((await store.counts()).queued).toBe(40);
    await store.close();
  });

  it('lets the rest of a burst succeed when one insert in it fails', async () => {
    const store = await createSqliteStore({ path: join(dir, 'spoiled.sqlite') });
    const circular: Record<string, unknown> = { provider: 'fake' };
    circular['self'] = circular;
    const settled = await Promise.allSettled([
      store.insertIfAbsent({ event: event('good-1'), state: 'queued', now: T0 }),
      store.insertIfAbsent({
        event: { ...event('bad'), session: circular as never },
        state: 'queued',
        now: T0,
      }),
      store.insertIfAbsent({ event: event('good-2'), state: 'queued', now: T0 }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect((await store.counts()).queued).toBe(2);
    expect(await store.getByDedupeKey('fake:check.completed:bad')).toBeUndefined();
    await store.close();
  });

  it('shares one file between two stores without handing an event to both', async () => {
    const path = join(dir, 'shared.sqlite');
    const a = await createSqliteStore({ path });
    const b = await createSqliteStore({ path });
    for (let i = 0; i < 20; i++) {
      await (i % 2 === 0 ? a : b).insertIfAbsent({
        event: event(`s${i}`),
        state: 'queued',
        now: T0,
      });
    }
    const claimed = [];
    for (let round = 0; round < 10; round++) {
      claimed.push(...(await a.claim({ now: T0, leaseMs: 1000, limit: 2 })));
      claimed.push(...(await b.claim({ now: T0, leaseMs: 1000, limit: 1 })));
    }
    const ids = claimed.map((e) => e.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(await a.counts()).toEqual(await b.counts());
    await a.close();
    await b.close();
  });

  it('refuses a missing path, :memory: and an unsafe table name with a ConfigError', async () => {
    await expect(createSqliteStore({ path: '' })).rejects.toBeInstanceOf(ConfigError);
    await expect(createSqliteStore({ path: ':memory:' })).rejects.toThrow(
      /must name a database file/,
    );
    const error = await createSqliteStore({
      path: join(dir, 'x.sqlite'),
      tableName: 'events; DROP TABLE x',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('tableName');
  });

  it('reports a file it cannot open as a StoreError', async () => {
    const error = await createSqliteStore({ path: join(dir, 'no-such-dir', 'x.sqlite') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/^\[idv\] \[sqlite-store\] could not open/);
  });

  it('turns driver failures into StoreErrors (here: use after close)', async () => {
    const store = await createSqliteStore({ path: join(dir, 'closed.sqlite') });
    await store.close();
    await store.close();
    const error = await store
      .insertIfAbsent({ event: event('z'), state: 'queued', now: T0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('store_error');
    expect((error as StoreError).message).toMatch(/could not record the event/);
  });
});

describe('loadSqliteDriver', () => {
  it.runIf(betterSqlite !== undefined)('loads better-sqlite3 by default', async () => {
    expect(Database).toBe(betterSqlite);
    expect(await loadSqliteDriver()).toBe(betterSqlite);
  });

  it('says to install better-sqlite3 when it is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'better-sqlite3'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await loadSqliteDriver(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('npm install better-sqlite3');
    expect((error as ConfigError).option).toBe('Database');
  });

  it('reports a driver that fails to load, or exports no constructor', async () => {
    await expect(loadSqliteDriver(() => Promise.reject(new Error('bad ELF')))).rejects.toThrow(
      /better-sqlite3 failed to load: Error: bad ELF/,
    );
    await expect(loadSqliteDriver(async () => ({ default: 42 }))).rejects.toThrow(
      /no Database constructor/,
    );
    const Working = class {
      close() {}
    };
    expect(await loadSqliteDriver(async () => ({ default: Working }))).toBe(Working);
  });

  it('reports a driver whose native part does not load (built for another Node.js)', async () => {
    const WrongAbi = class {
      constructor() {
        throw Object.assign(new Error('Module did not self-register: better_sqlite3.node\nstack'), {
          code: 'ERR_DLOPEN_FAILED',
        });
      }
    };
    await expect(loadSqliteDriver(async () => ({ default: WrongAbi }))).rejects.toThrow(
      /^\[idv\] \[sqlite-store\] better-sqlite3 failed to load: Error: Module did not self-register: better_sqlite3.node$/,
    );
  });
});
