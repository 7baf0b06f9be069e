/**
 * Helpers for the PostgreSQL store's tests: the server the globalSetup
 * started (`inject('postgresUrl')`), a database of their own per test file,
 * and stores on fresh tables.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject, it } from 'vitest';
import {
  createPostgresStore,
  type PostgresEventStore,
  type PostgresStoreOptions,
} from '../../src/intake/index';

/** The server's URL, or `''` when the PostgreSQL tests skip. */
export const postgresUrl: string = inject('postgresUrl');

/** `true` when there is a server to test against. */
export const hasPostgres = postgresUrl !== '';

/**
 * When there is no server: one skipped test that says why and how to run
 * them, so the skip shows in every report.
 */
export function reportSkipped(what: string): void {
  if (hasPostgres) return;
  describe.skip(`${what}: SKIPPED, no PostgreSQL server`, () => {
    it(`${inject('postgresSkipReason')} (install the postgresql package, or set IDV_POSTGRES_URL)`, () => {});
  });
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh database on the test server, and how to drop it. */
export async function createTestDatabase(prefix = 'idv_test'): Promise<{
  url: string;
  name: string;
  drop: () => Promise<void>;
}> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(postgresUrl, name),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

let tables = 0;

/** A unique table name for this process. */
export function freshTableName(prefix = 'events'): string {
  tables += 1;
  return `${prefix}_${process.pid}_${tables}`;
}

/** Drops the store's four tables. */
export async function dropTables(url: string, table: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `DROP TABLE IF EXISTS "${table}", "${table}_keys", "${table}_results", "${table}_schema"`,
    );
  } finally {
    await client.end();
  }
}

/** A store on a fresh table of `url`, and a cleanup that closes it and drops the tables. */
export async function tempPostgresStore(
  url: string,
  options: Omit<PostgresStoreOptions, 'connectionString' | 'pool'> = {},
): Promise<{ store: PostgresEventStore; cleanup: () => Promise<void> }> {
  const tableName = options.tableName ?? freshTableName();
  const store = await createPostgresStore({ connectionString: url, ...options, tableName });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropTables(url, tableName);
    },
  };
}
