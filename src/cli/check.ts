/**
 * `idv-providers check`: validate the configuration, then prove the credentials
 * with the provider's connection check.
 *
 * @module
 */
import { createProvider, defaultRegistry, isIdvError, type ProviderRegistry } from 'idv-providers';
import { describeUrl } from '../shared/redact';
import { parseCommandArgs, stringFlag } from './args';
import { type LoadedConfig, loadConfig } from './config-source';
import { EXIT, type ExitCode, exitCodeOf } from './exit-codes';
import type { CliIO } from './io';
import { displayValue, isSecretOption } from './mask';
import { reportError } from './report-error';
import { type Out, terminal } from './term';
import { CHECK_USAGE } from './usage';

/** The flags every config-reading command takes. */
export const CONFIG_FLAG_SPEC = {
  config: { type: 'string' },
  'env-file': { type: 'string' },
} as const;

/**
 * Where the connection check will go, for the progress line, as the provider's
 * definition describes it: without a user name and password (a proxy's), a
 * query or a fragment.
 */
export function checkTarget(
  loaded: LoadedConfig,
  registry: ProviderRegistry = defaultRegistry,
): string | undefined {
  if (!registry.has(loaded.provider)) return undefined;
  const target = registry.get(loaded.provider).describeTarget?.(loaded.options);
  return target === undefined ? undefined : describeUrl(target);
}

/** Prints the configuration as given, secrets masked. */
export function printConfig(out: Out, loaded: LoadedConfig): void {
  out.line(
    `${out.style('bold', 'provider')} ${loaded.provider} ${out.style('dim', `(from ${loaded.source})`)}`,
  );
  out.rows(loaded.given.map((g) => [g.label, displayValue(g.option, g.value)]));
}

/** The options to double-check when credentials are refused, by the names the user gave them. */
export function credentialHint(loaded: LoadedConfig): string | undefined {
  const secrets = loaded.given.filter((g) => isSecretOption(g.option)).map((g) => g.label);
  if (secrets.length === 0) return undefined;
  const urls = loaded.given.filter((g) => /baseurl$/i.test(g.option)).map((g) => g.label);
  const region = loaded.given.find((g) => g.option === 'region')?.label ?? 'the region';
  const where =
    urls.length > 0
      ? `that ${urls.join(', ')} point${urls.length === 1 ? 's' : ''} at the right API`
      : `${region}: credentials work in their own region only`;
  return `check ${secrets.join(', ')} (and ${where})`;
}

/** Runs `check`. */
export async function runCheck(
  argv: readonly string[],
  io: CliIO,
  registry: ProviderRegistry = defaultRegistry,
): Promise<ExitCode> {
  const { out, err } = terminal(io);
  const { flags } = parseCommandArgs(argv, CONFIG_FLAG_SPEC, 'check');
  if (flags['help'] === true) {
    out.raw(CHECK_USAGE);
    return EXIT.ok;
  }
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(
      io,
      {
        configFile: stringFlag(flags, 'config', 'check'),
        envFile: stringFlag(flags, 'env-file', 'check'),
      },
      registry,
    );
  } catch (error) {
    return reportError(err, error);
  }
  for (const note of loaded.notes) err.warn(note);
  printConfig(out, loaded);
  out.ok('configuration is valid');

  const target = checkTarget(loaded, registry);
  err.progress(
    `checking the connection to ${loaded.provider}${target === undefined ? '' : ` at ${target}`}`,
  );
  try {
    const provider = await createProvider(loaded.config, { registry });
    const result = await provider.checkConnection(
      io.signal === undefined ? {} : { signal: io.signal },
    );
    out.ok(`${result.provider} accepted the credentials`);
    out.rows([
      ['provider', result.provider],
      ['base URL', describeUrl(result.baseUrl)],
      ['latency', `${Math.round(result.latencyMs)} ms`],
      ['detail', result.detail],
    ]);
    return EXIT.ok;
  } catch (error) {
    return reportError(err, error, {
      provider: loaded.provider,
      hint: failureHint(error, loaded, target),
    });
  }
}

/** What to look at next after a failed check. */
function failureHint(
  error: unknown,
  loaded: LoadedConfig,
  target: string | undefined,
): string | undefined {
  if (exitCodeOf(error) === EXIT.refused) return credentialHint(loaded);
  const code = isIdvError(error) ? error.code : undefined;
  const addressProblem =
    code === 'network_error' || code === 'not_found' || code === 'unexpected_response';
  return addressProblem && target !== undefined
    ? `is ${target} the right address, and reachable from here?`
    : undefined;
}
