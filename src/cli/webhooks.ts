/**
 * `idv-providers webhooks register`: find or create the Onfido webhook for a
 * URL, and hand its signing token over without leaking it.
 *
 * @module
 */
import { chmod, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, createProvider, envVarName } from 'idv-providers';
import { constantTimeEqual } from 'idv-providers/kit';
import { registerOnfidoWebhook } from 'idv-providers/onfido';
import { listFlag, parseCommandArgs, stringFlag } from './args';
import { CONFIG_FLAG_SPEC, printConfig } from './check';
import { type LoadedConfig, loadConfig } from './config-source';
import { EXIT, type ExitCode, LocalError, nameForMessage, UsageError } from './exit-codes';
import type { CliIO } from './io';
import { reportError } from './report-error';
import { type Out, terminal } from './term';
import { WEBHOOKS_REGISTER_USAGE, WEBHOOKS_USAGE } from './usage';

const COMMAND = 'webhooks register';
const TOKEN_VARIABLE = envVarName('onfido', 'webhookToken');

const REGISTER_FLAGS = {
  ...CONFIG_FLAG_SPEC,
  url: { type: 'string' },
  events: { type: 'string' },
  'show-token': { type: 'boolean' },
  'token-file': { type: 'string' },
} as const;

function webhookUrl(text: string | undefined): string {
  if (text === undefined) {
    throw new UsageError('option --url is required: your webhook endpoint (https://...)', COMMAND);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('option --url must be an absolute URL (https://...)', COMMAND);
  }
  if (url.protocol !== 'https:') {
    throw new UsageError(
      'option --url must be an https URL: Onfido sends webhooks over TLS only (put a TLS proxy such as NGINX in front of your backend)',
      COMMAND,
    );
  }
  return text;
}

async function writeTokenFile(path: string, token: string, cwd: string): Promise<string> {
  const full = resolve(cwd, path);
  try {
    await writeFile(full, `${token}\n`, { mode: 0o600 });
    // The mode applies only to a new file: tighten an existing one too.
    await chmod(full, 0o600);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new LocalError(
      `the token could not be written to ${path}${typeof code === 'string' ? ` (${code})` : ''}: the webhook is registered; run again with another --token-file`,
    );
  }
  return full;
}

function sameToken(a: string, b: string): boolean {
  return constantTimeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function tokenAdvice(out: Out, loaded: LoadedConfig, token: string): void {
  const configured = loaded.options['webhookToken'];
  if (typeof configured !== 'string') return;
  const label = loaded.given.find((g) => g.option === 'webhookToken')?.label ?? 'webhookToken';
  if (sameToken(configured, token)) {
    out.ok(`${label} already holds this webhook's token`);
  } else {
    out.warn(
      `${label} holds another token: webhooks from Onfido will fail verification until you replace it`,
    );
  }
}

function onfidoOnly(provider: string): void {
  if (provider === 'onfido') return;
  const why =
    provider === 'jumio'
      ? `Jumio has no webhook registration API; it calls the callbackUrl each transaction names (set ${envVarName('jumio', 'callbackUrl')})`
      : `provider ${JSON.stringify(provider)} has no webhook registration here`;
  throw new ConfigError(`[idv] [${provider}] webhooks register is for Onfido only: ${why}`, {
    provider,
    option: 'provider',
  });
}

/** Runs `webhooks register`. */
async function runRegister(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  const { out, err } = terminal(io);
  const { flags } = parseCommandArgs(argv, REGISTER_FLAGS, COMMAND);
  if (flags['help'] === true) {
    out.raw(WEBHOOKS_REGISTER_USAGE);
    return EXIT.ok;
  }
  const url = webhookUrl(stringFlag(flags, 'url', COMMAND));
  const events = listFlag(flags, 'events', COMMAND);
  const tokenFile = stringFlag(flags, 'token-file', COMMAND);
  const showToken = flags['show-token'] === true;

  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(io, {
      configFile: stringFlag(flags, 'config', COMMAND),
      envFile: stringFlag(flags, 'env-file', COMMAND),
      acceptProvider: onfidoOnly,
    });
  } catch (error) {
    return reportError(err, error);
  }
  for (const note of loaded.notes) err.warn(note);
  printConfig(out, loaded);

  err.progress(`registering ${url} with onfido`);
  let hook: Awaited<ReturnType<typeof registerOnfidoWebhook>>;
  try {
    const provider = await createProvider(loaded.config);
    hook = await registerOnfidoWebhook(provider, {
      url,
      ...(events === undefined ? {} : { events }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
  } catch (error) {
    return reportError(err, error, { provider: 'onfido' });
  }

  out.ok(
    hook.created
      ? 'webhook created'
      : 'webhook found: this URL was already registered (nothing changed)',
  );
  out.rows([
    ['id', hook.id],
    ['url', hook.url],
  ]);
  if (!hook.created && events !== undefined) {
    out.warn('--events applies when a webhook is created: the registered one keeps its events');
  }
  tokenAdvice(out, loaded, hook.token);

  if (tokenFile !== undefined) {
    const written = await writeTokenFile(tokenFile, hook.token, io.cwd ?? process.cwd());
    out.ok(`signing token written to ${written} (mode 0600)`);
    out.line(`  store it as ${TOKEN_VARIABLE}, then delete the file`);
  }
  if (showToken) {
    out.line(`store it as ${TOKEN_VARIABLE}; the signing token (${out.style('bold', 'SECRET')}):`);
    out.line(`${TOKEN_VARIABLE}=${hook.token}`);
  }
  if (tokenFile === undefined && !showToken) {
    out.line(
      `store the webhook's signing token as ${TOKEN_VARIABLE}. It was not printed: run this command again (it finds the same webhook) with`,
    );
    out.line('  --token-file <path>   to write it to a file only you can read, or');
    out.line('  --show-token          to print it once on stdout');
  }
  return EXIT.ok;
}

/** Runs `webhooks <subcommand>`. */
export async function runWebhooks(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  if (sub === 'register') return runRegister(rest, io);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(WEBHOOKS_USAGE);
    return EXIT.ok;
  }
  throw new UsageError(
    sub === undefined
      ? 'missing subcommand: expected "register"'
      : `unknown subcommand ${nameForMessage(sub)} for "webhooks": expected "register"`,
    'webhooks',
  );
}
