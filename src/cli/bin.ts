#!/usr/bin/env node
/**
 * The `idv-providers` executable: runs the CLI with the process's streams and
 * environment, aborts long-running commands on SIGINT or SIGTERM (a second
 * signal ends the process at once), and exits with the CLI's code.
 *
 * @module
 */
import { runCli } from './main';

const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => {
  if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
  stop.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
process.exit(code);
