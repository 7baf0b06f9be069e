/**
 * Config from environment variables, so a backend swaps providers by changing
 * its environment: `IDV_PROVIDER` names the provider, `IDV_<PROVIDER>_<OPTION>`
 * carry its options, and `IDV_AUTO_REGISTRATION`, `IDV_TIMEOUT_MS`, ... the
 * common ones.
 *
 * @module
 */
import { ConfigError } from '../errors';
import {
  COMMON_ENV,
  defaultRegistry,
  envOf,
  type IdvConfig,
  type ProviderRegistry,
  parseConfig,
} from '../registry';
import type { EnvKind } from './env-kinds';

export { COMMON_ENV };

/** `clientSecret` → `CLIENT_SECRET`. */
export function screamingSnake(option: string): string {
  return option.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The environment variable prefix of a provider: `jumio` → `IDV_JUMIO_`. */
export function envPrefix(provider: string): string {
  return `IDV_${provider.toUpperCase().replace(/-/g, '_')}_`;
}

/** The environment variable an option of a provider is read from. */
export function envVarName(provider: string, option: string): string {
  return Object.hasOwn(COMMON_ENV, option)
    ? `IDV_${screamingSnake(option)}`
    : envPrefix(provider) + screamingSnake(option);
}

function convert(provider: string, name: string, kind: EnvKind, text: string): unknown {
  const value = text.trim();
  switch (kind) {
    case 'string':
      return value;
    case 'list':
      return value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'number':
      if (/^\d+$/.test(value)) return Number(value);
      throw new ConfigError(
        `[idv] [${provider}] environment variable ${name} must be a whole number`,
        {
          provider,
        },
      );
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(value)) return true;
      if (/^(false|0|no|off)$/i.test(value)) return false;
      throw new ConfigError(
        `[idv] [${provider}] environment variable ${name} must be true or false (or 1/0, yes/no, on/off)`,
        { provider },
      );
  }
}

/**
 * Builds a config from environment variables and validates it. Throws a
 * {@link ConfigError} naming the variable at fault; an `IDV_<PROVIDER>_*`
 * variable that is not an option of the provider (a typo) is an error too.
 *
 * @example
 * ```sh
 * IDV_PROVIDER=jumio IDV_JUMIO_CLIENT_ID=... IDV_JUMIO_CLIENT_SECRET=... IDV_JUMIO_REGION=emea-1
 * ```
 */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  registry: ProviderRegistry = defaultRegistry,
): IdvConfig {
  const provider = env['IDV_PROVIDER']?.trim();
  const definition = registry.get(provider === '' ? undefined : provider);
  const name = definition.name;
  const spec = { ...COMMON_ENV, ...envOf(definition) };
  const config: Record<string, unknown> = { provider: name };
  const names = new Map<string, string>();
  for (const [option, kind] of Object.entries(spec)) {
    const variable = envVarName(name, option);
    names.set(variable, option);
    const text = env[variable];
    if (text !== undefined && text.trim() !== '')
      config[option] = convert(name, variable, kind, text);
  }

  const prefix = envPrefix(name);
  const longerPrefixes = registry
    .names()
    .map(envPrefix)
    .filter((p) => p !== prefix && p.startsWith(prefix));
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith(prefix) || names.has(variable)) continue;
    if (longerPrefixes.some((p) => variable.startsWith(p))) continue;
    const valid = [...names.keys()].filter((v) => v.startsWith(prefix)).join(', ');
    throw new ConfigError(
      `[idv] [${name}] unknown environment variable ${variable}: valid ones are ${valid}`,
      { provider: name },
    );
  }

  const byOption = new Map([...names].map(([variable, option]) => [option, variable]));
  parseConfig(config, registry, (option) => {
    const variable = byOption.get(option);
    return variable === undefined ? JSON.stringify(option) : `"${option}" (${variable})`;
  });
  return config as IdvConfig;
}
