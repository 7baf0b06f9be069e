/**
 * `idv-providers webhooks register`: find or create the webhook for a URL with
 * the configured provider, and hand its signing token over without leaking it.
 * Whether the provider can register webhooks, and how, its definition says
 * (`webhooks`).
 *
 * @module
 */
import { chmod, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ConfigError,
  createProvider,
  defaultRegistry,
  envVarName,
  type ProviderRegistry,
  type ProviderWebhooks,
  type RegisteredWebhook,
} from 'idv-providers';
import { constantTimeEqual } from 'idv-providers/kit';
import { describeUrl } from '../shared/redact';
import { listFlag, parseCommandArgs, stringFlag } from './args';
import { CONFIG_FLAG_SPEC, printConfig } from './check';
import { type LoadedConfig, loadConfig } from './config-source';
import { EXIT, type ExitCode, LocalError, nameForMessage, UsageError } from './exit-codes';
import type { CliIO } from './io';
import { reportError } from './report-error';
import { type Out, terminal } from './term';
import { WEBHOOKS_REGISTER_USAGE, WEBHOOKS_USAGE } from './usage';
import { joinWords } from './words';

const COMMAND = 'webhooks register';

const REGISTER_FLAGS = {
  ...CONFIG_FLAG_SPEC,
  url: { type: 'string' },
  events: { type: 'string' },
  'show-token': { type: 'boolean' },
  'token-file': { type: 'string' },
} as const;

/** A provider's definition that can register webhooks: its `webhooks` with `register`. */
type Registering = ProviderWebhooks & Required<Pick<ProviderWebhooks, 'register'>>;

function webhooksOf(registry: ProviderRegistry, provider: string): ProviderWebhooks | undefined {
  return registry.has(provider) ? registry.get(provider).webhooks : undefined;
}

/** The webhooks of every provider of `registry` that can register them, in registry order. */
function registeringProviders(registry: ProviderRegistry): ProviderWebhooks[] {
  return registry.names().flatMap((name) => {
    const hooks = webhooksOf(registry, name);
    return hooks?.register === undefined ? [] : [hooks];
  });
}

/** Refuses a non-https URL when `senders` all send over TLS only. */
function checkScheme(senders: readonly ProviderWebhooks[], url: string): void {
  if (senders.length === 0 || !senders.every((hooks) => hooks.httpsOnly === true)) return;
  if (new URL(url).protocol === 'https:') return;
  const who = joinWords(
    senders.map((hooks) => hooks.title),
    'and',
  );
  throw new UsageError(
    `option --url must be an https URL: ${who} ${senders.length === 1 ? 'sends' : 'send'} webhooks over TLS only (put a TLS proxy such as NGINX in front of your backend)`,
    COMMAND,
  );
}

/**
 * The `--url` value: required, absolute, and `https` when every provider that
 * can register webhooks sends over TLS only (checked again for the configured
 * provider once it is known).
 */
function webhookUrl(text: string | undefined, registry: ProviderRegistry): string {
  if (text === undefined) {
    throw new UsageError('option --url is required: your webhook endpoint (https://...)', COMMAND);
  }
  try {
    new URL(text);
  } catch {
    throw new UsageError('option --url must be an absolute URL (https://...)', COMMAND);
  }
  checkScheme(registeringProviders(registry), text);
  return text;
}

/**
 * Refuses a provider without webhook registration, saying which providers
 * have it and, when its definition tells, how this one finds the host instead.
 */
function registeringOnly(registry: ProviderRegistry, provider: string): Registering {
  const hooks = webhooksOf(registry, provider);
  if (hooks?.register !== undefined) return hooks as Registering;
  const able = registeringProviders(registry).map((other) => other.title);
  const instead = hooks?.instead;
  const why =
    hooks !== undefined && instead !== undefined
      ? `${hooks.title} has no webhook registration API; ${instead.how}${instead.option === undefined ? '' : ` (set ${envVarName(provider, instead.option)})`}`
      : `provider ${JSON.stringify(provider)} has no webhook registration here`;
  const only =
    able.length === 0 ? 'providers with a webhook registration API' : joinWords(able, 'and');
  throw new ConfigError(`[idv] [${provider}] webhooks register is for ${only} only: ${why}`, {
    provider,
    option: 'provider',
  });
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

/** The option holding the signing token. */
const tokenOptionOf = (hooks: ProviderWebhooks): string => hooks.tokenOption ?? 'webhookToken';

function tokenAdvice(out: Out, loaded: LoadedConfig, hooks: ProviderWebhooks, token: string): void {
  const option = tokenOptionOf(hooks);
  const configured = loaded.options[option];
  if (typeof configured !== 'string') return;
  const label = loaded.given.find((g) => g.option === option)?.label ?? option;
  if (sameToken(configured, token)) {
    out.ok(`${label} already holds this webhook's token`);
  } else {
    out.warn(
      `${label} holds another token: webhooks from ${hooks.title} will fail verification until you replace it`,
    );
  }
}

/** Runs `webhooks register`. */
async function runRegister(
  argv: readonly string[],
  io: CliIO,
  registry: ProviderRegistry,
): Promise<ExitCode> {
  const { out, err } = terminal(io);
  const { flags } = parseCommandArgs(argv, REGISTER_FLAGS, COMMAND);
  if (flags['help'] === true) {
    out.raw(WEBHOOKS_REGISTER_USAGE);
    return EXIT.ok;
  }
  const url = webhookUrl(stringFlag(flags, 'url', COMMAND), registry);
  const events = listFlag(flags, 'events', COMMAND);
  const tokenFile = stringFlag(flags, 'token-file', COMMAND);
  const showToken = flags['show-token'] === true;

  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(
      io,
      {
        configFile: stringFlag(flags, 'config', COMMAND),
        envFile: stringFlag(flags, 'env-file', COMMAND),
        // Before the options are validated: the provider and the URL's scheme are refused first.
        acceptProvider: (provider) => checkScheme([registeringOnly(registry, provider)], url),
      },
      registry,
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return reportError(err, error);
  }
  const hooks = registeringOnly(registry, loaded.provider);
  for (const note of loaded.notes) err.warn(note);
  printConfig(out, loaded);

  err.progress(`registering ${describeUrl(url)} with ${loaded.provider}`);
  let hook: RegisteredWebhook;
  try {
    const provider = await createProvider(loaded.config, { registry });
    hook = await hooks.register(provider, {
      url,
      ...(events === undefined ? {} : { events }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
  } catch (error) {
    return reportError(err, error, { provider: loaded.provider });
  }
  const tokenVariable = envVarName(loaded.provider, tokenOptionOf(hooks));

  out.ok(
    hook.created
      ? 'webhook created'
      : 'webhook found: this URL was already registered (nothing changed)',
  );
  out.rows([
    ['id', hook.id],
    ['url', describeUrl(hook.url)],
  ]);
  if (!hook.created && events !== undefined) {
    out.warn('--events applies when a webhook is created: the registered one keeps its events');
  }
  tokenAdvice(out, loaded, hooks, hook.token);

  if (tokenFile !== undefined) {
    const written = await writeTokenFile(tokenFile, hook.token, io.cwd ?? process.cwd());
    out.ok(`signing token written to ${written} (mode 0600)`);
    out.line(`  store it as ${tokenVariable}, then delete the file`);
  }
  if (showToken) {
    out.line(`store it as ${tokenVariable}; the signing token (${out.style('bold', 'SECRET')}):`);
    out.line(`${tokenVariable}=${hook.token}`);
  }
  if (tokenFile === undefined && !showToken) {
    out.line(
      `store the webhook's signing token as ${tokenVariable}. It was not printed: run this command again (it finds the same webhook) with`,
    );
    out.line('  --token-file <path>   to write it to a file only you can read, or');
    out.line('  --show-token          to print it once on stdout');
  }
  return EXIT.ok;
}

/** Runs `webhooks <subcommand>`. */
export async function runWebhooks(
  argv: readonly string[],
  io: CliIO,
  registry: ProviderRegistry = defaultRegistry,
): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  if (sub === 'register') return runRegister(rest, io, registry);
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
