/**
 * vitest globalSetup: one throwaway PostgreSQL cluster for the whole run (see
 * postgres-cluster.ts), its URL given to the tests as `inject('postgresUrl')`,
 * stopped and deleted at the end.
 *
 * - `IDV_POSTGRES_URL` set: that server is used and nothing is started.
 * - No server binaries, or the cluster does not start: the PostgreSQL tests
 *   skip, and this says so loudly; with `IDV_REQUIRE_POSTGRES=1` (CI) the run
 *   fails instead.
 */
import type { TestProject } from 'vitest/node';
import { findPostgresBinaries, INSTALL_HINT, startPostgresCluster } from './postgres-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server's URL (superuser), or `''` when the PostgreSQL tests skip. */
    postgresUrl: string;
    /** Why the PostgreSQL tests skip, when they do. */
    postgresSkipReason: string;
  }
}

const required = process.env['IDV_REQUIRE_POSTGRES'] === '1';

function skip(project: TestProject, reason: string): void {
  if (required) {
    throw new Error(`IDV_REQUIRE_POSTGRES=1, but ${reason}`);
  }
  const bar = '!'.repeat(78);
  console.warn(
    `\n${bar}\n!! PostgreSQL tests SKIPPED: ${reason}\n!! To run them: ${INSTALL_HINT}.\n` +
      `!! (IDV_REQUIRE_POSTGRES=1 makes this a failure, as in CI.)\n${bar}\n`,
  );
  project.provide('postgresUrl', '');
  project.provide('postgresSkipReason', reason);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const external = process.env['IDV_POSTGRES_URL'];
  if (external !== undefined && external !== '') {
    project.provide('postgresUrl', external);
    project.provide('postgresSkipReason', '');
    return;
  }
  const binDir = findPostgresBinaries();
  if (binDir === undefined) {
    skip(project, 'no PostgreSQL server binaries (initdb, pg_ctl) were found');
    return;
  }
  let cluster: Awaited<ReturnType<typeof startPostgresCluster>>;
  try {
    cluster = await startPostgresCluster({ binDir });
  } catch (error) {
    skip(project, `the test cluster did not start: ${(error as Error).message}`);
    return;
  }
  project.provide('postgresUrl', cluster.url);
  project.provide('postgresSkipReason', '');
  return () => cluster.stop();
}
