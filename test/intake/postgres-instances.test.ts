/**
 * Many instances on one PostgreSQL database: four processes (each the intake
 * over HTTP on 127.0.0.1 and a processor, run from source with tsx) share one
 * PostgreSQL store; 2,000 webhooks arrive spread over them, with concurrent
 * duplicates to other instances and 5 % redelivered after they were
 * processed; one process is killed with SIGKILL mid-run, while its handlers
 * run. Every event ends done exactly once and none is lost; a second handler
 * run happens only for an event the killed process held; and a handler that
 * records its effect keyed on the event id records each event exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeDelivery, WORKER_SECRET } from './fixtures/fake-provider';
import { send } from './http-client';
import { createTestDatabase, hasPostgres, reportSkipped } from './postgres-helpers';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const workerFile = join(repo, 'test/intake/fixtures/postgres-worker.ts');
const INSTANCES = 4;
const EVENTS = 2000;
const TABLE = 'idv_webhook_events';
const LEASE_MS = 1500;

interface Instance {
  child: ChildProcess;
  port: number;
  pid: number;
  alive: boolean;
  stderr: () => string;
}

async function startInstance(url: string, handlerMs: [number, number]): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      workerFile,
      JSON.stringify({ url, table: TABLE, leaseMs: LEASE_MS, handlerMs }),
    ],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<{ port: number; pid: number }>((resolveReady, reject) => {
    lines.once('line', (line) => resolveReady(JSON.parse(line) as { port: number; pid: number }));
    child.once('exit', (code) => reject(new Error(`instance exited (${code}): ${stderr}`)));
  });
  const { port, pid } = await ready;
  const instance: Instance = { child, port, pid, alive: true, stderr: () => stderr };
  child.once('exit', () => {
    instance.alive = false;
  });
  return instance;
}

interface Answer {
  status: number;
  instance: number;
  id?: string;
  duplicate?: boolean;
}

reportSkipped('many instances on one PostgreSQL database');

describe.runIf(hasPostgres)('four instances on one PostgreSQL database (real processes)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: pg.Pool;
  const instances: Instance[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('idv_instances');
    db = new pg.Pool({ connectionString: database.url, max: 4 });
    await db.query(`
      CREATE TABLE runs (run_id bigserial PRIMARY KEY, event_id text NOT NULL, pid integer NOT NULL,
        attempt integer NOT NULL, fencing bigint NOT NULL,
        started_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz);
      CREATE TABLE effects (event_id text PRIMARY KEY, pid integer NOT NULL, fencing bigint NOT NULL);
    `);
  });
  afterAll(async () => {
    for (const instance of instances) if (instance.alive) instance.child.kill('SIGKILL');
    await db?.end();
    await database?.drop();
  });

  it('2,000 webhooks with duplicates and redeliveries, one instance killed with SIGKILL mid-run: each event done once, none lost, effects recorded once', async () => {
    const began = Date.now();
    // The instance to be killed has slower handlers (100-300 ms against 10-30 ms), so
    // the kill finds one of them running.
    instances.push(
      ...(await Promise.all(
        Array.from({ length: INSTANCES }, (_, i) =>
          startInstance(database.url, i === 1 ? [100, 300] : [10, 30]),
        ),
      )),
    );
    const victim = instances[1]!;
    const startedMs = Date.now() - began;

    // The deliveries: every event once to "its" instance; every tenth also at the same
    // time to the next instance (a provider's duplicate); 5 % again once processed.
    const ids = Array.from({ length: EVENTS }, (_, i) => `inst-${i}`);
    const jobs: Array<{ id: string; instance: number }> = [];
    for (const [i, id] of ids.entries()) {
      jobs.push({ id, instance: i % INSTANCES });
      if (i % 10 === 3) jobs.push({ id, instance: (i + 1) % INSTANCES });
    }
    const redelivered = ids.filter((_, i) => i % 20 === 7);
    const answers = new Map<string, Answer[]>(ids.map((id) => [id, []]));
    let answered = 0;
    let retriedDeliveries = 0;

    /** Delivers like a provider: an answer other than 200, or none, is retried on another instance. */
    const deliver = async (id: string, first: number): Promise<void> => {
      const { body, headers } = fakeDelivery({ id }, WORKER_SECRET);
      for (let attempt = 0; attempt < 20; attempt++) {
        let index = (first + attempt) % INSTANCES;
        while (!instances[index]!.alive) index = (index + 1) % INSTANCES;
        const answer = await send({ port: instances[index]!.port, headers, body }).catch(() => ({
          status: 0,
          body: '',
        }));
        if (answer.status === 200) {
          const parsed = JSON.parse(answer.body) as { id: string; duplicate: boolean };
          answers.get(id)!.push({ status: 200, instance: index, ...parsed });
          answered += 1;
          return;
        }
        retriedDeliveries += 1;
        answers.get(id)!.push({ status: answer.status, instance: index });
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`delivery of ${id} failed 20 times`);
    };
    const run = async (list: ReadonlyArray<{ id: string; instance: number }>, parallel: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next < list.length) {
            const job = list[next++]!;
            await deliver(job.id, job.instance);
          }
        }),
      );
    };

    // Kill the victim once a third of the deliveries are answered, at a moment when
    // one of its handlers is running (a run logged and not finished).
    let killedAt: number | undefined;
    const killer = (async () => {
      while (answered < jobs.length / 3) await new Promise((r) => setTimeout(r, 5));
      for (;;) {
        const { rows } = await db.query(
          'SELECT count(*)::int AS n FROM runs WHERE pid = $1 AND finished_at IS NULL',
          [victim.pid],
        );
        if ((rows[0] as { n: number }).n > 0) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      victim.child.kill('SIGKILL');
      await once(victim.child, 'exit');
      killedAt = Date.now();
    })();
    await run(jobs, 48);
    await killer;
    expect(killedAt).toBeDefined();

    // Wait for the survivors to finish everything, the killed one's leased events included.
    const events = async () =>
      (
        await db.query(
          `SELECT id, dedupe_key, state, attempts, fence FROM "${TABLE}" ORDER BY dedupe_key`,
        )
      ).rows as Array<{
        id: string;
        dedupe_key: string;
        state: string;
        attempts: number;
        fence: string;
      }>;
    for (let waited = 0; ; waited += 50) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM "${TABLE}" WHERE state <> 'done'`,
      );
      if ((rows[0] as { n: number }).n === 0 && (await events()).length === EVENTS) break;
      if (waited > 40_000) throw new Error('the instances did not finish within 40 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const runsBefore = Number((await db.query('SELECT count(*) AS n FROM runs')).rows[0].n);
    await run(
      redelivered.map((id, i) => ({ id, instance: i % INSTANCES })),
      16,
    );
    await new Promise((r) => setTimeout(r, 200));
    const elapsedMs = Date.now() - began;

    // Every event is stored once, done, under the id every 200 answer for it named.
    const stored = await events();
    expect(stored).toHaveLength(EVENTS);
    expect(stored.every((e) => e.state === 'done')).toBe(true);
    const byKey = new Map(stored.map((e) => [e.dedupe_key, e.id]));
    for (const id of ids) {
      const storedId = byKey.get(`fake:check.completed:${id}`);
      expect(storedId, id).toBeDefined();
      const ok = answers.get(id)!.filter((a) => a.status === 200);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((a) => a.id))).toEqual(new Set([storedId]));
      // Exactly one answer recorded it; the others were told it was a duplicate.
      expect(ok.filter((a) => a.duplicate === false).length, id).toBeLessThanOrEqual(1);
    }
    for (const id of redelivered) {
      expect(answers.get(id)!.at(-1)).toMatchObject({ status: 200, duplicate: true });
    }
    // Redeliveries of processed events ran no handler.
    expect(Number((await db.query('SELECT count(*) AS n FROM runs')).rows[0].n)).toBe(runsBefore);

    // The effect keyed on the event id: recorded once for every event.
    const effects = (await db.query('SELECT event_id FROM effects')).rows as Array<{
      event_id: string;
    }>;
    expect(effects).toHaveLength(EVENTS);
    expect(new Set(effects.map((e) => e.event_id))).toEqual(new Set(byKey.values()));

    // Second runs: only for events the killed process was running (its run first), and
    // each later run holds a larger fencing token.
    const runs = (
      await db.query(
        'SELECT event_id, pid, attempt, fencing, finished_at IS NOT NULL AS finished FROM runs ORDER BY run_id',
      )
    ).rows as Array<{
      event_id: string;
      pid: number;
      attempt: number;
      fencing: string;
      finished: boolean;
    }>;
    const runsOf = new Map<string, typeof runs>();
    for (const r of runs) runsOf.set(r.event_id, [...(runsOf.get(r.event_id) ?? []), r]);
    expect(runsOf.size).toBe(EVENTS);
    const rerun = [...runsOf.entries()].filter(([, list]) => list.length > 1);
    for (const [eventId, list] of rerun) {
      const last = list.at(-1)!;
      expect(last.pid, eventId).not.toBe(victim.pid);
      expect(last.finished).toBe(true);
      for (const earlier of list.slice(0, -1)) {
        expect(earlier.pid, eventId).toBe(victim.pid);
        expect(Number(earlier.fencing)).toBeLessThan(Number(last.fencing));
      }
    }
    // The kill came while a handler ran: every run it cut short was run again, elsewhere.
    const cutShort = runs.filter((r) => r.pid === victim.pid && !r.finished);
    expect(cutShort.length).toBeGreaterThan(0);
    for (const r of cutShort) {
      expect(runsOf.get(r.event_id)!.length, r.event_id).toBeGreaterThan(1);
    }
    const afterReturn = rerun.filter(([, list]) => list.slice(0, -1).every((r) => r.finished));
    for (const survivor of instances.filter((i) => i !== victim)) {
      expect(survivor.alive, survivor.stderr()).toBe(true);
    }
    const perInstance = instances.map(
      (instance) => runs.filter((r) => r.pid === instance.pid && r.finished).length,
    );
    const deliveries = [...answers.values()].reduce((n, list) => n + list.length, 0);
    console.info(
      `[postgres-instances] ${INSTANCES} instances started in ${startedMs} ms; ${EVENTS} events, ` +
        `${deliveries} deliveries (${jobs.length - EVENTS} concurrent duplicates, ` +
        `${redelivered.length} redelivered after processing, ${retriedDeliveries} retried after ` +
        `no answer or a non-200); instance ${victim.pid} killed with SIGKILL after ` +
        `${killedAt! - began} ms with ${cutShort.length} handler run(s) in progress; ` +
        `${rerun.length} event(s) ran twice (${cutShort.length} cut short inside the handler, ` +
        `${afterReturn.length} after the handler returned, before its completion was recorded), ` +
        `every other event once; handler runs finished per instance: ${perInstance.join(', ')}; ` +
        `effects recorded: ${effects.length}; total ${elapsedMs} ms`,
    );
    expect(elapsedMs).toBeLessThan(60_000);

    for (const instance of instances.filter((i) => i.alive)) {
      instance.child.kill('SIGTERM');
      expect((await once(instance.child, 'exit'))[0]).toBe(0);
    }
  }, 90_000);
});
