/**
 * Configuration under generated input: `parseConfig` with arbitrary values and
 * near-valid configs, `configFromEnv` with arbitrary environments. Every
 * outcome is validated options or a `ConfigError`, and a `ConfigError` never
 * repeats a value it was given (any of them may be a secret).
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import {
  COMMON_ENV,
  ConfigError,
  configFromEnv,
  envVarName,
  type IdvError,
  parseConfig,
} from 'idv-providers';
import { jumioDefinition } from 'idv-providers/jumio';
import { onfidoDefinition } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { PARAMETERS, settleSync } from './fuzz';

const anything = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withObjectString: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** A value an option might plausibly be given: right, nearly right, or anything. */
const optionValue = fc.oneof(
  fc.constantFrom(
    'EU',
    'us',
    'MARS',
    'amer-1',
    'emea-1',
    'kyx',
    'netverify',
    'https://api.example.com/v3.6',
    'http://localhost:1',
    'ftp://example.com',
    'not a url',
    'en-GB',
    'document',
    '',
    ' ',
  ),
  fc.integer({ min: -10, max: 1_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
  fc.string({ maxLength: 40 }),
  anything,
);

const OPTION_NAMES = [
  ...new Set([
    ...Object.keys(COMMON_ENV),
    ...Object.keys(onfidoDefinition.env ?? {}),
    ...Object.keys(jumioDefinition.env ?? {}),
    'policy',
    'clock',
  ]),
];

const providerName = fc.oneof(
  fc.constantFrom('onfido', 'jumio'),
  fc.constantFrom(undefined, null, 'Onfido', 'sumsub', '__proto__', 'constructor'),
  fc.string({ maxLength: 12 }),
);

/** A config with the right keys (and a few wrong ones) holding generated values. */
const nearConfig = fc
  .tuple(
    providerName,
    fc.dictionary(fc.constantFrom(...OPTION_NAMES), optionValue, { maxKeys: 10 }),
    fc.dictionary(fc.string({ maxLength: 12 }), optionValue, { maxKeys: 2 }),
  )
  .map(([provider, options, extra]) => ({ ...extra, ...options, provider }));

function expectConfigError(error: IdvError): void {
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.code).toBe('config_error');
  expect(error.message.startsWith('[idv]')).toBe(true);
}

/** Every rendering of an error a log could hold. */
function renderings(error: unknown): string[] {
  return [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  ];
}

describe('parseConfig, fuzzed', () => {
  it('ends in validated options or a ConfigError for any value at all', () => {
    fc.assert(
      fc.property(anything, (config) => {
        const outcome = settleSync(() => parseConfig(config));
        if (!outcome.ok) expectConfigError(outcome.error);
      }),
      PARAMETERS,
    );
  });

  it('ends in validated options or a ConfigError for any near-valid config', () => {
    fc.assert(
      fc.property(nearConfig, (config) => {
        const outcome = settleSync(() => parseConfig(config));
        if (!outcome.ok) return expectConfigError(outcome.error);
        const options = outcome.value.options as Record<string, unknown>;
        expect(['onfido', 'jumio']).toContain(outcome.value.definition.name);
        expect(Number.isInteger(options['timeoutMs'])).toBe(true);
        expect(Number.isInteger(options['maxRetries'])).toBe(true);
        expect(typeof options['autoRegistration']).toBe('boolean');
        if (outcome.value.definition.name === 'onfido') {
          expect(['EU', 'US', 'CA']).toContain(options['region']);
          expect(typeof options['apiToken']).toBe('string');
        } else {
          expect(['amer-1', 'emea-1', 'apac-1']).toContain(options['region']);
          expect(typeof options['clientSecret']).toBe('string');
        }
      }),
      PARAMETERS,
    );
  });

  it('never repeats a value it was given in a ConfigError', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{16,32}$/).map((s) => `s3cr3t-${s}`);
    const where = fc.subarray([...OPTION_NAMES, 'apiToken', 'clientSecret'], { minLength: 1 });
    fc.assert(
      fc.property(
        fc.constantFrom('onfido', 'jumio'),
        secret,
        where,
        fc.dictionary(fc.constantFrom(...OPTION_NAMES), optionValue, { maxKeys: 4 }),
        (provider, value, names, others) => {
          const config: Record<string, unknown> = { ...others, provider };
          for (const name of names) config[name] = name === 'reportNames' ? [value] : value;
          const outcome = settleSync(() => parseConfig(config));
          if (outcome.ok) return;
          expectConfigError(outcome.error);
          for (const text of renderings(outcome.error)) expect(text).not.toContain(value);
        },
      ),
      PARAMETERS,
    );
  });
});

function variablesOf(provider: 'onfido' | 'jumio'): string[] {
  const definition = provider === 'onfido' ? onfidoDefinition : jumioDefinition;
  return Object.keys({ ...COMMON_ENV, ...definition.env }).map((option) =>
    envVarName(provider, option),
  );
}

const KNOWN_VARIABLES = [...new Set([...variablesOf('onfido'), ...variablesOf('jumio')])];

const variableName = fc.oneof(
  fc.constantFrom(...KNOWN_VARIABLES),
  fc
    .tuple(
      fc.constantFrom('IDV_ONFIDO_', 'IDV_JUMIO_', 'IDV_'),
      fc.stringMatching(/^[A-Z_]{1,16}$/),
    )
    .map(([prefix, rest]) => prefix + rest),
  fc.string({ maxLength: 16 }),
);
const variableValue = fc.oneof(
  optionValue.filter((v): v is string => typeof v === 'string'),
  fc.constantFrom('true', 'no', '1', '007', '-1', '1e3', 'document, ,facial_similarity_photo'),
  fc.nat().map(String),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('configFromEnv, fuzzed', () => {
  it('ends in a config or a ConfigError for any environment, and a config it returns parses', () => {
    fc.assert(
      fc.property(
        fc.option(providerName.filter((p): p is string => typeof p === 'string')),
        fc.dictionary(variableName, variableValue, { maxKeys: 12 }),
        (provider, variables) => {
          const env: Record<string, string | undefined> = { ...variables };
          if (provider !== null) env['IDV_PROVIDER'] = provider;
          const outcome = settleSync(() => configFromEnv(env));
          if (!outcome.ok) return expectConfigError(outcome.error);
          expect(settleSync(() => parseConfig(outcome.value)).ok).toBe(true);
        },
      ),
      PARAMETERS,
    );
  });

  it('never repeats a variable value in a ConfigError', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{16,32}$/).map((s) => `s3cr3t-${s}`);
    fc.assert(
      fc.property(
        fc.constantFrom<'onfido' | 'jumio'>('onfido', 'jumio'),
        secret,
        fc.nat(),
        fc.dictionary(variableName, variableValue, { maxKeys: 6 }),
        (provider, value, pick, others) => {
          const names = variablesOf(provider);
          const env: Record<string, string> = { ...others, IDV_PROVIDER: provider };
          // The secret in its own variable and in one other, possibly of the wrong kind.
          env[provider === 'onfido' ? 'IDV_ONFIDO_API_TOKEN' : 'IDV_JUMIO_CLIENT_SECRET'] = value;
          env[names[pick % names.length] as string] = value;
          const outcome = settleSync(() => configFromEnv(env));
          if (outcome.ok) return;
          expectConfigError(outcome.error);
          for (const text of renderings(outcome.error)) expect(text).not.toContain(value);
        },
      ),
      PARAMETERS,
    );
  });
});
