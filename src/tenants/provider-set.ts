/**
 * Many tenants in one backend: a set of configured providers keyed by tenant
 * id (a brand, an operator's organisation, a customer with its own provider
 * account), each created on first use and replaced by a reload without a
 * restart.
 *
 * - **Validated whole, at the edge.** Every tenant's config is resolved
 *   (`${ENV}` references) and validated when the set is made and at every
 *   reload; a problem anywhere throws one `ConfigError` naming each tenant at
 *   fault, and a reload that fails leaves the set as it was.
 * - **Created lazily.** A tenant's provider is created when first asked for
 *   (`provider(tenant)`), once, however many ask at the same moment.
 * - **Reloaded in place.** `reload(document)` keeps the provider of every
 *   tenant whose config did not change; a changed tenant gets a new provider
 *   at its next use, while calls already holding the old one finish with it;
 *   a removed tenant is refused from then on with a `ConfigError` naming it.
 * - **Isolated.** Each tenant's provider holds only its own credentials, so
 *   its errors can hold no other tenant's; the set's own messages name
 *   tenants, options and environment variables, never a value.
 *
 * @module
 */
import type { Clock } from '../config/common';
import { ConfigError, isIdvError } from '../errors';
import type { ProviderReady } from '../intake/readiness';
import { checkReady } from '../intake/readiness';
import type { IdvLogger, IdvTracer } from '../observability/types';
import type { OutcomePolicy } from '../outcome';
import type { CallOptions, IdentityVerificationProvider, ProviderUse } from '../provider';
import {
  createInstrumented,
  defaultRegistry,
  type ProviderDefinition,
  type ProviderRegistry,
  parseConfig,
} from '../registry';
import {
  type Environment,
  expandReferences,
  readTenantsDocument,
  readTenantsFile,
  TENANTS_FILE_ENV,
  type TenantsDocument,
} from './document';

/** Options of {@link createProviderSet}: what every tenant's provider shares, and what a document cannot carry. */
export interface ProviderSetOptions {
  /** The registry providers are looked up in. Default the default registry. */
  registry?: ProviderRegistry | undefined;
  /** A host policy applied to every tenant's final results (overrides one in a config). */
  policy?: OutcomePolicy | undefined;
  /** Injectable time for every tenant's provider (tests). */
  clock?: Clock | undefined;
  /** Where every tenant's provider logs its failed calls (overrides one in a config). */
  logger?: IdvLogger | undefined;
  /** The tracer of every tenant's spans, `false` for none; each span names its tenant (`idv.tenant`). */
  tracer?: IdvTracer | false | undefined;
  /** Where `${NAME}` references are read from, at creation and at every reload. Default `process.env`. */
  env?: Environment | undefined;
}

/** What a {@link ProviderSet.reload} changed, by tenant id. */
export interface TenantChanges {
  /** Tenants the new document adds. */
  added: string[];
  /** Tenants it no longer names: refused from now on. */
  removed: string[];
  /** Tenants whose config changed: a new provider at their next use. */
  changed: string[];
  /** Tenants whose config is the same: they keep their provider. */
  unchanged: string[];
}

/** A tenant's readiness: {@link ProviderReady} with its tenant. */
export interface TenantReady extends ProviderReady {
  /** The tenant checked. */
  tenant: string;
}

/** Configured providers keyed by tenant id. See the module description. */
export interface ProviderSet {
  /** The tenant ids configured now, in the document's order. */
  tenants(): string[];
  /** `true` when `tenant` is configured now. */
  has(tenant: string): boolean;
  /**
   * The name of the provider a tenant is configured with (`onfido`), without
   * creating it. Throws a `ConfigError` for a tenant not configured.
   */
  providerName(tenant: string): string;
  /**
   * The tenant's provider, created on first use. Rejects with a `ConfigError`
   * naming the tenant when it is not configured (never added, or removed by a
   * reload), or when its provider could not be created.
   */
  provider(tenant: string): Promise<IdentityVerificationProvider>;
  /**
   * Replaces the configuration with `document` (an object, or JSON text),
   * resolved and validated first: on a problem it throws a `ConfigError` and
   * the set stays as it was. Returns what changed.
   */
  reload(document: TenantsDocument | string): TenantChanges;
  /**
   * The boot-time check of every tenant (or of those named): its provider,
   * created now, has what `uses` need and accepts its credentials
   * (`checkConnection()`). Rejects with a `ConfigError` naming every tenant
   * that is not ready, and why (its error is the `cause` when one tenant fails).
   */
  ready(
    uses?: readonly ProviderUse[],
    options?: CallOptions & { tenants?: readonly string[] | undefined },
  ): Promise<TenantReady[]>;
}

/** One tenant as configured: its resolved config, validated options, and its provider once created. */
interface Entry {
  config: Record<string, unknown>;
  definition: ProviderDefinition<unknown>;
  options: unknown;
  created?: Promise<IdentityVerificationProvider> | undefined;
}

/** A message of the core without its `[idv] ` prefix, to follow the tenant's name. */
const bare = (message: string): string => message.replace(/^\[idv\] /, '');

/** A failure described without anything but the library's own words. */
function describe(error: unknown): string {
  if (isIdvError(error)) return bare(error.message);
  return error instanceof Error ? error.name : 'non-error value thrown';
}

/** Deep equality of two configs: plain data by value, anything else (a policy, a clock) by identity. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => same(item, b[i]));
  }
  const plain = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    [Object.prototype, null].includes(Object.getPrototypeOf(v));
  if (!plain(a) || !plain(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && same(a[key], b[key]))
  );
}

/** Resolves and validates a whole document; throws one `ConfigError` naming every tenant at fault. */
function build(
  document: TenantsDocument | string,
  options: ProviderSetOptions,
): Map<string, Entry> {
  const raw = readTenantsDocument(document);
  const env = options.env ?? process.env;
  const registry = options.registry ?? defaultRegistry;
  const extra: Record<string, unknown> = {};
  if (options.policy !== undefined) extra['policy'] = options.policy;
  if (options.clock !== undefined) extra['clock'] = options.clock;
  if (options.logger !== undefined) extra['logger'] = options.logger;
  if (options.tracer !== undefined) extra['tracer'] = options.tracer;
  const entries = new Map<string, Entry>();
  const problems: Array<{ tenant: string; error: unknown }> = [];
  for (const [tenant, given] of Object.entries(raw)) {
    try {
      const config = expandReferences(given, env, tenant) as Record<string, unknown>;
      const { definition, options: parsed } = parseConfig({ ...config, ...extra }, registry);
      entries.set(tenant, { config, definition, options: parsed });
    } catch (error) {
      problems.push({ tenant, error });
    }
  }
  const first = problems[0];
  if (first === undefined) return entries;
  const line = ({ tenant, error }: (typeof problems)[number]) =>
    isIdvError(error) && bare(error.message).startsWith('[tenants] ')
      ? bare(error.message).slice('[tenants] '.length)
      : `tenant ${JSON.stringify(tenant)}: ${describe(error)}`;
  const firstOption = (first.error as { option?: unknown }).option;
  throw new ConfigError(
    problems.length === 1
      ? `[idv] [tenants] ${line(first)}`
      : `[idv] [tenants] ${problems.length} tenants are misconfigured: ${problems.map(line).join('; ')}`,
    {
      ...(typeof firstOption === 'string' && problems.length === 1
        ? {
            option: firstOption.startsWith(`${first.tenant}.`)
              ? firstOption
              : `${first.tenant}.${firstOption}`,
          }
        : {}),
      ...(problems.length === 1 && isIdvError(first.error) ? { cause: first.error } : {}),
    },
  );
}

/**
 * Creates a set of providers keyed by tenant id, from a document given in
 * code or as JSON text (see {@link TenantsDocument}). Throws a `ConfigError`
 * naming every tenant whose config is invalid; creates no provider yet.
 *
 * @example
 * ```ts
 * const set = createProviderSet({
 *   'org-eu': { provider: 'onfido', region: 'EU', apiToken: '${ORG_EU_ONFIDO_TOKEN}', webhookToken: '${ORG_EU_WEBHOOK_TOKEN}' },
 *   'org-us': { provider: 'jumio', clientId: '${ORG_US_JUMIO_ID}', clientSecret: '${ORG_US_JUMIO_SECRET}' },
 * });
 * const idv = await set.provider('org-eu'); // created now
 * ```
 */
export function createProviderSet(
  document: TenantsDocument | string,
  options: ProviderSetOptions = {},
): ProviderSet {
  let entries = build(document, options);
  /** Tenants a reload removed (and none re-added), for a message that says so. */
  const removed = new Set<string>();

  const refusal = (tenant: string): ConfigError =>
    new ConfigError(
      removed.has(tenant)
        ? `[idv] [tenants] tenant ${JSON.stringify(tenant)} was removed from the configuration`
        : `[idv] [tenants] unknown tenant ${JSON.stringify(String(tenant).slice(0, 80))}: it is not in the configuration`,
      { option: 'tenant' },
    );
  const entryOf = (tenant: string): Entry => {
    const entry = typeof tenant === 'string' ? entries.get(tenant) : undefined;
    if (entry === undefined) throw refusal(tenant);
    return entry;
  };

  const set: ProviderSet = {
    tenants: () => [...entries.keys()],
    has: (tenant) => entries.has(tenant),
    providerName: (tenant) => entryOf(tenant).definition.name,
    provider(tenant) {
      let entry: Entry;
      try {
        entry = entryOf(tenant);
      } catch (error) {
        return Promise.reject(error);
      }
      entry.created ??= Promise.resolve()
        .then(() => createInstrumented(entry.definition, entry.options, options, tenant))
        .catch((error: unknown) => {
          // Not cached: the next use tries again.
          entry.created = undefined;
          throw new ConfigError(
            `[idv] [tenants] tenant ${JSON.stringify(tenant)}: its ${entry.definition.name} provider could not be created: ${describe(error)}`,
            { provider: entry.definition.name, ...(isIdvError(error) ? { cause: error } : {}) },
          );
        });
      return entry.created;
    },
    reload(document) {
      const next = build(document, options);
      const changes: TenantChanges = { added: [], removed: [], changed: [], unchanged: [] };
      for (const [tenant, entry] of next) {
        const before = entries.get(tenant);
        if (before === undefined) changes.added.push(tenant);
        else if (before.definition === entry.definition && same(before.config, entry.config)) {
          // The same config: the provider already made (or being made) is kept.
          next.set(tenant, before);
          changes.unchanged.push(tenant);
        } else changes.changed.push(tenant);
        removed.delete(tenant);
      }
      for (const tenant of entries.keys()) {
        if (!next.has(tenant)) {
          changes.removed.push(tenant);
          removed.add(tenant);
        }
      }
      entries = next;
      return changes;
    },
    async ready(uses = ['start', 'webhooks', 'results'], call = {}) {
      const { tenants: only, ...callOptions } = call;
      const names = only === undefined ? set.tenants() : [...only];
      const settled = await Promise.allSettled(
        names.map(async (tenant): Promise<TenantReady> => {
          const provider = await set.provider(tenant);
          return { ...(await checkReady(provider, uses, callOptions)), tenant };
        }),
      );
      const failed = settled.flatMap((outcome, i) =>
        outcome.status === 'rejected' ? [{ tenant: names[i] ?? '', error: outcome.reason }] : [],
      );
      const first = failed[0];
      if (first === undefined) {
        return settled.map((outcome) => (outcome as PromiseFulfilledResult<TenantReady>).value);
      }
      const line = ({ tenant, error }: (typeof failed)[number]) => {
        const text = describe(error);
        // The set's own refusals already name the tenant.
        return text.startsWith('[tenants] ')
          ? text.slice('[tenants] '.length)
          : `tenant ${JSON.stringify(tenant)}: ${text}`;
      };
      throw new ConfigError(
        failed.length === 1
          ? `[idv] [tenants] not ready: ${line(first)}`
          : `[idv] [tenants] ${failed.length} tenants are not ready: ${failed.map(line).join('; ')}`,
        failed.length === 1 && isIdvError(first.error) ? { cause: first.error } : {},
      );
    },
  };
  return set;
}

/**
 * Creates the provider set the environment names: `IDV_TENANTS_FILE`, a JSON
 * file of {@link TenantsDocument} form whose `${NAME}` references are read
 * from the same environment. Throws a `ConfigError` when the variable is not
 * set, the file cannot be read, or a tenant's config is invalid.
 *
 * @example
 * ```sh
 * IDV_TENANTS_FILE=/etc/cas/tenants.json ORG_EU_ONFIDO_TOKEN=... node server.js
 * ```
 */
export async function providerSetFromEnv(
  env: Environment = process.env,
  options: Omit<ProviderSetOptions, 'env'> = {},
): Promise<ProviderSet> {
  const path = env[TENANTS_FILE_ENV]?.trim();
  if (path === undefined || path === '') {
    throw new ConfigError(
      `[idv] [tenants] ${TENANTS_FILE_ENV} is not set: name a JSON file of { "<tenantId>": { "provider": "onfido", ... } }`,
      { option: TENANTS_FILE_ENV },
    );
  }
  return createProviderSet(await readTenantsFile(path), { ...options, env });
}
