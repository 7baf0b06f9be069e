/**
 * Loading an optional peer dependency (a database driver) on first use, with
 * the same `ConfigError`s for every store: one that says how to install a
 * missing module, and one that names a module that is there but fails to load.
 *
 * @module
 */
import { ConfigError } from '../errors';

/** What {@link importOptionalPeer} loads, and how a failure is described. */
export interface OptionalPeer {
  /** The store asking, as messages name it (`sqlite-store`). */
  component: string;
  /** The npm package (`better-sqlite3`). */
  module: string;
  /** What needs it, for the message (`the SQLite store`). */
  neededBy: string;
  /** The option that can stand in for it (`Database`). */
  option: string;
  /** What to pass in that option instead (`pass its Database constructor`). */
  instead: string;
  /** Imports the module, the way the running build loads modules. */
  importer: () => Promise<unknown>;
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** A `ConfigError` saying that `peer` is installed but failed to load (first line of the cause's message). */
export function peerLoadFailed(peer: OptionalPeer, error: unknown): ConfigError {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  return new ConfigError(
    `[idv] [${peer.component}] ${peer.module} failed to load: ${name}: ${message.split('\n')[0]}`,
    { option: peer.option },
  );
}

/**
 * Imports `peer`, turning a missing module into a `ConfigError` that says how
 * to install it (or what to pass instead), and any other failure into one
 * that names the module.
 */
export async function importOptionalPeer(peer: OptionalPeer): Promise<unknown> {
  try {
    return await peer.importer();
  } catch (error) {
    if (isModuleNotFound(error)) {
      throw new ConfigError(
        `[idv] [${peer.component}] ${peer.module} is not installed: run "npm install ${peer.module}" ` +
          `(an optional peer dependency, needed only by ${peer.neededBy}), or ${peer.instead} as ` +
          `the "${peer.option}" option`,
        { option: peer.option },
      );
    }
    throw peerLoadFailed(peer, error);
  }
}
