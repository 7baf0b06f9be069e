/**
 * `pg` is an optional peer dependency: importing the core does not load it,
 * and a PostgreSQL store created from a connection string loads it then.
 */
import { describe, expect, it, vi } from 'vitest';

const loaded = vi.hoisted(() => ({ pg: 0 }));
vi.mock('pg', () => {
  loaded.pg += 1;
  class Pool {
    on() {}
    async query(): Promise<never> {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    }
    async connect(): Promise<never> {
      return this.query();
    }
    async end() {}
  }
  return { default: { Pool }, Pool };
});

describe('loading pg', () => {
  it('importing the core does not load pg; creating a store from a connection string does', async () => {
    const core = await import('../../src/index');
    expect(typeof core.createPostgresStore).toBe('function');
    expect(loaded.pg).toBe(0);
    await expect(
      core.createPostgresStore({ connectionString: 'postgres://u@127.0.0.1:1/db' }),
    ).rejects.toThrow(/could not open the table "idv_webhook_events": connect ECONNREFUSED/);
    expect(loaded.pg).toBe(1);
  });
});
