/**
 * The provider registry and `createProvider`: configuration picks a provider by
 * name, its options are validated, and the adapter's code is loaded only then.
 *
 * @module
 */

import type { EmulatorModule } from 'idv-providers/emulator-kit';
import { z } from 'zod';
import { BUILTIN_PROVIDERS } from './builtins';
import { type Clock, commonOptionsShape } from './config/common';
import { type EnvKind, envKindsOf } from './config/env-kinds';
import { type OptionLabel, parseProviderOptions } from './config/parse';
import { ConfigError } from './errors';
import { isLogger, isTracer, prepareTracing } from './observability/observe';
import { type InstrumentOptions, instrumentProvider } from './observability/provider';
import type { IdvLogger, IdvTracer } from './observability/types';
import type { OutcomePolicy } from './outcome';
import type { CallOptions, IdentityVerificationProvider } from './provider';

export type { EnvKind };

/** What {@link ProviderWebhooks.register} registers: the host's endpoint. */
export interface WebhookRegistration extends CallOptions {
  /** The host's webhook endpoint. */
  url: string;
  /** Events to subscribe to when the webhook is created. Default: all. */
  events?: readonly string[] | undefined;
}

/** A webhook the provider holds for the host's endpoint. */
export interface RegisteredWebhook {
  /** The provider's id of the webhook. */
  id: string;
  /** The registered URL. */
  url: string;
  /** The signing token of its deliveries. Secret. */
  token: string;
  /** `true` when this registration created it, `false` when it was registered already. */
  created: boolean;
}

/**
 * How a provider's webhooks (or callbacks) find the host, for tools that
 * register them: the command line's `webhooks register`.
 */
export interface ProviderWebhooks {
  /** The provider as people write it, for messages: `Onfido`. */
  title: string;
  /**
   * Finds the webhook registered for the URL or creates it, idempotently. Absent
   * when the provider has no registration API. May load the adapter's code
   * lazily; `provider` is one `createProvider` made from this definition.
   */
  register?(
    provider: IdentityVerificationProvider,
    registration: WebhookRegistration,
  ): Promise<RegisteredWebhook>;
  /** The provider sends webhooks over TLS only: registered URLs must be `https`. */
  httpsOnly?: boolean | undefined;
  /** The option that holds the signing token `register` answers. Default `webhookToken`. */
  tokenOption?: string | undefined;
  /**
   * For a provider without `register`: how it finds the host instead (`how`,
   * a clause: "it calls the callbackUrl each transaction names") and the
   * option that tells it (`callbackUrl`), so a refusal can say what to do.
   */
  instead?: { how: string; option?: string | undefined } | undefined;
}

/**
 * A provider the registry can create: everything the core knows of it. The
 * built-in providers' definitions live in their folders
 * (`providers/<name>/definition.ts`) and load their adapter on first use; a
 * third party registers its own the same way.
 *
 * @typeParam O - the validated options `create` receives.
 * @typeParam I - the options as a host writes them (the schema's input; typed configs use it).
 * @typeParam N - the provider's name.
 */
export interface ProviderDefinition<O = unknown, I = unknown, N extends string = string> {
  /** The name used in config (`provider: "acme"`, `IDV_PROVIDER=acme`). Lower case, digits and dashes. */
  name: N;
  /**
   * Validates the options (everything in the config but `provider`). It must
   * accept the common options, `policy` and `clock` included, which
   * `createProvider` passes to every provider: spread `commonOptionsShape`
   * (from `idv-providers/kit`) into a zod object to get them with their defaults.
   */
  optionsSchema: z.ZodType<O, I>;
  /**
   * Options that can come from the environment, with how to read them. Each is
   * read from `IDV_<NAME>_<OPTION_IN_SCREAMING_SNAKE_CASE>`, e.g. `clientId` of
   * `jumio` from `IDV_JUMIO_CLIENT_ID`. Default: derived from `optionsSchema`
   * (strings, URLs and enums as text, numbers, booleans, lists of strings).
   * The common options ({@link COMMON_ENV}) are read for every provider and
   * need not be listed.
   */
  env?: Readonly<Record<string, EnvKind>> | undefined;
  /**
   * The address the provider's connection check contacts, from the options as
   * given (not yet validated: apply the defaults, and answer `undefined` when
   * they say nothing usable). The command line's `check` shows it, and names
   * it when the address seems wrong.
   */
  describeTarget?(given: Readonly<Record<string, unknown>>): string | undefined;
  /**
   * Loads the provider's emulator entry (`idv-providers/<name>/emulator`), for
   * tools that drive every provider alike: the conformance run over the
   * built-ins and the command line's `emulator`. Optional for providers of
   * one's own, which hand their emulator to the conformance suite directly.
   */
  emulator?(): Promise<EmulatorModule>;
  /** How its webhooks find the host, and how to register them when the provider has an API for it. */
  webhooks?: ProviderWebhooks | undefined;
  /** Creates the provider from validated options. May load code lazily. */
  create(options: O): IdentityVerificationProvider | Promise<IdentityVerificationProvider>;
}

/** The environment variables of a definition: its own `env`, or what its schema says. */
export function envOf(definition: ProviderDefinition<unknown>): Readonly<Record<string, EnvKind>> {
  if (definition.env !== undefined) return definition.env;
  const derived = envKindsOf(definition.optionsSchema);
  for (const option of Object.keys(COMMON_ENV)) delete derived[option];
  return derived;
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** A set of provider definitions, looked up by name. */
export class ProviderRegistry {
  readonly #definitions = new Map<string, ProviderDefinition<unknown>>();

  /**
   * Adds a provider. Throws a {@link ConfigError} for a malformed name or a name
   * already taken, unless `replace` is set.
   */
  register<O, I, N extends string>(
    definition: ProviderDefinition<O, I, N>,
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
    this.#definitions.set(definition.name, definition as unknown as ProviderDefinition<unknown>);
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
 * The options every provider reads from the environment without listing them
 * in its own `env` map (`IDV_AUTO_REGISTRATION`, `IDV_TIMEOUT_MS`, ...),
 * derived from the common options' schema.
 */
export const COMMON_ENV: Readonly<Record<string, EnvKind>> = Object.freeze(
  envKindsOf(z.object(commonOptionsShape)),
);

/** A registry holding the built-in providers. */
export function createRegistry(): ProviderRegistry {
  const registry = new ProviderRegistry();
  for (const definition of BUILTIN_PROVIDERS) {
    registry.register(definition as unknown as ProviderDefinition<unknown>);
  }
  return registry;
}

/** The registry `createProvider` uses unless given another. */
export const defaultRegistry: ProviderRegistry = createRegistry();

/** Adds a provider to the default registry. */
export function registerProvider<O, I, N extends string>(
  definition: ProviderDefinition<O, I, N>,
  options: { replace?: boolean | undefined } = {},
): ProviderRegistry {
  return defaultRegistry.register(definition, options);
}

/** The config of one definition: its options as a host writes them, plus `provider`. */
export type ConfigOf<D> =
  D extends ProviderDefinition<unknown, infer I, infer N> ? { provider: N } & I : never;
/** Config for a built-in provider, discriminated on `provider`. */
export type BuiltinConfig = ConfigOf<(typeof BUILTIN_PROVIDERS)[number]>;
/** Config for a provider added through the registry. */
export type CustomProviderConfig = { provider: string } & Record<string, unknown>;
/** Any provider's config: the options plus `provider`, the name that picks the adapter. */
export type IdvConfig = BuiltinConfig | CustomProviderConfig;

/** Options of {@link createProvider} that config files and the environment cannot carry. */
export interface CreateProviderOptions {
  /** The registry to look the provider up in. Default {@link defaultRegistry}. */
  registry?: ProviderRegistry | undefined;
  /** A host policy, applied to every final result (overrides one in the config). */
  policy?: OutcomePolicy | undefined;
  /** Injectable time (tests). */
  clock?: Clock | undefined;
  /** Where failed calls are logged (overrides one in the config). See the README, "Observability". */
  logger?: IdvLogger | undefined;
  /**
   * The tracer of the provider's spans, `false` for none (overrides one in
   * the config). Default: the global tracer of `@opentelemetry/api`, if installed.
   */
  tracer?: IdvTracer | false | undefined;
}

/** The observability options of a validated config (`logger`, `tracer`), as `instrumentProvider` takes them. */
export function observabilityOf(options: unknown): InstrumentOptions {
  const given = (typeof options === 'object' && options !== null ? options : {}) as Record<
    string,
    unknown
  >;
  const { logger, tracer } = given;
  return {
    ...(isLogger(logger) ? { logger } : {}),
    ...(tracer === false || isTracer(tracer) ? { tracer } : {}),
  };
}

/**
 * Creates a provider from a definition and validated options, with spans
 * around its methods (see {@link instrumentProvider}); `given` is what the
 * host wrote, for a definition whose schema drops the common options.
 */
export async function createInstrumented(
  definition: ProviderDefinition<unknown>,
  options: unknown,
  given: unknown,
  tenant?: string,
): Promise<IdentityVerificationProvider> {
  const observability = { ...observabilityOf(given), ...observabilityOf(options) };
  const [provider] = await Promise.all([definition.create(options), prepareTracing(observability)]);
  return instrumentProvider(provider, {
    ...observability,
    ...(tenant === undefined ? {} : { tenant }),
  });
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
  if (options.logger !== undefined) extra['logger'] = options.logger;
  if (options.tracer !== undefined) extra['tracer'] = options.tracer;
  const given = { ...config, ...extra };
  const { definition, options: parsed } = parseConfig(given, options.registry);
  return createInstrumented(definition, parsed, given);
}
