/**
 * `idv-providers intake`: an operator's view of the webhook intake's event
 * store, and the few things to do about it — the same operations the API
 * offers (`stats`, `listDeadLetters`, `redrive`, `purge`, `purgeSubject` on
 * the store; the processor has them too):
 *
 * - `stats`: events by state (and by tenant, when events name one), the
 *   backlog due now, deadlines waiting;
 * - `dead-letters`: dead events with their last error;
 * - `redrive <id>...` or `--all`: queue dead events again;
 * - `purge --older-than <age>`: delete finished events by age (keys kept);
 * - `purge --subject <id> --provider <name>`: delete one identity's events.
 *
 * It reads only the store: no provider is created and no request is sent, so
 * it works on a worker's host without the provider's credentials. It names no
 * provider: `--provider` is checked against the registry's definitions.
 *
 * @module
 */
import { defaultRegistry, type EventStore, type ProviderRegistry } from 'idv-providers';
import { type Flags, integerFlag, listFlag, parseCommandArgs, stringFlag } from './args';
import { EXIT, type ExitCode, LocalError, nameForMessage, UsageError } from './exit-codes';
import { deadLetterJson, environmentSecrets, printDeadLetters, printStats } from './intake-report';
import { type OpenedStore, openStore, parseAge, showAge } from './intake-store';
import type { CliIO } from './io';
import { type Terminal, terminal } from './term';
import { INTAKE_USAGE } from './usage';
import { joinWords } from './words';

const COMMAND = 'intake';

const FLAGS = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  'older-than': { type: 'string' },
  states: { type: 'string' },
  'forget-keys-older-than': { type: 'string' },
  subject: { type: 'string' },
  provider: { type: 'string' },
  attempt: { type: 'string' },
} as const;

/** Which flags each subcommand takes besides `--store`. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  stats: ['json'],
  'dead-letters': ['json', 'limit'],
  redrive: ['all'],
  purge: ['older-than', 'states', 'forget-keys-older-than', 'subject', 'provider', 'attempt'],
};

const FINISHED = new Set(['done', 'skipped', 'dead']);

/** An id as it may be echoed: store ids are UUIDs; anything else is not repeated (it may be a secret). */
const echoId = (id: string): string => (/^[A-Za-z0-9_-]{1,80}$/.test(id) ? id : '(an argument)');

type Run = (store: OpenedStore, flags: Flags, rest: string[], t: Terminal) => Promise<ExitCode>;

/** Runs `intake`. */
export async function runIntake(
  argv: readonly string[],
  io: CliIO,
  registry: ProviderRegistry = defaultRegistry,
): Promise<ExitCode> {
  const t = terminal(io);
  const { flags, positionals } = parseCommandArgs(argv, FLAGS, COMMAND, { positionals: true });
  const [sub, ...rest] = positionals;
  if (flags['help'] === true || sub === undefined) {
    if (sub === undefined && flags['help'] !== true) {
      throw new UsageError(
        'no intake command given: stats, dead-letters, redrive or purge',
        COMMAND,
      );
    }
    t.out.raw(INTAKE_USAGE);
    return EXIT.ok;
  }
  const allowed = Object.hasOwn(ALLOWED, sub) ? ALLOWED[sub] : undefined;
  if (allowed === undefined) {
    throw new UsageError(
      `unknown intake command ${nameForMessage(sub)}: expected stats, dead-letters, redrive or purge`,
      COMMAND,
    );
  }
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined || name === 'store' || name === 'help' || allowed.includes(name))
      continue;
    throw new UsageError(`option --${name} is not for "intake ${sub}"`, COMMAND);
  }
  if (sub !== 'redrive' && rest.length > 0) {
    throw new UsageError(`"intake ${sub}" takes no arguments besides its options`, COMMAND);
  }
  // Flags are checked before the store is opened, so a usage error touches nothing.
  const plan = sub === 'purge' ? purgePlan(flags) : undefined;
  const runs: Record<string, Run> = {
    stats: runStats,
    'dead-letters': (store, f, _, term) => runDeadLetters(store, f, term, io),
    redrive: runRedrive,
    purge: (store, _f, _r, term) => runPurge(store, plan!, term, registry),
  };
  const opened = await openStore(stringFlag(flags, 'store', COMMAND), io, COMMAND);
  try {
    return await runs[sub]!(opened, flags, rest, t);
  } finally {
    await opened.store.close();
  }
}

async function runStats({ store, shown }: OpenedStore, flags: Flags, _: string[], t: Terminal) {
  const now = Date.now();
  const stats = await store.stats(now);
  if (flags['json'] === true) t.out.line(JSON.stringify({ store: shown, ...stats }, null, 2));
  else printStats(t.out, shown, stats, now);
  return EXIT.ok;
}

async function runDeadLetters({ store, shown }: OpenedStore, flags: Flags, t: Terminal, io: CliIO) {
  const limit = integerFlag(flags, 'limit', COMMAND, { min: 1, max: 10_000, fallback: 20 });
  const dead = await store.listDeadLetters({ limit });
  const secrets = environmentSecrets(io.env);
  if (flags['json'] === true) {
    t.out.line(
      JSON.stringify(
        dead.map((event) => deadLetterJson(event, secrets)),
        null,
        2,
      ),
    );
  } else {
    printDeadLetters(t.out, shown, dead, secrets);
  }
  return EXIT.ok;
}

async function runRedrive({ store }: OpenedStore, flags: Flags, ids: string[], t: Terminal) {
  if ((flags['all'] === true) === ids.length > 0) {
    throw new UsageError('give the ids of the dead letters to queue again, or --all', COMMAND);
  }
  const targets = flags['all'] === true ? (await allDead(store)).map((e) => e.id) : ids;
  const now = Date.now();
  const missing: string[] = [];
  let requeued = 0;
  for (const id of targets) {
    if (await store.redrive(id, now)) requeued += 1;
    else missing.push(id);
  }
  if (requeued > 0 || missing.length === 0) {
    t.out.ok(`queued ${requeued} dead letter${requeued === 1 ? '' : 's'} again, attempts reset`);
  }
  if (missing.length === 0) return EXIT.ok;
  throw new LocalError(
    `not dead letters (unknown, or no longer dead): ${missing.map(echoId).join(', ')}`,
  );
}

async function allDead(store: EventStore) {
  return store.listDeadLetters({ limit: Number.MAX_SAFE_INTEGER });
}

/** What `purge` was asked to do, checked before the store is opened. */
type PurgePlan =
  | { by: 'age'; olderThan: number; states: Array<'done' | 'skipped' | 'dead'>; forget?: number }
  | { by: 'subject'; subject: string; provider: string; attempts: string[] };

function purgePlan(flags: Flags): PurgePlan {
  const olderThan = stringFlag(flags, 'older-than', COMMAND);
  const subject = stringFlag(flags, 'subject', COMMAND);
  if ((olderThan === undefined) === (subject === undefined)) {
    throw new UsageError(
      'purge needs either --older-than <age> or --subject <id> --provider <name>',
      COMMAND,
    );
  }
  if (subject !== undefined) {
    const provider = stringFlag(flags, 'provider', COMMAND);
    if (provider === undefined) throw new UsageError('--subject needs --provider <name>', COMMAND);
    for (const name of ['states', 'forget-keys-older-than']) {
      if (flags[name] !== undefined) throw new UsageError(`--${name} is for --older-than`, COMMAND);
    }
    return {
      by: 'subject',
      subject,
      provider,
      attempts: listFlag(flags, 'attempt', COMMAND) ?? [],
    };
  }
  for (const name of ['provider', 'attempt']) {
    if (flags[name] !== undefined) throw new UsageError(`--${name} is for --subject`, COMMAND);
  }
  const states = listFlag(flags, 'states', COMMAND) ?? ['done', 'skipped', 'dead'];
  const wrong = states.filter((state) => !FINISHED.has(state));
  if (wrong.length > 0) {
    throw new UsageError('--states takes finished states only: done, skipped, dead', COMMAND);
  }
  const forget = stringFlag(flags, 'forget-keys-older-than', COMMAND);
  return {
    by: 'age',
    olderThan: parseAge(olderThan!, 'older-than', COMMAND),
    states: states as Array<'done' | 'skipped' | 'dead'>,
    ...(forget === undefined
      ? {}
      : { forget: parseAge(forget, 'forget-keys-older-than', COMMAND) }),
  };
}

async function runPurge(
  { store }: OpenedStore,
  plan: PurgePlan,
  t: Terminal,
  registry: ProviderRegistry,
): Promise<ExitCode> {
  const now = Date.now();
  if (plan.by === 'subject') {
    if (!registry.has(plan.provider)) {
      t.err.warn(
        `"${echoId(plan.provider)}" is not a provider this command knows (${joinWords(registry.names(), 'or')}): deleting its events all the same`,
      );
    }
    const deleted = await store.purgeSubject(plan.provider, plan.subject, {
      attemptIds: plan.attempts,
    });
    t.out.ok(
      `deleted ${deleted} event${deleted === 1 ? '' : 's'} of ${plan.provider} subject ${echoId(plan.subject)}, with the keys kept for them and the results they delivered`,
    );
    return EXIT.ok;
  }
  const deleted = await store.purge({
    before: now - plan.olderThan,
    states: plan.states,
    forgetKeysBefore: plan.forget === undefined ? undefined : now - plan.forget,
  });
  const keys =
    plan.forget === undefined
      ? 'their de-duplication keys are kept'
      : `keys older than ${showAge(plan.forget)} forgotten`;
  t.out.ok(
    `deleted ${deleted} ${plan.states.join('/')} event${deleted === 1 ? '' : 's'} older than ${showAge(plan.olderThan)} (${keys})`,
  );
  return EXIT.ok;
}
