/**
 * `idv-providers intake`: an operator's commands against the SQLite event
 * store a deployment runs (`--store sqlite:<path>` or `IDV_STORE`): stats by
 * state and tenant, dead letters with their last error, redrive, purge by age
 * or identity; with the CLI's exit codes and no secret printed. The store is
 * filled through the library's API, as the intake would fill it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createPostgresStore,
  createSqliteStore,
  type EventStore,
  type WebhookEvent,
} from 'idv-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../intake/helpers';
import { createTestDatabase, hasPostgres, reportSkipped } from '../intake/postgres-helpers';
import { cli } from './helpers';

const NOW = Date.now();
const DAY = 86_400_000;

let dir: string;
let remove: () => Promise<void>;
let path: string;
let spec: string;

beforeEach(async () => {
  ({ dir, remove } = await tempDir('idv-cli-intake-'));
  path = join(dir, 'idv-events.sqlite');
  spec = `sqlite:${path}`;
});
afterEach(async () => {
  await remove();
});

function webhook(id: string, subjectId: string, provider = 'onfido'): WebhookEvent {
  return {
    provider,
    type: 'check.completed',
    dedupeKey: `${provider}:check.completed:${id}`,
    session: { provider, subjectId, attemptId: `chk-${id}` },
    actionable: true,
  };
}

/** Runs `fill` on the store file, then closes it (the CLI opens it itself). */
async function withStore(fill: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await createSqliteStore({ path });
  try {
    await fill(store);
  } finally {
    await store.close();
  }
}

/** Inserts an event, claims it and lets it end in `end` at `at`. */
async function settle(
  store: EventStore,
  event: WebhookEvent,
  end: 'done' | 'dead',
  at: number,
  extra: { tenant?: string; error?: string } = {},
): Promise<string> {
  const { event: stored } = await store.insertIfAbsent({
    event,
    state: 'queued',
    now: at,
    ...(extra.tenant === undefined ? {} : { tenant: extra.tenant }),
  });
  const claimed = await store.claim({ now: at, leaseMs: 60_000, limit: 100 });
  const mine = claimed.find((c) => c.id === stored.id)!;
  if (end === 'done') await store.complete(stored.id, mine.leaseToken, at);
  else await store.deadLetter(stored.id, mine.leaseToken, { now: at, error: extra.error ?? 'x' });
  return stored.id;
}

describe('idv-providers intake stats', () => {
  it('prints events by state, the backlog and the deadlines, without a tenant table when no event names one', async () => {
    await withStore(async (store) => {
      await settle(store, webhook('d1', 's2'), 'done', NOW - 1000);
      await store.insertIfAbsent({
        event: webhook('q1', 's1'),
        state: 'queued',
        now: NOW - 3_600_000,
      });
      await store.insertIfAbsent({
        event: { ...webhook('dl', 's3'), type: 'deadline', dedupeKey: 'onfido:deadline:s3' },
        state: 'queued',
        now: NOW,
        deadline: NOW + 90 * 60_000,
      });
    });
    const run = await cli(['intake', 'stats', '--store', spec]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`store ${spec}`);
    expect(run.stdout).toMatch(/queued\s+2\n/);
    expect(run.stdout).toMatch(/done\s+1\n/);
    expect(run.stdout).toMatch(/dead\s+0\n/);
    expect(run.stdout).toMatch(/backlog\s+1 due now, the oldest due since .* \(60 min ago\)/);
    expect(run.stdout).toMatch(/deadlines\s+1 waiting/);
    expect(run.stdout).not.toContain('by tenant');
  });

  it('shows the tenants when events name one, and the same as JSON', async () => {
    await withStore(async (store) => {
      await settle(store, webhook('b', 's2'), 'dead', NOW, { tenant: 'brand-b' });
      await store.insertIfAbsent({
        event: webhook('a', 's1'),
        state: 'queued',
        now: NOW,
        tenant: 'brand-a',
      });
      await store.insertIfAbsent({ event: webhook('c', 's3'), state: 'queued', now: NOW });
    });
    const run = await cli(['intake', 'stats'], { IDV_STORE: spec });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('by tenant');
    expect(run.stdout).toMatch(/tenant\s+queued\s+processing\s+done\s+skipped\s+dead/);
    expect(run.stdout).toMatch(/brand-a\s+1\s+0\s+0\s+0\s+0/);
    expect(run.stdout).toMatch(/brand-b\s+0\s+0\s+0\s+0\s+1/);
    const json = await cli(['intake', 'stats', '--json'], { IDV_STORE: spec });
    expect(JSON.parse(json.stdout)).toMatchObject({
      store: spec,
      states: { queued: 2, dead: 1 },
      tenants: [
        { tenant: 'brand-a', states: { queued: 1 } },
        { tenant: 'brand-b', states: { dead: 1 } },
      ],
      deadlines: 0,
    });
  });
});

describe('idv-providers intake dead-letters and redrive', () => {
  it('lists dead letters with their last error, redacting any secret of the environment', async () => {
    const secret = 'api_live.this-is-the-real-token-0123';
    let id = '';
    await withStore(async (store) => {
      id = await settle(store, webhook('dead', 'subj-1', 'jumio'), 'dead', NOW - DAY, {
        error: `ProviderApiError: 503 (echoing ${secret})`,
        tenant: 'brand-a',
      });
    });
    const env = { IDV_STORE: spec, IDV_ACME_API_TOKEN: secret };
    const run = await cli(['intake', 'dead-letters'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 dead letter, most recent first:');
    expect(run.stdout).toMatch(new RegExp(`id\\s+${id}`));
    expect(run.stdout).toMatch(/provider\s+jumio/);
    expect(run.stdout).toMatch(/session\s+subject subj-1, attempt chk-dead/);
    expect(run.stdout).toMatch(/tenant\s+brand-a/);
    expect(run.stdout).toMatch(/last error\s+ProviderApiError: 503 \(echoing \[REDACTED\]\)/);
    expect(run.stdout + run.stderr).not.toContain(secret);
    const json = await cli(['intake', 'dead-letters', '--json', '--limit', '5'], env);
    const listed = JSON.parse(json.stdout) as Array<{ id: string; lastError: string }>;
    expect(listed.map((e) => e.id)).toEqual([id]);
    expect(listed[0]?.lastError).toBe('ProviderApiError: 503 (echoing [REDACTED])');
  });

  it('redrives dead letters by id, or all of them, and fails (exit 1) on an id that is not dead', async () => {
    const ids: string[] = [];
    await withStore(async (store) => {
      for (const n of [1, 2, 3])
        ids.push(await settle(store, webhook(`r${n}`, `s${n}`), 'dead', NOW));
    });
    const one = await cli(['intake', 'redrive', ids[0]!, '--store', spec]);
    expect(one).toMatchObject({ code: 0 });
    expect(one.stdout).toContain('✔ queued 1 dead letter again, attempts reset');
    const again = await cli(['intake', 'redrive', ids[0]!, 'no-such-event', '--store', spec]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `not dead letters (unknown, or no longer dead): ${ids[0]}, no-such-event`,
    );
    const all = await cli(['intake', 'redrive', '--all', '--store', spec]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('✔ queued 2 dead letters again');
    await withStore(async (store) => {
      expect(await store.counts()).toMatchObject({ queued: 3, dead: 0 });
      expect((await store.get(ids[1]!))?.attempts).toBe(0);
    });
    const neither = await cli(['intake', 'redrive', '--store', spec]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give the ids of the dead letters to queue again, or --all');
  });
});

describe('idv-providers intake purge', () => {
  it('by age: deletes finished events older than it, keeping their keys unless told', async () => {
    await withStore(async (store) => {
      await settle(store, webhook('old', 's1'), 'done', NOW - 40 * DAY);
      await settle(store, webhook('old-dead', 's2'), 'dead', NOW - 40 * DAY);
      await settle(store, webhook('new', 's3'), 'done', NOW - DAY);
    });
    const onlyDone = await cli(['intake', 'purge', '--older-than', '30d', '--states', 'done'], {
      IDV_STORE: spec,
    });
    expect(onlyDone.code).toBe(0);
    expect(onlyDone.stdout).toContain(
      '✔ deleted 1 done event older than 30d (their de-duplication keys are kept)',
    );
    const rest = await cli(['intake', 'purge', '--older-than', '30d', '--store', spec]);
    expect(rest.stdout).toContain('✔ deleted 1 done/skipped/dead event older than 30d');
    await withStore(async (store) => {
      expect(await store.counts()).toMatchObject({ done: 1, dead: 0 });
      // The key is kept: a replay is still a duplicate.
      expect(
        (await store.insertIfAbsent({ event: webhook('old', 's1'), state: 'queued', now: NOW }))
          .inserted,
      ).toBe(false);
    });
    const forget = await cli([
      'intake',
      'purge',
      '--older-than',
      '12h',
      '--forget-keys-older-than',
      '30d',
      '--store',
      spec,
    ]);
    expect(forget.stdout).toContain('(keys older than 30d forgotten)');
    await withStore(async (store) => {
      expect(
        (await store.insertIfAbsent({ event: webhook('old', 's1'), state: 'queued', now: NOW }))
          .inserted,
      ).toBe(true);
    });
  });

  it("by identity: deletes one subject's events in any state, and no one else's", async () => {
    await withStore(async (store) => {
      await settle(store, webhook('g1', 'gone'), 'done', NOW);
      await store.insertIfAbsent({ event: webhook('g2', 'gone'), state: 'queued', now: NOW });
      await store.insertIfAbsent({
        event: {
          ...webhook('g3', 'other'),
          session: { provider: 'onfido', attemptId: 'chk-of-gone' },
        },
        state: 'queued',
        now: NOW,
      });
      await store.insertIfAbsent({ event: webhook('k1', 'kept'), state: 'queued', now: NOW });
    });
    const run = await cli([
      'intake',
      'purge',
      '--subject',
      'gone',
      '--provider',
      'onfido',
      '--attempt',
      'chk-of-gone',
      '--store',
      spec,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('✔ deleted 3 events of onfido subject gone');
    await withStore(async (store) => {
      expect(await store.counts()).toMatchObject({ queued: 1, done: 0 });
    });
    // A provider the command does not know: warned, and done all the same.
    const unknown = await cli([
      'intake',
      'purge',
      '--subject',
      'kept',
      '--provider',
      'acme-id',
      '--store',
      spec,
    ]);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain('"acme-id" is not a provider this command knows');
    expect(unknown.stdout).toContain('✔ deleted 0 events');
  });

  it.each([
    [
      ['intake', 'purge'],
      'purge needs either --older-than <age> or --subject <id> --provider <name>',
    ],
    [
      ['intake', 'purge', '--older-than', '30 days'],
      'option --older-than must be an age such as 30d',
    ],
    [
      ['intake', 'purge', '--older-than', '30d', '--states', 'queued'],
      '--states takes finished states only',
    ],
    [['intake', 'purge', '--subject', 'x'], '--subject needs --provider <name>'],
    [['intake', 'purge', '--older-than', '1d', '--subject', 'x'], 'purge needs either'],
    [['intake', 'stats', '--limit', '3'], 'option --limit is not for "intake stats"'],
    [['intake', 'stats', 'extra'], '"intake stats" takes no arguments besides its options'],
    [['intake', 'vacuum'], 'unknown intake command "vacuum"'],
  ])('%j is a usage error (exit 2) and touches no store', async (argv, message) => {
    const run = await cli([...argv, '--store', spec]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(existsSync(path)).toBe(false);
  });
});

describe('which store', () => {
  it('needs --store or IDV_STORE (exit 2)', async () => {
    const run = await cli(['intake', 'stats']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'no event store given: pass --store sqlite:<path>, or set IDV_STORE',
    );
  });

  it('refuses a kind it does not know without echoing the spec (it may hold a password)', async () => {
    const run = await cli(['intake', 'stats', '--store', 'redis://admin:hunter2-pass@db:6379']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the store must be given as sqlite:<path>');
    expect(run.stderr).not.toContain('hunter2');
  });

  it('does not create a store that is not there (exit 1)', async () => {
    const run = await cli(['intake', 'stats', '--store', `sqlite:${join(dir, 'typo.sqlite')}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no event store at');
    expect(existsSync(join(dir, 'typo.sqlite'))).toBe(false);
  });

  it('reports a file that is not an event store as a store failure (exit 1)', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, 'this is not a database, just text '.repeat(200));
    const run = await cli(['intake', 'stats', '--store', spec]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[idv] [sqlite-store] could not open');
  });
});

describe('help', () => {
  it.each([[['intake', '--help']], [['help', 'intake']]])(
    '%j prints the intake usage',
    async (argv) => {
      const run = await cli(argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        'Usage: idv-providers intake <stats|dead-letters|redrive|purge>',
      );
      expect(run.stdout).toContain('--store <kind>:<where>');
    },
  );

  it('lists intake among the commands', async () => {
    const run = await cli(['--help']);
    expect(run.stdout).toMatch(/intake\s+the webhook intake's event store/);
  });
});

describe('a PostgreSQL store', () => {
  reportSkipped('idv-providers intake on PostgreSQL');

  it.runIf(hasPostgres)(
    'is named by its connection string, its tables checked (never migrated), its password never printed',
    async () => {
      const db = await createTestDatabase('idv_cli_intake');
      try {
        const url = new URL(db.url);
        url.password = 'not-for-the-terminal-0192';
        const withPassword = url.toString();
        // No tables yet: the command does not create them.
        const missing = await cli(['intake', 'stats', '--store', withPassword]);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain('[idv]');
        const store = await createPostgresStore({ connectionString: db.url });
        await store.insertIfAbsent({
          event: webhook('pg1', 'subject-pg'),
          state: 'queued',
          now: NOW,
          tenant: 'brand-pg',
        });
        await store.close();
        const run = await cli(['intake', 'stats', '--json'], { IDV_STORE: withPassword });
        expect(run.code).toBe(0);
        const stats = JSON.parse(run.stdout) as { store: string; states: { queued: number } };
        expect(stats.states.queued).toBe(1);
        expect(stats.store).toContain('***');
        const purge = await cli(
          ['intake', 'purge', '--subject', 'subject-pg', '--provider', 'onfido'],
          {
            IDV_STORE: withPassword,
          },
        );
        expect(purge.stdout).toContain('✔ deleted 1 event of onfido subject subject-pg');
        for (const printed of [missing, run, purge]) {
          expect(printed.stdout + printed.stderr).not.toContain('not-for-the-terminal-0192');
        }
      } finally {
        await db.drop();
      }
    },
  );
});
