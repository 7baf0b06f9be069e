/**
 * Crash after the answer: a worker process receives a webhook over real HTTP,
 * answers 2xx, and is killed with SIGKILL before it processes the event; a new
 * worker on the same SQLite file then processes the event exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProcessor, createSqliteStore, type ResultDelivery } from '../../src/intake/index';
import { createFakeProvider, fakeDelivery, WORKER_SECRET } from './fixtures/fake-provider';
import { tempDir } from './helpers';
import { send } from './http-client';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
let bundleDir: string;
let worker: string;

beforeAll(async () => {
  // Inside the repository (in the git-ignored .tmp/), so that node resolves the
  // external better-sqlite3 from the repository's node_modules.
  await mkdir(join(repo, '.tmp'), { recursive: true });
  bundleDir = await mkdtemp(join(repo, '.tmp', 'intake-worker-'));
  worker = join(bundleDir, 'worker.mjs');
  await build({
    entryPoints: [join(repo, 'test/intake/fixtures/worker.ts')],
    outfile: worker,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    plugins: [
      {
        name: 'idv-providers-from-source',
        setup(b) {
          b.onResolve({ filter: /^idv-providers$/ }, () => ({ path: join(repo, 'src/index.ts') }));
          // The worker never loads a built-in adapter: the registry's lazy imports stay external.
          b.onResolve({ filter: /^idv-providers\// }, (args) => ({
            path: args.path,
            external: true,
          }));
        },
      },
    ],
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(bundleDir, { recursive: true, force: true });
});

interface Worker {
  child: ChildProcess;
  /** Resolves with the next stdout JSON line that has `key`. */
  next(key: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(config: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [worker, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    for (const wake of waiters.splice(0)) wake();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  const next = async (key: string) => {
    for (;;) {
      const index = lines.findIndex((line) => key in line);
      if (index !== -1) return lines.splice(index, 1)[0]!;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`worker exited before printing ${key}: ${stderr}`);
      }
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  return { child, next, exited };
}

async function kill(w: Worker) {
  w.child.kill('SIGKILL');
  return w.exited;
}

describe('crash after the 2xx answer (SQLite store, real processes)', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: string;
  const running: Worker[] = [];

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    db = join(dir, 'events.sqlite');
  });
  afterEach(async () => {
    for (const w of running.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) await kill(w);
    }
    await remove();
  });

  it('processes the event exactly once in a new worker after the receiving worker is killed', async () => {
    const receiver = startWorker({ mode: 'serve', db, processor: 'off' });
    running.push(receiver);
    const { port } = (await receiver.next('port')) as { port: number };
    const { body, headers } = fakeDelivery({ id: 'crash-1' }, WORKER_SECRET);
    const first = await send({ port, headers, body });
    const again = await send({ port, headers, body });
    expect([first.status, again.status]).toEqual([200, 200]);
    const { id } = JSON.parse(first.body) as { id: string };
    expect((JSON.parse(again.body) as { duplicate: boolean }).duplicate).toBe(true);

    expect(await kill(receiver)).toEqual({ code: null, signal: 'SIGKILL' });

    const out = join(dir, 'handled.txt');
    const restarted = startWorker({ mode: 'process', db, out });
    running.push(restarted);
    expect(await restarted.next('completed')).toEqual({
      completed: 1,
      rejected: 0,
      retried: 0,
      deferred: 0,
      deadLettered: 0,
    });
    expect((await restarted.exited).code).toBe(0);

    const second = startWorker({ mode: 'process', db, out });
    running.push(second);
    expect(await second.next('completed')).toMatchObject({ completed: 0 });
    expect((await second.exited).code).toBe(0);

    expect((await readFile(out, 'utf8')).trim().split('\n')).toEqual([`${id} 1`]);
    const store = await createSqliteStore({ path: db });
    expect(await store.counts()).toEqual({
      queued: 0,
      processing: 0,
      done: 1,
      skipped: 0,
      dead: 0,
    });
    await store.close();
  });

  it('reclaims an event after the lease of a worker killed mid-processing runs out', async () => {
    const leaseMs = 400;
    const receiver = startWorker({ mode: 'serve', db, processor: 'blocked', leaseMs });
    running.push(receiver);
    const { port } = (await receiver.next('port')) as { port: number };
    const { body, headers } = fakeDelivery({ id: 'crash-2' }, WORKER_SECRET);
    const answer = await send({ port, headers, body });
    expect(answer.status).toBe(200);
    const { id } = JSON.parse(answer.body) as { id: string };
    expect(await receiver.next('blocked')).toEqual({ blocked: 'chk-crash-2' });
    await kill(receiver);

    const store = await createSqliteStore({ path: db });
    const held = await store.get(id);
    expect(held).toMatchObject({ state: 'processing', attempts: 1 });
    const handled: ResultDelivery[] = [];
    const processor = createProcessor({
      store,
      providers: createFakeProvider(WORKER_SECRET),
      leaseMs,
      handler: (delivery) => {
        handled.push(delivery);
      },
    });
    expect(await processor.drain()).toMatchObject({ completed: 0 });
    const wait = (held?.leaseUntil ?? 0) - Date.now() + 20;
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    expect(await processor.drain()).toMatchObject({ completed: 1 });
    expect(await processor.drain()).toMatchObject({ completed: 0 });
    expect(handled.map((d) => [d.eventId, d.attempt])).toEqual([[id, 2]]);
    expect((await store.get(id))?.state).toBe('done');
    await store.close();
  });
});

describe('a worker whose entry point only calls processor.start() (real processes)', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let db: string;
  let out: string;
  const running: Worker[] = [];

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    db = join(dir, 'events.sqlite');
    out = join(dir, 'handled.txt');
  });
  afterEach(async () => {
    for (const w of running.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) await kill(w);
    }
    await remove();
  });

  /** Three events, due 1.5 s from now (a retry's backoff): the first poll finds nothing due. */
  async function queueLater(): Promise<string[]> {
    const store = await createSqliteStore({ path: db });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { event } = await store.insertIfAbsent({
        event: {
          provider: 'fake',
          type: 'check.completed',
          dedupeKey: `fake:check.completed:later-${i}`,
          session: { provider: 'fake', attemptId: `chk-later-${i}` },
          actionable: true,
        },
        state: 'queued',
        now: Date.now() + 1500,
      });
      ids.push(event.id);
    }
    await store.close();
    return ids;
  }

  it('stays alive and processes events that fall due later, then stops gracefully on SIGTERM with code 0', async () => {
    const ids = await queueLater();
    const w = startWorker({ mode: 'start', db, out });
    running.push(w);
    await w.next('started');
    for (let waited = 0; waited < 10_000; waited += 100) {
      const handled = await readFile(out, 'utf8').catch(() => '');
      if (handled.trim().split('\n').filter(Boolean).length === ids.length) break;
      expect(w.child.exitCode).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await readFile(out, 'utf8')).trim().split('\n').sort()).toEqual([...ids].sort());
    w.child.kill('SIGTERM');
    expect(await w.next('stopped')).toEqual({ stopped: 'SIGTERM' });
    expect(await w.exited).toEqual({ code: 0, signal: null });
    const store = await createSqliteStore({ path: db });
    expect(await store.counts()).toMatchObject({ done: 3, queued: 0, processing: 0 });
    await store.close();
  });

  it('with keepAlive: false, lets the process exit when nothing else holds it', async () => {
    await queueLater();
    const w = startWorker({ mode: 'start', db, out, keepAlive: false });
    running.push(w);
    await w.next('started');
    const started = Date.now();
    expect(await w.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(1500);
    const store = await createSqliteStore({ path: db });
    expect((await store.counts()).queued).toBe(3);
    await store.close();
  });
});
