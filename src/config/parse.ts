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

/** Given values at least this long are compared with unknown option names. */
const MIN_COMPARED_VALUE = 8;

/** Every string value of the options as given (one level into objects and arrays). */
function givenStrings(input: unknown): string[] {
  const out: string[] = [];
  if (typeof input !== 'object' || input === null) return out;
  for (const value of Object.values(input)) {
    if (typeof value === 'string') out.push(value);
    else if (typeof value === 'object' && value !== null) {
      for (const inner of Object.values(value)) if (typeof inner === 'string') out.push(inner);
    }
  }
  return out.filter((value) => value.trim().length >= MIN_COMPARED_VALUE);
}

/** Bits of information per character, from the characters' frequencies. */
function entropyPerCharacter(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * True when an option name looks like a pasted secret rather than a name:
 * 16 characters or more of high entropy with several digits or symbols
 * (`api_sandbox.4f9d2c…`, hex, Base64, a JWT), or 20 letters or more in random
 * case (`aZbYcXdW…`). Option names are words: `verificationSiteUrl`,
 * `IDV_ONFIDO_API_TOKEN`.
 */
export function looksLikeSecret(name: string): boolean {
  if (name.length < 16) return false;
  let digits = 0;
  let symbols = 0;
  let upper = 0;
  let lower = 0;
  for (const c of name) {
    if (c >= '0' && c <= '9') digits += 1;
    else if (c >= 'A' && c <= 'Z') upper += 1;
    else if (c >= 'a' && c <= 'z') lower += 1;
    else if (c !== '_' && c !== '-') symbols += 1;
  }
  const entropy = entropyPerCharacter(name);
  if (digits + symbols >= 3 && entropy >= 3.5) return true;
  const letters = upper + lower;
  return (
    digits + symbols === 0 &&
    name.length >= 20 &&
    letters > 0 &&
    upper / letters >= 0.3 &&
    upper / letters <= 0.7 &&
    entropy >= 3.5
  );
}

/**
 * How an unknown option's name is shown: as given, unless it may be a secret
 * pasted in the wrong place (it looks like one, or it holds a value given for
 * another option); then only its length.
 */
function unknownOptionName(name: string, label: OptionLabel, given: readonly string[]): string {
  const holdsValue = given.some((value) => name.includes(value.trim()));
  return looksLikeSecret(name) || holdsValue
    ? `(a name of ${name.length} characters that looks like a secret: not shown)`
    : label(name);
}

function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  label: OptionLabel,
  knownOptions: readonly string[],
): string {
  const option = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const given = givenStrings(input);
    const names = issue.keys.map((k) => unknownOptionName(k, label, given)).join(', ');
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
