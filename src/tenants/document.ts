/**
 * The tenants document: one JSON object naming every tenant's provider
 * configuration, `{ "<tenantId>": { "provider": "onfido", ... } }`, from code,
 * from JSON text or from the file `IDV_TENANTS_FILE` names.
 *
 * A string value may be or contain `${NAME}`, replaced by the environment
 * variable `NAME` when the document is loaded (as the command line's
 * `--config` file allows), so the file holds no secret. Messages name the
 * tenant, the option and the variable, never a value.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors';
import { unreadableReason } from '../shared/file-errors';

/**
 * What a tenant id looks like: a letter or digit, then letters, digits, `.`,
 * `_` or `-`, 64 characters at most. Safe as a URL path segment, a header
 * value and a log field as it is.
 */
export const TENANT_ID_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The environment variable naming the tenants file ({@link providerSetFromEnv}). */
export const TENANTS_FILE_ENV = 'IDV_TENANTS_FILE';

/**
 * Every tenant's provider configuration, by tenant id: each value is a
 * config as `createProvider` takes it (`provider` and its options), where
 * string values may hold `${ENV}` references.
 */
export type TenantsDocument = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** The environment `${NAME}` references are read from. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** How deep a document may nest (a deeper one is refused before anything walks it further). */
const MAX_DEPTH = 32;

/** `true` for `{}`-made objects, the only ones a reference walk descends into. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** ` (tenant "org-b", option "apiToken")`: where in the document, for messages. */
function where(tenant: string, path: string): string {
  return path === ''
    ? `tenant ${JSON.stringify(tenant)}`
    : `tenant ${JSON.stringify(tenant)}: option ${JSON.stringify(path)}`;
}

/**
 * Replaces `${NAME}` in every string of a tenant's config with the
 * environment variable `NAME`. Throws a {@link ConfigError} naming the tenant,
 * the option and the variable (never a value) when one is not set.
 */
export function expandReferences(
  value: unknown,
  env: Environment,
  tenant: string,
  path = '',
  depth = 0,
): unknown {
  if (depth > MAX_DEPTH) {
    throw new ConfigError(
      `[idv] [tenants] ${where(tenant, path.split('.')[0] ?? '')} nests more than ${MAX_DEPTH} levels deep`,
    );
  }
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined || found === '') {
        throw new ConfigError(
          `[idv] [tenants] ${where(tenant, path)} refers to \${${name}}, which is not set in the environment`,
          { option: path === '' ? tenant : `${tenant}.${path}` },
        );
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => expandReferences(item, env, tenant, `${path}.${i}`, depth + 1));
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        expandReferences(item, env, tenant, path === '' ? key : `${path}.${key}`, depth + 1),
      ]),
    );
  }
  return value;
}

/**
 * The document as an object: JSON text parsed, an object checked for its
 * shape (an object of tenant ids, each naming its config). References are
 * left as they are. Throws a {@link ConfigError} that quotes none of the text.
 */
export function readTenantsDocument(
  input: TenantsDocument | string,
  source = 'the tenants document',
): Record<string, Record<string, unknown>> {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      // JSON.parse's message quotes the text around the error, which may be a secret.
      throw new ConfigError(`[idv] [tenants] ${source} is not valid JSON`);
    }
  }
  if (!isPlainObject(value)) {
    throw new ConfigError(
      `[idv] [tenants] ${source} must be a JSON object of tenant ids, each with its provider config: { "<tenantId>": { "provider": "onfido", ... } }`,
    );
  }
  const tenants: Record<string, Record<string, unknown>> = {};
  for (const [tenant, config] of Object.entries(value)) {
    if (!TENANT_ID_PATTERN.test(tenant)) {
      throw new ConfigError(
        `[idv] [tenants] ${source}: invalid tenant id ${JSON.stringify(tenant.slice(0, 80))}: use letters, digits, ".", "_" and "-" (64 at most), starting with a letter or digit`,
      );
    }
    if (!isPlainObject(config)) {
      throw new ConfigError(
        `[idv] [tenants] ${source}: tenant ${JSON.stringify(tenant)} must be an object with a "provider" field`,
        { option: tenant },
      );
    }
    tenants[tenant] = config;
  }
  return tenants;
}

/**
 * Reads a tenants file: its JSON, checked for its shape, references left for
 * the provider set to resolve. Throws a {@link ConfigError} naming the file
 * (never quoting it).
 *
 * @example
 * ```ts
 * process.on('SIGHUP', async () => {
 *   set.reload(await readTenantsFile(process.env.IDV_TENANTS_FILE!));
 * });
 * ```
 */
export async function readTenantsFile(path: string): Promise<TenantsDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = unreadableReason(error);
    throw new ConfigError(`[idv] [tenants] tenants file ${path}: ${reason}`, {
      option: TENANTS_FILE_ENV,
    });
  }
  return readTenantsDocument(text, `tenants file ${path}`);
}
