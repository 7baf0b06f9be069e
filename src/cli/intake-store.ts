/**
 * Which event store `idv-providers intake` operates on, and the ages its
 * flags take.
 *
 * The store is named by a spec, `<kind>:<where>`, from `--store` or the
 * `IDV_STORE` environment variable: `sqlite:<path>` opens the intake's SQLite
 * file (which must exist: an operator's typo must not create an empty store
 * and report it healthy); `postgres://user:password@host/db` (or
 * `postgresql://`) the PostgreSQL store, without migrating it (its tables
 * must be at the version this library needs). A spec is printed with any
 * password masked, and never in an error.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPostgresStore, createSqliteStore, type EventStore } from 'idv-providers';
import { LocalError, UsageError } from './exit-codes';
import type { CliIO } from './io';
import { displayValue } from './mask';

/** The environment variable naming the store when `--store` is not given. */
export const STORE_ENV = 'IDV_STORE';

/** An opened store, with the spec it was opened from (for messages). */
export interface OpenedStore {
  store: EventStore;
  /** The spec as it may be printed (passwords masked). */
  shown: string;
}

type Opener = (where: string, io: CliIO, spec: string) => Promise<EventStore>;

/** An operator's command checks the tables rather than changing them. */
const postgres: Opener = async (_where, _io, spec) =>
  createPostgresStore({ connectionString: spec, migrate: false });

/** The kinds of store a spec may name, by the part before its first `:`, with the form to show. */
const OPENERS: Readonly<Record<string, { open: Opener; form: string }>> = {
  sqlite: {
    form: 'sqlite:<path>',
    async open(where, io) {
      const path = resolve(io.cwd ?? process.cwd(), where);
      if (!existsSync(path) || !statSync(path).isFile()) {
        throw new LocalError(`no event store at ${where}: the file does not exist`);
      }
      return createSqliteStore({ path });
    },
  },
  postgres: { form: 'postgres://<user>:<password>@<host>/<database>', open: postgres },
  postgresql: { form: 'postgresql://...', open: postgres },
};

/** The store a spec names, as it may be printed. */
export function showSpec(spec: string): string {
  return displayValue('store', spec);
}

/**
 * Opens the store `--store` (or `IDV_STORE`) names. A missing or malformed
 * spec is a usage error (exit 2); a store that cannot be opened is a local
 * failure (exit 1), or the library's `StoreError`.
 */
export async function openStore(
  flag: string | undefined,
  io: CliIO,
  command: string,
): Promise<OpenedStore> {
  const spec = flag ?? io.env[STORE_ENV];
  if (spec === undefined || spec.trim() === '') {
    throw new UsageError(
      `no event store given: pass --store sqlite:<path>, or set ${STORE_ENV}`,
      command,
    );
  }
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? '' : spec.slice(0, colon);
  const where = colon < 0 ? '' : spec.slice(colon + 1);
  const opener = Object.hasOwn(OPENERS, kind) ? OPENERS[kind] : undefined;
  const url = kind !== 'sqlite';
  if (opener === undefined || where.trim() === '' || (url && !where.startsWith('//'))) {
    throw new UsageError(
      `the store must be given as ${OPENERS['sqlite']?.form} or ${OPENERS['postgres']?.form}`,
      command,
    );
  }
  return { store: await opener.open(where, io, spec), shown: showSpec(spec) };
}

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** An age such as `30d`, `12h`, `90m`, `45s` or `500ms`, in milliseconds. */
export function parseAge(text: string, flag: string, command: string): number {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (match === null) {
    throw new UsageError(
      `option --${flag} must be an age such as 30d, 12h, 90m, 45s or 500ms`,
      command,
    );
  }
  return Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
}

/** An age for messages: the largest whole unit (`30d`, `90m`). */
export function showAge(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit] ?? 1;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
