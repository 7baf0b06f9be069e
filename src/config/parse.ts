/**
 * Turns zod's issues into one clear `ConfigError` that names the provider, the
 * option and the valid choices, and never the value given (it may be a secret).
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { shapeOf } from './env-kinds';

/** The options {@link parseProviderOptions} returned, with the provider they were validated for. */
const validated = new WeakMap<object, string>();

/** How an option is named in messages (a config key, or the environment variable it came from). */
export type OptionLabel = (option: string) => string;

const quoted = (values: readonly unknown[]): string =>
  values.map((v) => JSON.stringify(v)).join(', ');

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  label: OptionLabel,
  knownOptions: readonly string[],
): string {
  const option = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => label(k)).join(', ');
    return `unknown option ${names}: valid options are ${quoted(knownOptions)}`;
  }
  const missing =
    (issue.code === 'custom' && issue.params?.['missing'] === true) ||
    (issue.path.length > 0 && valueAt(input, issue.path) === undefined);
  if (missing) {
    const extra = issue.code === 'custom' ? ` (${issue.message})` : '';
    return `missing option ${label(option)}${extra}`;
  }
  if (issue.code === 'invalid_value') {
    return `invalid option ${label(option)}: expected one of ${quoted(issue.values)}`;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  return option === '' ? message : `invalid option ${label(option)}: ${message}`;
}

/**
 * Validates `input` against a provider's options schema. Throws a
 * {@link ConfigError} listing every problem, e.g.
 * `[idv] [jumio] missing option "clientSecret"`.
 */
export function parseProviderOptions<O>(
  provider: string,
  schema: z.ZodType<O, unknown>,
  input: unknown,
  label: OptionLabel = (option) => JSON.stringify(option),
): O {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(`[idv] [${provider}] options must be an object`, { provider });
  }
  // Options this function produced are passed on as they are: config is
  // validated once, by createProvider, and not again by the factory it calls.
  // (Matched by provider name: each entry of the built package has its own
  // copy of a built-in provider's schema, so the schema object may differ.)
  if (validated.get(input) === provider) return input as O;
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    if (typeof parsed.data === 'object' && parsed.data !== null) {
      // Frozen, so what was validated is what a factory receives.
      validated.set(Object.freeze(parsed.data), provider);
    }
    return parsed.data;
  }
  const knownOptions = knownOptionsOf(schema);
  const problems = parsed.error.issues.map((issue) =>
    describeIssue(issue, input, label, knownOptions),
  );
  const first = parsed.error.issues[0];
  const option = first === undefined ? undefined : first.path.map(String).join('.') || undefined;
  throw new ConfigError(`[idv] [${provider}] ${problems.join('; ')}`, { provider, option });
}

/** The option names of an object schema (empty for schemas that are not objects). */
export function knownOptionsOf(schema: z.core.$ZodType): string[] {
  return Object.keys(shapeOf(schema) ?? {});
}
