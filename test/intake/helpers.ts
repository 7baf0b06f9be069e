/**
 * Helpers shared by the intake tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSqliteStore,
  type EventStore,
  type SqliteStoreOptions,
} from '../../src/intake/index';

/** A fresh temporary directory and a function that removes it. */
export async function tempDir(prefix = 'idv-intake-'): Promise<{
  dir: string;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A SQLite store in a fresh temporary file (synchronous NORMAL), and a cleanup that closes it and removes the file. */
export async function tempSqliteStore(
  options: Omit<SqliteStoreOptions, 'path'> = {},
): Promise<{ store: EventStore; cleanup: () => Promise<void> }> {
  const { dir, remove } = await tempDir();
  const store = await createSqliteStore({
    path: join(dir, 'events.sqlite'),
    synchronous: 'normal',
    ...options,
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await remove();
    },
  };
}
