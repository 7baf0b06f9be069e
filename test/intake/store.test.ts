import { join } from 'node:path';
import { runEventStoreSuite } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, createSqliteStore } from '../../src/intake/index';
import { loadNodeSqliteDriver } from '../../src/intake/node-sqlite-driver';
import { tempDir, tempSqliteStore } from './helpers';

await runEventStoreSuite('memory', async () => ({
  store: createMemoryStore(),
  cleanup: async () => {},
}));

await runEventStoreSuite('sqlite', () => tempSqliteStore());

// Node's built-in driver, where this Node.js has one (22.13 and later; CI runs
// the suite on Node 22 and 24 too).
const hasNodeSqlite = (await loadNodeSqliteDriver()) !== undefined;
if (hasNodeSqlite) {
  await runEventStoreSuite('sqlite on node:sqlite', () =>
    tempSqliteStore({ driver: 'node:sqlite' }),
  );
}

describe('choosing the SQLite driver', () => {
  it.runIf(!hasNodeSqlite)(
    'says node:sqlite needs a newer Node.js when it is missing',
    async () => {
      await expect(
        createSqliteStore({ path: '/nonexistent/x.sqlite', driver: 'node:sqlite' }),
      ).rejects.toThrow(
        /node:sqlite is not available in Node\.js .*: use Node\.js 22\.13 or later, or install better-sqlite3/,
      );
    },
  );

  it.runIf(hasNodeSqlite)('records and de-duplicates through the node:sqlite driver', async () => {
    const { dir, remove } = await tempDir();
    const Database = await loadNodeSqliteDriver();
    const store = await createSqliteStore({
      path: join(dir, 'events.sqlite'),
      Database: Database!,
    });
    const event = {
      provider: 'onfido',
      type: 'check.completed',
      dedupeKey: 'onfido:check.completed:c1',
      session: { provider: 'onfido', attemptId: 'c1' },
      actionable: true,
    };
    expect((await store.insertIfAbsent({ event, state: 'queued', now: 1 })).inserted).toBe(true);
    expect((await store.insertIfAbsent({ event, state: 'queued', now: 2 })).inserted).toBe(false);
    expect((await store.getByDedupeKey(event.dedupeKey))?.session).toEqual(event.session);
    await store.close();
    await remove();
  });
});
