/**
 * A throwaway PostgreSQL cluster for the tests and the bench: `initdb` into a
 * temporary folder, `pg_ctl start` on a free port of 127.0.0.1 (its unix socket
 * in that folder too, fsync off), and a `stop()` that stops it and deletes the
 * folder. The server binaries come from `IDV_PG_BINDIR` when it is set, else
 * Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`, newest
 * first) or the `PATH`.
 *
 * `initdb` refuses to run as root: as root, the cluster belongs to the
 * `postgres` user (or `nobody`), and its commands run as that user. A reaper
 * stops the cluster if this process dies without calling `stop()`.
 */
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running cluster. */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the superuser, trusted on 127.0.0.1. */
  url: string;
  port: number;
  /** The temporary folder: data, socket and log. */
  dir: string;
  /** The server binaries' folder. */
  binDir: string;
  /** The server's major version, e.g. `15`. */
  version: string;
  /** Stops the server at once, as a crash would (`pg_ctl stop -m immediate`); the folder stays. */
  kill(): Promise<void>;
  /** Starts the server again after {@link kill}, on the same port. */
  restart(): Promise<void>;
  /** Stops the server (immediate shutdown) and deletes its folder. */
  stop(): Promise<void>;
}

/** How to get the server binaries, for messages. */
export const INSTALL_HINT =
  'install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install -y postgresql, or run ' +
  'bash scripts/install-postgres.sh), set IDV_PG_BINDIR to their folder, or set IDV_POSTGRES_URL ' +
  'to a server of your own';

const hasTools = (dir: string) =>
  existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));

/**
 * The folder holding `initdb` and `pg_ctl`, or `undefined` when none is
 * installed. `IDV_PG_BINDIR`, when set, is the only folder looked at.
 */
export function findPostgresBinaries(): string | undefined {
  const fromEnv = process.env['IDV_PG_BINDIR'];
  if (fromEnv !== undefined && fromEnv !== '') return hasTools(fromEnv) ? fromEnv : undefined;
  const candidates: string[] = [];
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  for (const dir of (process.env['PATH'] ?? '').split(':')) if (dir !== '') candidates.push(dir);
  return candidates.find(hasTools);
}

/** The unprivileged user to run the server as when this process is root. */
function serverUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) {
      return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name };
    }
  }
  throw new Error('postgres-cluster: running as root, and there is no "postgres" or "nobody" user');
}

function run(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * The reaper: a detached shell, as the cluster's user, that stops the cluster
 * and deletes its folder once this process is gone, however it ended (a test
 * run killed with SIGKILL or by a timeout runs no teardown). `stop()` ends it first.
 */
const REAPER = `
owner=$1; pg_ctl=$2; data=$3; dir=$4
alive() { if [ -d /proc/self ]; then [ -d "/proc/$owner" ]; else kill -0 "$owner" 2>/dev/null; fi; }
while alive; do sleep 1; done
"$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$dir"
`;

function startReaper(pgCtl: string, data: string, dir: string, as: SpawnOptions): ChildProcess {
  const reaper = spawn(
    'sh',
    ['-c', REAPER, 'idv-pg-reaper', String(process.pid), pgCtl, data, dir],
    {
      ...as,
      detached: true,
      stdio: 'ignore',
    },
  );
  reaper.unref();
  return reaper;
}

/** Options of {@link startPostgresCluster}. */
export interface ClusterOptions {
  /** The server binaries' folder. Default {@link findPostgresBinaries}. */
  binDir?: string | undefined;
  /**
   * Flush the WAL to disk at every commit, as a production server does.
   * Default `false` (`fsync=off`): the tests need no durability past a crash
   * of the machine, and run faster. The bench turns it on.
   */
  fsync?: boolean | undefined;
}

/** Starts a cluster; throws with the tools' output when it cannot. */
export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const binDir = options.binDir ?? findPostgresBinaries();
  if (binDir === undefined)
    throw new Error(`postgres-cluster: no server binaries: ${INSTALL_HINT}`);
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'idv-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const as: SpawnOptions = {
    cwd: dir,
    env: { ...process.env, LC_ALL: 'C', PGTZ: 'UTC' },
    ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
  };
  const pgCtl = join(binDir, 'pg_ctl');
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    if (user !== undefined) await chown(dir, user.uid, user.gid);
    const init = await run(
      join(binDir, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      as,
    );
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`);
    const version = (await readFile(join(data, 'PG_VERSION'), 'utf8')).trim();
    // A port found free may be taken before the server binds it: try a few.
    for (let tries = 1; ; tries++) {
      const port = await freePort();
      const settings = [
        '-c listen_addresses=127.0.0.1',
        `-p ${port}`,
        `-k ${dir}`,
        ...(options.fsync === true ? [] : ['-c fsync=off', '-c full_page_writes=off']),
        '-c max_connections=400',
        '-c shared_buffers=64MB',
      ].join(' ');
      const start = () =>
        run(pgCtl, ['-D', data, '-l', log, '-w', '-t', '60', '-o', settings, 'start'], as, 90_000);
      const started = await start();
      if (started.code === 0) {
        const reaper = startReaper(pgCtl, data, dir, as);
        return {
          url: `postgres://postgres@127.0.0.1:${port}/postgres`,
          port,
          dir,
          binDir,
          version,
          async kill() {
            const stopped = await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], as);
            if (stopped.code !== 0) throw new Error(`pg_ctl stop failed:\n${stopped.output}`);
          },
          async restart() {
            const again = await start();
            if (again.code !== 0) throw new Error(`pg_ctl start failed:\n${again.output}`);
          },
          async stop() {
            reaper.kill();
            await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], as).catch(() => {});
            await removeDir();
          },
        };
      }
      const serverLog = await readFile(log, 'utf8').catch(() => '');
      if (tries >= 3 || !/could not bind|address already in use/i.test(serverLog)) {
        throw new Error(
          `pg_ctl start failed (exit ${started.code}):\n${started.output}\n${serverLog}`,
        );
      }
    }
  } catch (error) {
    await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], as).catch(() => {});
    await removeDir();
    throw error;
  }
}
