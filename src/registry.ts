/**
 * The provider registry and `createProvider`: configuration picks a provider by
 * name, its options are validated, and the adapter's code is loaded only then.
 *
 * @module
 */
import type { z } from 'zod';
import type { Clock } from './config/common';
import { type JumioOptionsInput, jumioOptionsSchema } from './config/jumio';
import { type OnfidoOptionsInput, onfidoOptionsSchema } from './config/onfido';
import { type OptionLabel, parseProviderOptions } from './config/parse';
import { ConfigError } from './errors';
import type { OutcomePolicy } from './outcome';
import type { IdentityVerificationProvider } from './provider';

/** How an environment variable's text becomes an option's value. */
export type EnvKind = 'string' | 'number' | 'boolean' | 'list';

/**
 * A provider the registry can create. Built-in providers are registered with a
 * loader that imports their code on first use; a third party registers its own
 * the same way.
 */
export interface ProviderDefinition<O = unknown> {
  /** The name used in config (`provider: "acme"`, `IDV_PROVIDER=acme`). Lower case, digits and dashes. */
  name: string;
  /**
   * Validates the options (everything in the config but `provider`). It must
   * accept the common options, `policy` and `clock` included, which
   * `createProvider` passes to every provider: spread `commonOptionsShape`
   * into a zod object to get them with their defaults.
   */
  optionsSchema: z.ZodType<O, unknown>;
  /**
   * Options that can come from the environment, with how to read them. Each is
   * read from `IDV_<NAME>_<OPTION_IN_SCREAMING_SNAKE_CASE>`, e.g. `clientId` of
   * `jumio` from `IDV_JUMIO_CLIENT_ID`. The common options ({@link COMMON_ENV})
   * are read for every provider and need not be listed.
   */
  env?: Readonly<Record<string, EnvKind>> | undefined;
  /** Creates the provider from validated options. May load code lazily. */
  create(options: O): IdentityVerificationProvider | Promise<IdentityVerificationProvider>;
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** A set of provider definitions, looked up by name. */
export class ProviderRegistry {
  readonly #definitions = new Map<string, ProviderDefinition<unknown>>();

  /**
   * Adds a provider. Throws a {@link ConfigError} for a malformed name or a name
   * already taken, unless `replace` is set.
   */
  register<O>(
    definition: ProviderDefinition<O>,
    options: { replace?: boolean | undefined } = {},
  ): this {
    if (!NAME.test(definition.name)) {
      throw new ConfigError(
        `[idv] invalid provider name ${JSON.stringify(definition.name)}: use lower-case letters, digits and dashes`,
      );
    }
    if (this.#definitions.has(definition.name) && options.replace !== true) {
      throw new ConfigError(
        `[idv] provider "${definition.name}" is already registered (pass { replace: true } to replace it)`,
        { provider: definition.name },
      );
    }
    this.#definitions.set(definition.name, definition as ProviderDefinition<unknown>);
    return this;
  }

  /** Removes a provider; returns whether it was registered. */
  unregister(name: string): boolean {
    return this.#definitions.delete(name);
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.#definitions.keys()];
  }

  /** True when `name` is registered. */
  has(name: string): boolean {
    return this.#definitions.has(name);
  }

  /** The definition registered under `name`; throws a {@link ConfigError} naming the valid choices if none is. */
  get(name: unknown): ProviderDefinition<unknown> {
    const definition = typeof name === 'string' ? this.#definitions.get(name) : undefined;
    if (definition === undefined) {
      const valid = this.names()
        .map((n) => JSON.stringify(n))
        .join(', ');
      const given =
        name === undefined ? 'no provider given' : `unknown provider ${JSON.stringify(name)}`;
      throw new ConfigError(`[idv] ${given}: expected one of ${valid}`, { option: 'provider' });
    }
    return definition;
  }
}

/**
 * Set to `true` by the CommonJS build, so that built-in adapters load through
 * `require` there and through `import()` in the ESM build: each build then
 * shares one copy of the core with its adapters (one `IdvError` class).
 */
declare const __IDV_CJS__: boolean | undefined;
const isCommonJsBuild = typeof __IDV_CJS__ !== 'undefined' && __IDV_CJS__;

type OnfidoModule = typeof import('idv-providers/onfido');
type JumioModule = typeof import('idv-providers/jumio');

const loadOnfido = async (): Promise<OnfidoModule> =>
  isCommonJsBuild
    ? (require('idv-providers/onfido') as OnfidoModule)
    : import('idv-providers/onfido');
const loadJumio = async (): Promise<JumioModule> =>
  isCommonJsBuild ? (require('idv-providers/jumio') as JumioModule) : import('idv-providers/jumio');

/**
 * The options every provider reads from the environment without listing them
 * in its own `env` map (`IDV_AUTO_REGISTRATION`, `IDV_TIMEOUT_MS`, ...).
 */
export const COMMON_ENV: Readonly<Record<string, EnvKind>> = {
  autoRegistration: 'boolean',
  timeoutMs: 'number',
  maxRetries: 'number',
  maxRetryAfterMs: 'number',
  maxDownloadBytes: 'number',
  userAgent: 'string',
};

/** The definition of the built-in Onfido provider; its code loads from `idv-providers/onfido` on first use. */
export const onfidoDefinition: ProviderDefinition<z.output<typeof onfidoOptionsSchema>> = {
  name: 'onfido',
  optionsSchema: onfidoOptionsSchema,
  env: {
    apiToken: 'string',
    region: 'string',
    baseUrl: 'string',
    verificationSiteUrl: 'string',
    webhookToken: 'string',
    reportNames: 'list',
    workflowId: 'string',
  },
  create: async (options) => (await loadOnfido()).onfido(options),
};

/** The definition of the built-in Jumio provider; its code loads from `idv-providers/jumio` on first use. */
export const jumioDefinition: ProviderDefinition<z.output<typeof jumioOptionsSchema>> = {
  name: 'jumio',
  optionsSchema: jumioOptionsSchema,
  env: {
    mode: 'string',
    clientId: 'string',
    clientSecret: 'string',
    region: 'string',
    authBaseUrl: 'string',
    accountBaseUrl: 'string',
    retrievalBaseUrl: 'string',
    netverifyBaseUrl: 'string',
    workflowKey: 'number',
    callbackUrl: 'string',
    successUrl: 'string',
    errorUrl: 'string',
    locale: 'string',
    tokenLifetimeMinutes: 'number',
    verifyCallbackSource: 'boolean',
  },
  create: async (options) => (await loadJumio()).jumio(options),
};

/** A registry holding the built-in providers. */
export function createRegistry(): ProviderRegistry {
  return new ProviderRegistry().register(onfidoDefinition).register(jumioDefinition);
}

/** The registry `createProvider` uses unless given another. */
export const defaultRegistry: ProviderRegistry = createRegistry();

/** Adds a provider to the default registry. */
export function registerProvider<O>(
  definition: ProviderDefinition<O>,
  options: { replace?: boolean | undefined } = {},
): ProviderRegistry {
  return defaultRegistry.register(definition, options);
}

/** Config for the built-in Onfido provider. */
export type OnfidoConfig = { provider: 'onfido' } & OnfidoOptionsInput;
/** Config for the built-in Jumio provider. */
export type JumioConfig = { provider: 'jumio' } & JumioOptionsInput;
/** Config for a provider added through the registry. */
export type CustomProviderConfig = { provider: string } & Record<string, unknown>;
/** Any provider's config: the options plus `provider`, the name that picks the adapter. */
export type IdvConfig = OnfidoConfig | JumioConfig | CustomProviderConfig;

/** Options of {@link createProvider} that config files and the environment cannot carry. */
export interface CreateProviderOptions {
  /** The registry to look the provider up in. Default {@link defaultRegistry}. */
  registry?: ProviderRegistry | undefined;
  /** A host policy, applied to every final result (overrides one in the config). */
  policy?: OutcomePolicy | undefined;
  /** Injectable time (tests). */
  clock?: Clock | undefined;
}

/**
 * Validates a config and returns its provider's validated options, without
 * loading the adapter. Throws a {@link ConfigError} naming the provider, the
 * option and the valid choices.
 */
export function parseConfig(
  config: unknown,
  registry: ProviderRegistry = defaultRegistry,
  label?: OptionLabel,
): { definition: ProviderDefinition<unknown>; options: unknown } {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError('[idv] config must be an object with a "provider" field');
  }
  const { provider, ...rest } = config as Record<string, unknown>;
  const definition = registry.get(provider);
  const options = parseProviderOptions(definition.name, definition.optionsSchema, rest, label);
  return { definition, options };
}

/**
 * Creates the provider a config names. Swapping providers is a change of
 * config only:
 *
 * @example
 * ```ts
 * const idv = await createProvider(configFromEnv()); // IDV_PROVIDER=onfido or jumio
 * const session = await idv.startVerification({ identityReference: 'identity-42' });
 * ```
 */
export async function createProvider(
  config: IdvConfig,
  options: CreateProviderOptions = {},
): Promise<IdentityVerificationProvider> {
  const extra: Record<string, unknown> = {};
  if (options.policy !== undefined) extra['policy'] = options.policy;
  if (options.clock !== undefined) extra['clock'] = options.clock;
  const { definition, options: parsed } = parseConfig({ ...config, ...extra }, options.registry);
  return definition.create(parsed);
}
