/**
 * The PostgreSQL store against the event store contract (the suite the memory
 * and SQLite stores pass), on the server the globalSetup started: each test on
 * fresh tables of a database of this file's own.
 */
import { runEventStoreSuite } from 'idv-providers/testing';
import { afterAll } from 'vitest';
import {
  createTestDatabase,
  hasPostgres,
  reportSkipped,
  tempPostgresStore,
} from './postgres-helpers';

reportSkipped('EventStore contract: postgres');

if (hasPostgres) {
  const database = await createTestDatabase('idv_contract');
  afterAll(() => database.drop());
  await runEventStoreSuite('postgres', () => tempPostgresStore(database.url));
}
