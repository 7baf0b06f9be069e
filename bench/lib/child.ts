/**
 * Child processes for the benches that must not share a process: cold
 * imports and peak memory. Every child has a deadline and is killed past it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a finished child printed, how it ended and how long it ran. */
export interface ChildRun {
  stdout: string;
  stderr: string;
  status: number | null;
  /** From spawning the process to its exit, milliseconds. */
  wallMs: number;
}

/** Options of {@link runChild}. */
export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) past this many milliseconds. Default 60 s. */
  timeoutMs?: number;
}

/** Runs `node <args>` and waits for it to exit. */
export function runChild(args: readonly string[], options: ChildOptions = {}): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const began = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ stdout, stderr, status, wallMs: performance.now() - began });
    });
  });
}

/** The last line of a child's output, parsed as JSON; throws with its output when it failed. */
export function jsonResult<T>(run: ChildRun, what: string): T {
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${what} failed (exit ${run.status}):\n${run.stderr}\n${run.stdout}`);
  }
  return JSON.parse(line) as T;
}

/** Arguments that run a TypeScript bench file in a child the way this process runs (tsx). */
export function tsxArgs(script: string, args: readonly string[], nodeFlags: string[] = []) {
  return [...nodeFlags, ...process.execArgv, script, ...args];
}

/** Whether the module at `url` is the script this process was started with. */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && resolve(entry) === fileURLToPath(url);
}

/** The value of a `--name=value` argument. */
export function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}
