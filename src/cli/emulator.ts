/**
 * `idv-providers emulator`: every registered provider's emulator over HTTP on
 * one port until stopped. The providers' flags (`--<provider>-<flag>`), the
 * banner and the variables to export come from each emulator entry's serving
 * part.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultRegistry, envVarName, type ProviderRegistry } from 'idv-providers';
import { describeUrl } from '../shared/redact';
import { isInsecureHttpUrl } from '../shared/url';
import { type FlagSpec, type Flags, integerFlag, parseCommandArgs, stringFlag } from './args';
import type { DeliveryRecord } from './emulator-deliver';
import {
  loadServings,
  type ProviderServing,
  type RunningEmulators,
  startEmulators,
} from './emulator-server';
import { EXIT, type ExitCode, LocalError, UsageError } from './exit-codes';
import type { CliIO } from './io';
import { type Out, terminal } from './term';
import { emulatorUsage } from './usage';

const COMMAND = 'emulator';

/** The flags of the command itself; each served provider adds its own. */
const OWN_FLAGS: FlagSpec = {
  port: { type: 'string' },
  host: { type: 'string' },
  'deliver-to': { type: 'string' },
  quiet: { type: 'boolean' },
};

/** `--<provider>-<flag>` */
const flagName = (provider: string, flag: string): string => `${provider}-${flag}`;

function flagSpec(servings: readonly ProviderServing[]): FlagSpec {
  const spec: FlagSpec = { ...OWN_FLAGS };
  for (const { name, serving } of servings) {
    for (const flag of serving.flags) {
      spec[flagName(name, flag.name)] = { type: flag.boolean === true ? 'boolean' : 'string' };
    }
  }
  return spec;
}

/** The default port. */
export const DEFAULT_EMULATOR_PORT = 4010;

function httpUrlFlag(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text;
  } catch {
    // reported below
  }
  throw new UsageError(`option --${flag} must be an absolute http(s) URL`, COMMAND);
}

function originFlag(text: string | undefined, flag: string): string | undefined {
  const url = httpUrlFlag(text, flag);
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (parsed.pathname !== '/' || parsed.search !== '') {
    throw new UsageError(
      `option --${flag} must be an origin without a path, e.g. http://127.0.0.1:8080`,
      COMMAND,
    );
  }
  return parsed.origin;
}

function hostFlag(text: string | undefined): string {
  const host = text ?? '127.0.0.1';
  if (host.includes(':') || host.includes('/')) {
    throw new UsageError(
      'option --host must be an IPv4 address or a host name (e.g. 127.0.0.1 or 0.0.0.0)',
      COMMAND,
    );
  }
  return host;
}

/**
 * The variables a backend exports to use one of the served emulators, by
 * provider. Served on an address other than this machine's loopback (`--host
 * 0.0.0.0`, a container's name), the base URLs are plain `http:` to another
 * machine, which a backend accepts only with `IDV_ALLOW_INSECURE_BASE_URL=true`.
 */
export function emulatorEnvironment(
  running: RunningEmulators,
): Array<{ provider: string; variables: Array<[string, string]> }> {
  const insecure: Array<[string, string]> = isInsecureHttpUrl(running.origin)
    ? [[envVarName('', 'allowInsecureBaseUrl'), 'true']]
    : [];
  return running.providers.map(({ name, served }) => ({
    provider: name,
    variables: [
      ['IDV_PROVIDER', name],
      ...served.environment.map(([option, value]): [string, string] => [
        envVarName(name, option),
        value,
      ]),
      ...insecure,
    ],
  }));
}

function printBanner(out: Out, running: RunningEmulators, deliverTo: string | undefined): void {
  const env = emulatorEnvironment(running);
  out.ok(`emulators listening on ${out.style('bold', running.origin)}`);
  out.line();
  for (const { serving, served } of running.providers) {
    out.line(out.style('bold', serving.title));
    out.rows(served.banner);
  }
  out.line(out.style('dim', '(fake credentials: the emulators accept these and nothing else)'));
  out.line();
  running.providers.forEach(({ serving, served }, i) => {
    out.line(out.style('bold', `A backend using ${serving.displayName}:`));
    for (const [name, value] of env[i]?.variables ?? []) out.line(`  export ${name}=${value}`);
    if (served.note !== undefined) out.line(`  ${out.style('dim', `# ${served.note}`)}`);
  });
  out.line();
  out.line(
    `Webhooks and callbacks: ${deliverTo === undefined ? 'POSTed to the URL registered' : `POSTed to ${deliverTo} + the registered URL's path`}`,
  );
  out.line(`Control endpoints: ${running.control} (see idv-providers emulator --help)`);
  out.line(out.style('dim', 'Press Ctrl-C to stop.'));
}

function logRequests(err: Out, running: RunningEmulators): void {
  running.server.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    res.on('close', () => {
      const path = (req.url ?? '/').split('?')[0];
      const status = res.headersSent ? String(res.statusCode) : 'dropped';
      const colour = res.statusCode >= 400 || !res.headersSent ? 'yellow' : 'dim';
      err.line(
        err.style(
          colour,
          `${req.method ?? 'GET'} ${path} → ${status} (${Date.now() - started} ms)`,
        ),
      );
    });
  });
}

function logDelivery(err: Out, record: DeliveryRecord): void {
  const what = `${record.provider} ${record.method} ${describeUrl(record.sentTo ?? record.url)}`;
  if (record.status !== undefined) {
    const line = `↪ ${what} → ${record.status}`;
    err.line(record.status < 300 ? err.style('cyan', line) : err.style('yellow', line));
  } else {
    err.warn(`↪ ${what}: ${record.error ?? 'not sent'}`);
  }
}

const isModuleMissing = (error: unknown): boolean => {
  const code = (error as { code?: unknown }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

/** A failure to load the emulators' code, in words the user can act on. */
function loadFailure(error: unknown): LocalError {
  if (isModuleMissing(error)) {
    return new LocalError(
      'the emulators need the optional package msw: install it with npm install --save-dev msw',
    );
  }
  const message = error instanceof Error ? `: ${error.message}` : '';
  return new LocalError(`the emulators could not be loaded${message}`);
}

function listenFailure(error: unknown, port: number, host: string): LocalError {
  if (isModuleMissing(error)) return loadFailure(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return new LocalError(
      `port ${port} is already in use: choose another with --port (0 picks a free one)`,
    );
  }
  if (code === 'EACCES') return new LocalError(`not allowed to listen on port ${port}`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new LocalError(`cannot listen on ${host}: no such local address`);
  }
  return new LocalError(
    `the emulators could not start${typeof code === 'string' ? ` (${code})` : ''}`,
  );
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * `idv-providers emulator --help` for the emulators of `registry`. Where their
 * code cannot load (msw is not installed), the help leaves them out and says why on `err`.
 */
export async function emulatorHelp(
  err: Out,
  registry: ProviderRegistry = defaultRegistry,
): Promise<string> {
  try {
    return emulatorUsage(await loadServings(registry));
  } catch (error) {
    err.warn(loadFailure(error).message);
    return emulatorUsage([]);
  }
}

/** The values of each served provider's flags, by provider name, then flag name. */
function providerFlags(
  flags: Flags,
  servings: readonly ProviderServing[],
): Record<string, Record<string, string | undefined>> {
  const values: Record<string, Record<string, string | undefined>> = {};
  for (const { name } of servings) values[name] = {};
  // URLs first, then the rest, each in the providers' order.
  for (const urls of [true, false]) {
    for (const { name, serving } of servings) {
      for (const flag of serving.flags) {
        if ((flag.url === true) !== urls) continue;
        const spelled = flagName(name, flag.name);
        if (flag.boolean === true) {
          (values[name] as Record<string, string | undefined>)[flag.name] =
            flags[spelled] === true ? 'true' : undefined;
          continue;
        }
        const text = stringFlag(flags, spelled, COMMAND);
        (values[name] as Record<string, string | undefined>)[flag.name] = urls
          ? httpUrlFlag(text, spelled)
          : text;
      }
    }
  }
  return values;
}

/** Runs `emulator`: serves until `io.signal` is aborted. */
export async function runEmulator(
  argv: readonly string[],
  io: CliIO,
  registry: ProviderRegistry = defaultRegistry,
): Promise<ExitCode> {
  const { out, err } = terminal(io);
  let servings: ProviderServing[];
  try {
    servings = await loadServings(registry);
  } catch (error) {
    const failure = loadFailure(error);
    // The help is shown without the emulators' own flags then (they are unknown).
    if (!argv.includes('--help') && !argv.includes('-h')) throw failure;
    err.warn(failure.message);
    out.raw(emulatorUsage([]));
    return EXIT.ok;
  }
  const { flags } = parseCommandArgs(argv, flagSpec(servings), COMMAND);
  if (flags['help'] === true) {
    out.raw(emulatorUsage(servings));
    return EXIT.ok;
  }
  const port = integerFlag(flags, 'port', COMMAND, {
    min: 0,
    max: 65_535,
    fallback: DEFAULT_EMULATOR_PORT,
  });
  const host = hostFlag(stringFlag(flags, 'host', COMMAND));
  const deliverTo = originFlag(stringFlag(flags, 'deliver-to', COMMAND), 'deliver-to');
  const given = providerFlags(flags, servings);

  let running: RunningEmulators;
  try {
    running = await startEmulators({
      port,
      host,
      servings,
      flags: given,
      deliverTo,
      onDelivery: (record) => logDelivery(err, record),
    });
  } catch (error) {
    if (error instanceof LocalError) throw error;
    throw listenFailure(error, port, host);
  }
  if (flags['quiet'] !== true) logRequests(err, running);
  printBanner(out, running, deliverTo);

  await untilAborted(io.signal);
  err.progress('stopping');
  await running.close();
  err.ok('emulators stopped');
  return EXIT.ok;
}
