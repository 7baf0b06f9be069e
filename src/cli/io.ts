/**
 * What the CLI reads from and writes to, passed in so the commands run the same
 * in a terminal and in-process under a test.
 *
 * @module
 */

/** A text sink: `process.stdout`, or a test's buffer. */
export interface CliWriter {
  write(text: string): unknown;
  /** True when the sink is a terminal (colour is used only then). */
  isTTY?: boolean | undefined;
}

/** The CLI's surroundings. */
export interface CliIO {
  /** Results and reports. */
  stdout: CliWriter;
  /** Progress, warnings and errors. */
  stderr: CliWriter;
  /** Environment variables (`process.env` in the executable). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string | undefined;
  /**
   * Ends long-running commands (`emulator`) when aborted. The executable aborts
   * it on SIGINT or SIGTERM.
   */
  signal?: AbortSignal | undefined;
}
