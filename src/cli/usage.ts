/**
 * The `--help` text of every command.
 *
 * The help of `emulator` is built from the emulators it serves (their flags,
 * paths, deliveries). The other texts are prose about the built-in providers,
 * kept in step with docs/cli.md: their examples name them.
 *
 * @module
 */
import type { EmulatorServing } from 'idv-providers/emulator-kit';
import { joinWords, wrap } from './words';

const EXIT_CODES = `Exit codes:
  0  done (for check: the credentials were accepted)
  1  local failure (a file could not be written, the port is taken, an unexpected error)
  2  usage or configuration error (unknown command or option, missing or invalid option, unknown provider)
  3  the provider refused the credentials (HTTP 401/403, OAuth2 invalid_client)
  4  the provider could not be used (unreachable, timeout, 429, 5xx, another error answer)`;

const CONFIG_FLAGS = `  --config <file.json>   read the configuration from a JSON file: {"provider": "onfido", ...}.
                         A string value may contain \${NAME}: the environment variable NAME
                         (so secrets stay out of the file)
  --env-file <.env>      read NAME=value lines into the environment first (variables already
                         set in the environment win)
  Without --config, the configuration comes from the environment: IDV_PROVIDER and
  IDV_<PROVIDER>_<OPTION> (IDV_ONFIDO_API_TOKEN, IDV_JUMIO_CLIENT_SECRET, ...), as the
  library's configFromEnv() reads it.`;

/** `idv-providers --help`. */
export const MAIN_USAGE = `Usage: idv-providers <command> [options]

Commands:
  check               validate the configuration and test the connection to the provider
  webhooks register   register your Onfido webhook URL and get its signing token
  emulator            serve the Onfido and Jumio emulators over HTTP for a backend in any language
  intake              the webhook intake's event store: stats, dead letters, redrive, purge
  help [command]      show a command's help

Options:
  -h, --help          show help
  -v, --version       show the version

Run "idv-providers <command> --help" for a command's options.

${EXIT_CODES}
`;

/** `idv-providers check --help`. */
export const CHECK_USAGE = `Usage: idv-providers check [--config <file.json>] [--env-file <.env>]

Validates the configuration, then proves the credentials with the provider's
connection check (Onfido: an authenticated GET /applicants; Jumio: obtaining an
OAuth2 token, or a Netverify retrieval call in legacy mode). Prints the provider,
the base URL that answered, the latency and what was checked. Secrets are shown
masked (the first 4 characters, or ***).

Options:
${CONFIG_FLAGS}
  -h, --help             show this help

Examples:
  IDV_PROVIDER=onfido IDV_ONFIDO_API_TOKEN=... IDV_ONFIDO_VERIFICATION_SITE_URL=https://verify.example.com \\
    idv-providers check
  idv-providers check --config idv.json --env-file .env

${EXIT_CODES}
`;

/** `idv-providers webhooks --help`. */
export const WEBHOOKS_USAGE = `Usage: idv-providers webhooks register --url <https-url> [options]

Commands:
  register   register (or find) the Onfido webhook for a URL and get its signing token

Run "idv-providers webhooks register --help" for its options.
`;

/** `idv-providers webhooks register --help`. */
export const WEBHOOKS_REGISTER_USAGE = `Usage: idv-providers webhooks register --url <https-url> [options]

Registers your webhook endpoint with Onfido (GET /webhooks, then POST /webhooks
if the URL is not registered yet), so running it twice is safe: the second run
finds the same webhook and its same token. Onfido only: Jumio has no webhook
registration API (it calls the callbackUrl each transaction names: set
IDV_JUMIO_CALLBACK_URL instead).

The webhook's signing token is a secret: store it as IDV_ONFIDO_WEBHOOK_TOKEN.
It is not printed unless you ask:
  --token-file <path>    write the token to this file (created with mode 0600,
                         replaced if it exists), then load it into your secret store
  --show-token           print the token once on stdout (only there, never on stderr),
                         on a line marked as a secret
With neither, the command registers the webhook and tells you how to get the token.

Options:
  --url <https-url>      your webhook endpoint, e.g. https://cas.example.com/serverapi/apiv1/identity-check/onfidowh
  --events <a,b,...>     events to subscribe to (default: all), e.g. check.completed,workflow_run.completed
${CONFIG_FLAGS}
  -h, --help             show this help

The configuration must name provider "onfido" (its apiToken, region or baseUrl).
If it already holds a webhookToken, the command says whether it matches.

${EXIT_CODES}
`;

/** `idv-providers intake --help`. */
export const INTAKE_USAGE = `Usage: idv-providers intake <stats|dead-letters|redrive|purge> [--store sqlite:<path>] [options]

Operates the webhook intake's event store: what waits, what failed, clean-up.
It reads and changes only the store (no provider is called), so it runs on a
worker's host without the provider's credentials.

Commands:
  stats                       events by state (and by tenant, when events name one),
                              the backlog due now and the deadlines waiting
  dead-letters [--limit <n>]  dead events, most recent first, with their last error (default 20)
  redrive <id>... | --all     queue dead events again, attempts reset
  purge --older-than <age>    delete finished events older than <age>, keeping their
                              de-duplication keys (a replayed webhook stays a duplicate)
        [--states done,skipped,dead] [--forget-keys-older-than <age>]
  purge --subject <id> --provider <name> [--attempt <id>,...]
                              delete everything about one identity, in any state: its
                              events, pending deadline, kept keys and delivered results

Options:
  --store <kind>:<where>      the event store: sqlite:<path> (the file must exist), or
                              postgres://<user>:<password>@<host>/<database> (its tables
                              are checked, never migrated; the password is never printed).
                              Default: the IDV_STORE environment variable
  --json                      print JSON (stats, dead-letters)
  -h, --help                  show this help

Ages: 30d, 12h, 90m, 45s, 500ms.

Examples:
  idv-providers intake stats --store sqlite:/var/lib/cas/idv-events.sqlite
  IDV_STORE=sqlite:./idv-events.sqlite idv-providers intake dead-letters --limit 5
  idv-providers intake redrive 6f1c0a52-... --store sqlite:./idv-events.sqlite
  idv-providers intake purge --older-than 30d --store sqlite:./idv-events.sqlite

${EXIT_CODES}
`;

/** The first line of `idv-providers emulator --help`. */
export const EMULATOR_SYNOPSIS =
  'Usage: idv-providers emulator [--port 4010] [--host 127.0.0.1] [options]';

/** An emulator `idv-providers emulator` serves: the provider's name and its serving part. */
export interface UsageServing {
  /** The provider's name (`provider` in the control endpoints' bodies). */
  name: string;
  /** How it is served. */
  serving: EmulatorServing;
}

/** An option's help: its spelling and its description, one line or several. */
type OptionHelp = readonly [string, string | readonly string[]];

function optionTable(options: readonly OptionHelp[]): string {
  const width = Math.max(...options.map(([usage]) => usage.length));
  return options
    .flatMap(([usage, description]) => {
      const [first = '', ...rest] = typeof description === 'string' ? [description] : description;
      return [
        `  ${usage.padEnd(width)}  ${first}`,
        ...rest.map((line) => `${' '.repeat(width + 4)}${line}`),
      ];
    })
    .join('\n');
}

function mountTable(servings: readonly UsageServing[]): string {
  const mounts = servings.flatMap(({ serving }) => serving.mounts);
  // URLs start in column 22 unless a label is longer.
  const width = Math.max(18, ...mounts.map((m) => m.label.length));
  return mounts
    .map(
      (m) =>
        `  ${m.label.padEnd(width)}  http://<host>:<port>${m.path}${m.note === undefined ? '' : `   ${m.note}`}`,
    )
    .join('\n');
}

/**
 * `idv-providers emulator --help`, for the emulators served: their flags
 * (`--<provider>-<flag>`), their paths and what their deliveries and journeys
 * do come from their entries' serving part.
 */
export function emulatorUsage(servings: readonly UsageServing[]): string {
  const names = servings.map(({ serving }) => serving.displayName);
  const emulators =
    names.length === 0 ? 'the emulators' : `the ${joinWords(names, 'and')} emulators`;
  const intro = wrap(
    `Serves ${emulators} on one port, over real HTTP, so a backend in any language can be pointed at them. Prints the base URLs, the credentials the emulators accept (fake ones) and the environment variables to export. Runs until Ctrl-C (SIGINT) or SIGTERM, then closes and exits 0.`,
    80,
  ).join('\n');
  const providerFlags: OptionHelp[] = servings.flatMap(({ name, serving }) =>
    serving.flags.map(
      (flag): OptionHelp => [
        `--${name}-${flag.name}${flag.boolean === true || flag.value === '' ? '' : ` ${flag.value}`}`,
        flag.description,
      ],
    ),
  );
  const options = optionTable([
    ['--port <n>', 'port to listen on (default 4010; 0 picks a free one)'],
    [
      '--host <address>',
      [
        "address to bind (default 127.0.0.1). URLs in the emulators'",
        'answers use this address, so bind one your backend reaches',
      ],
    ],
    ...providerFlags,
    [
      '--deliver-to <origin>',
      [
        'send every webhook and callback to this origin instead of the',
        "registered URL's, keeping the path (as a TLS proxy in front of",
        'your backend would), e.g. http://127.0.0.1:8080',
      ],
    ],
    ['--quiet', 'do not log each request'],
    ['-h, --help', 'show this help'],
  ]);
  const deliveries = servings.map(({ serving }) => serving.deliveries);
  const delivered = wrap(
    `Webhooks and callbacks are POSTed over HTTP to the URL registered${deliveries.length === 0 ? '' : `: ${joinWords(deliveries, 'and')}`}. URLs on reserved example hosts (example.com, *.example, *.test, *.invalid) are recorded but not sent unless --deliver-to redirects them.`,
    84,
  ).join('\n');
  const providers = servings.map(({ name }) => JSON.stringify(name));
  const journeys = servings.flatMap(({ serving }) =>
    serving.journey === undefined ? [] : [serving.journey],
  );
  const journey = wrap(
    `play the customer: upload the document and selfie${journeys.length === 0 ? '' : ` (${journeys.join('; ')})`}`,
    64,
  ).join(`\n${' '.repeat(34)}`);
  return `${EMULATOR_SYNOPSIS}

${intro}

${mountTable(servings)}

Options:
${options}

${delivered}

Control endpoints, to drive scenarios from a test in any language (JSON bodies;
provider is ${providers.length === 0 ? "the provider's name" : joinWords(providers, 'or')}):
  GET  /_emulator                 base URLs, credentials and these endpoints
  POST /_emulator/verdict         {"provider", "subjectId", "reason", "person"?}
                                  choose the verdict by reason code (CLEAR, CAUTION_DATA_COMPARISON,
                                  SUSPECTED_..., REJECTED_..., EXPIRED) before the customer finishes
  POST /_emulator/journey         {"provider", "session": {"subjectId", "attemptId"?}}
                                  ${journey}
  GET  /_emulator/deliveries      every webhook and callback sent, oldest first (?provider=)
  POST /_emulator/fault           {"provider", "fault": {"kind": "status", "status": 503}, "times"?,
                                  "method"?, "path"?} inject a failure into the next request(s)
  POST /_emulator/reset           {"provider"?} forget all sessions, verdicts, faults, deliveries

${EXIT_CODES}
`;
}
