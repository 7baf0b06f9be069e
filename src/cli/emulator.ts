/**
 * `idv-providers emulator`: both emulators over HTTP on one port until stopped.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { envVarName } from 'idv-providers';
import { integerFlag, parseCommandArgs, stringFlag } from './args';
import type { DeliveryRecord } from './emulator-deliver';
import { type RunningEmulators, startEmulators } from './emulator-server';
import { EXIT, type ExitCode, LocalError, UsageError } from './exit-codes';
import type { CliIO } from './io';
import { type Out, terminal } from './term';
import { EMULATOR_USAGE } from './usage';

const COMMAND = 'emulator';

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'onfido-api-token': { type: 'string' },
  'onfido-webhook-url': { type: 'string' },
  'jumio-client-id': { type: 'string' },
  'jumio-client-secret': { type: 'string' },
  'deliver-to': { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

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

/** The variables a backend exports to use one of the served emulators. */
export function emulatorEnvironment(running: RunningEmulators): {
  onfido: Array<[string, string]>;
  jumio: Array<[string, string]>;
} {
  const { urls, onfido, jumio } = running;
  const o = (option: string) => envVarName('onfido', option);
  const j = (option: string) => envVarName('jumio', option);
  return {
    onfido: [
      ['IDV_PROVIDER', 'onfido'],
      [o('baseUrl'), urls.onfido],
      [o('apiToken'), onfido.apiToken],
      [o('webhookToken'), onfido.webhookToken],
    ],
    jumio: [
      ['IDV_PROVIDER', 'jumio'],
      [j('authBaseUrl'), urls.jumioAuth],
      [j('accountBaseUrl'), urls.jumioAccount],
      [j('retrievalBaseUrl'), urls.jumioRetrieval],
      [j('netverifyBaseUrl'), urls.jumioNetverify],
      [j('clientId'), jumio.clientId],
      [j('clientSecret'), jumio.clientSecret],
    ],
  };
}

function printBanner(out: Out, running: RunningEmulators, deliverTo: string | undefined): void {
  const { urls, onfido, jumio } = running;
  const env = emulatorEnvironment(running);
  out.ok(`emulators listening on ${out.style('bold', urls.origin)}`);
  out.line();
  out.line(out.style('bold', 'Onfido (API v3.6)'));
  out.rows([
    ['base URL', urls.onfido],
    ['API token', onfido.apiToken],
    ['webhook', onfido.webhookUrl],
    ['webhook token', onfido.webhookToken],
  ]);
  out.line(out.style('bold', 'Jumio (KYX, and Netverify in legacy mode)'));
  out.rows([
    ['auth', urls.jumioAuth],
    ['account', urls.jumioAccount],
    ['retrieval', urls.jumioRetrieval],
    ['netverify', urls.jumioNetverify],
    ['client id', jumio.clientId],
    ['client secret', jumio.clientSecret],
  ]);
  out.line(out.style('dim', '(fake credentials: the emulators accept these and nothing else)'));
  out.line();
  out.line(out.style('bold', 'A backend using Onfido:'));
  for (const [name, value] of env.onfido) out.line(`  export ${name}=${value}`);
  out.line(
    `  ${out.style('dim', `# and ${envVarName('onfido', 'verificationSiteUrl')}=<your verification page>`)}`,
  );
  out.line(out.style('bold', 'A backend using Jumio:'));
  for (const [name, value] of env.jumio) out.line(`  export ${name}=${value}`);
  out.line(
    `  ${out.style('dim', `# Jumio calls back the callbackUrl of each transaction (${envVarName('jumio', 'callbackUrl')})`)}`,
  );
  out.line();
  out.line(
    `Webhooks and callbacks: ${deliverTo === undefined ? 'POSTed to the URL registered' : `POSTed to ${deliverTo} + the registered URL's path`}`,
  );
  out.line(`Control endpoints: ${urls.control} (see idv-providers emulator --help)`);
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
  const what = `${record.provider} ${record.method} ${record.sentTo ?? record.url}`;
  if (record.status !== undefined) {
    const line = `↪ ${what} → ${record.status}`;
    err.line(record.status < 300 ? err.style('cyan', line) : err.style('yellow', line));
  } else {
    err.warn(`↪ ${what}: ${record.error ?? 'not sent'}`);
  }
}

function listenFailure(error: unknown, port: number, host: string): LocalError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return new LocalError(
      'the emulators need the optional package msw: install it with npm install --save-dev msw',
    );
  }
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

/** Runs `emulator`: serves until `io.signal` is aborted. */
export async function runEmulator(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  const { out, err } = terminal(io);
  const { flags } = parseCommandArgs(argv, FLAGS, COMMAND);
  if (flags['help'] === true) {
    out.raw(EMULATOR_USAGE);
    return EXIT.ok;
  }
  const port = integerFlag(flags, 'port', COMMAND, {
    min: 0,
    max: 65_535,
    fallback: DEFAULT_EMULATOR_PORT,
  });
  const host = hostFlag(stringFlag(flags, 'host', COMMAND));
  const deliverTo = originFlag(stringFlag(flags, 'deliver-to', COMMAND), 'deliver-to');
  const onfidoWebhookUrl = httpUrlFlag(
    stringFlag(flags, 'onfido-webhook-url', COMMAND),
    'onfido-webhook-url',
  );

  let running: RunningEmulators;
  try {
    running = await startEmulators({
      port,
      host,
      onfidoApiToken: stringFlag(flags, 'onfido-api-token', COMMAND),
      onfidoWebhookUrl,
      jumioClientId: stringFlag(flags, 'jumio-client-id', COMMAND),
      jumioClientSecret: stringFlag(flags, 'jumio-client-secret', COMMAND),
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
