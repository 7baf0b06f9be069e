import { ConfigError, configFromEnv, envVarName, type IdvError, parseConfig } from 'idv-providers';
import { jumioConfigSchema } from 'idv-providers/jumio';
import { onfidoConfigSchema } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';

const onfido = {
  provider: 'onfido',
  apiToken: 'api_sandbox.abc.def',
  verificationSiteUrl: 'https://verify.example.com',
} as const;
const jumio = {
  provider: 'jumio',
  clientId: 'client-id-123',
  clientSecret: 'client-secret-456',
} as const;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig: valid configs and defaults', () => {
  it('fills Onfido defaults', () => {
    const { definition, options } = parseConfig(onfido);
    expect(definition.name).toBe('onfido');
    expect(options).toMatchObject({
      region: 'EU',
      reportNames: ['document', 'facial_similarity_photo'],
      autoRegistration: false,
      timeoutMs: 30_000,
      maxRetries: 3,
    });
  });

  it('accepts a lower-case Onfido region', () => {
    expect(parseConfig({ ...onfido, region: 'us' }).options).toMatchObject({ region: 'US' });
  });

  it('fills Jumio defaults', () => {
    expect(parseConfig(jumio).options).toMatchObject({
      mode: 'kyx',
      region: 'amer-1',
      tokenLifetimeMinutes: 30,
      verifyCallbackSource: true,
    });
  });

  it('lets Studio mode go without a verification site', () => {
    const { verificationSiteUrl: _, ...rest } = onfido;
    expect(parseConfig({ ...rest, workflowId: 'wf-1' }).options).toMatchObject({
      workflowId: 'wf-1',
    });
  });

  it('exposes zod schemas discriminated on provider', () => {
    expect(onfidoConfigSchema.safeParse(onfido).success).toBe(true);
    expect(jumioConfigSchema.safeParse(jumio).success).toBe(true);
    expect(onfidoConfigSchema.safeParse(jumio).success).toBe(false);
  });
});

describe('parseConfig: errors name the provider, the option and the choices', () => {
  it.each([
    ['no provider', {}, '[idv] no provider given: expected one of "onfido", "jumio"'],
    [
      'unknown provider',
      { provider: 'sumsub' },
      '[idv] unknown provider "sumsub": expected one of "onfido", "jumio"',
    ],
    ['non-object config', 'onfido', '[idv] config must be an object with a "provider" field'],
  ])('%s', (_name, config, message) => {
    expect(configError(() => parseConfig(config)).message).toBe(message);
  });

  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    [
      'onfido apiToken missing',
      { ...onfido, apiToken: undefined },
      'apiToken',
      '[idv] [onfido] missing option "apiToken"',
    ],
    [
      'onfido apiToken empty',
      { ...onfido, apiToken: '  ' },
      'apiToken',
      '[idv] [onfido] invalid option "apiToken": must not be empty',
    ],
    [
      'onfido region',
      { ...onfido, region: 'AU' },
      'region',
      '[idv] [onfido] invalid option "region": expected one of "EU", "US", "CA"',
    ],
    [
      'onfido baseUrl',
      { ...onfido, baseUrl: 'ftp://x' },
      'baseUrl',
      '[idv] [onfido] invalid option "baseUrl": expected an absolute http(s) URL',
    ],
    [
      'onfido verificationSiteUrl missing',
      { ...onfido, verificationSiteUrl: undefined },
      'verificationSiteUrl',
      '[idv] [onfido] missing option "verificationSiteUrl" (is required for classic checks (set it, or set "workflowId" to use Onfido Studio))',
    ],
    [
      'onfido reportNames empty',
      { ...onfido, reportNames: [] },
      'reportNames',
      '[idv] [onfido] invalid option "reportNames": Too small: expected array to have >=1 items',
    ],
    [
      'onfido webhookToken empty',
      { ...onfido, webhookToken: '' },
      'webhookToken',
      '[idv] [onfido] invalid option "webhookToken": must not be empty',
    ],
    ['onfido typo', { ...onfido, apiTokn: 'x' }, '', '[idv] [onfido] unknown option "apiTokn"'],
    [
      'common timeoutMs',
      { ...onfido, timeoutMs: -5 },
      'timeoutMs',
      '[idv] [onfido] invalid option "timeoutMs": Too small: expected number to be >0',
    ],
    [
      'common maxRetries',
      { ...onfido, maxRetries: 11 },
      'maxRetries',
      '[idv] [onfido] invalid option "maxRetries": Too big: expected number to be <=10',
    ],
    [
      'common autoRegistration',
      { ...onfido, autoRegistration: 'yes' },
      'autoRegistration',
      '[idv] [onfido] invalid option "autoRegistration": expected boolean, received string',
    ],
    [
      'common policy',
      { ...onfido, policy: 'strict' },
      'policy',
      '[idv] [onfido] invalid option "policy": expected a function (result) => status',
    ],
    [
      'common clock',
      { ...onfido, clock: { now: () => 0 } },
      'clock',
      '[idv] [onfido] invalid option "clock": expected an object with now(), sleep(ms) and random() functions',
    ],
    [
      'jumio clientId missing',
      { ...jumio, clientId: undefined },
      'clientId',
      '[idv] [jumio] missing option "clientId"',
    ],
    [
      'jumio clientSecret missing',
      { ...jumio, clientSecret: undefined },
      'clientSecret',
      '[idv] [jumio] missing option "clientSecret"',
    ],
    [
      'jumio region',
      { ...jumio, region: 'eu-1' },
      'region',
      '[idv] [jumio] invalid option "region": expected one of "amer-1", "emea-1", "apac-1"',
    ],
    [
      'jumio mode',
      { ...jumio, mode: 'v3' },
      'mode',
      '[idv] [jumio] invalid option "mode": expected one of "kyx", "netverify"',
    ],
    [
      'jumio callbackUrl',
      { ...jumio, callbackUrl: 'not a url' },
      'callbackUrl',
      '[idv] [jumio] invalid option "callbackUrl": expected an absolute http(s) URL',
    ],
    [
      'jumio callbackUrl length',
      { ...jumio, callbackUrl: `https://x.example/${'a'.repeat(250)}` },
      'callbackUrl',
      '[idv] [jumio] invalid option "callbackUrl": must be at most 255 characters',
    ],
    [
      'jumio tokenLifetimeMinutes',
      { ...jumio, tokenLifetimeMinutes: 2 },
      'tokenLifetimeMinutes',
      '[idv] [jumio] invalid option "tokenLifetimeMinutes": Too small: expected number to be >=5',
    ],
    [
      'jumio workflowKey',
      { ...jumio, workflowKey: 1.5 },
      'workflowKey',
      '[idv] [jumio] invalid option "workflowKey": expected int, received number',
    ],
    [
      'jumio locale',
      { ...jumio, locale: 'english' },
      'locale',
      '[idv] [jumio] invalid option "locale": expected a locale such as "en" or "en-GB"',
    ],
  ];

  it.each(cases)('%s', (_name, config, option, message) => {
    const error = configError(() => parseConfig(config));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.code).toBe('config_error');
    expect(error.provider).toBe(config['provider']);
    if (option !== '') expect(error.option).toBe(option);
  });

  it('lists the valid options after an unknown one', () => {
    const message = configError(() => parseConfig({ ...jumio, clientSecrett: 'x' })).message;
    expect(message).toContain('valid options are');
    expect(message).toContain('"clientSecret"');
  });

  it('reports every problem at once', () => {
    const message = configError(() => parseConfig({ provider: 'jumio', region: 'x' })).message;
    expect(message).toContain('missing option "clientId"');
    expect(message).toContain('missing option "clientSecret"');
    expect(message).toContain('invalid option "region"');
  });

  it('never repeats a value it was given', () => {
    const secret = 'super-secret-value-xyz';
    const messages = [
      configError(() => parseConfig({ ...onfido, apiToken: secret, region: secret })).message,
      configError(() => parseConfig({ ...jumio, clientSecret: secret, timeoutMs: secret })).message,
      configError(() => parseConfig({ ...jumio, [secret]: 1 })).message.replace(`"${secret}"`, ''),
    ];
    for (const message of messages) expect(message).not.toContain(secret);
  });
});

describe('configFromEnv', () => {
  it('builds an Onfido config from IDV_ONFIDO_* and common variables', () => {
    const config = configFromEnv({
      IDV_PROVIDER: 'onfido',
      IDV_ONFIDO_API_TOKEN: 'tok_123',
      IDV_ONFIDO_REGION: 'CA',
      IDV_ONFIDO_VERIFICATION_SITE_URL: 'https://verify.example.com',
      IDV_ONFIDO_REPORT_NAMES: 'document, facial_similarity_video',
      IDV_AUTO_REGISTRATION: 'true',
      IDV_TIMEOUT_MS: '5000',
      IDV_JUMIO_CLIENT_ID: 'ignored while onfido is chosen',
      PATH: '/usr/bin',
    });
    expect(config).toEqual({
      provider: 'onfido',
      apiToken: 'tok_123',
      region: 'CA',
      verificationSiteUrl: 'https://verify.example.com',
      reportNames: ['document', 'facial_similarity_video'],
      autoRegistration: true,
      timeoutMs: 5000,
    });
  });

  it('builds a Jumio config from IDV_JUMIO_* variables', () => {
    const config = configFromEnv({
      IDV_PROVIDER: 'jumio',
      IDV_JUMIO_CLIENT_ID: 'cid',
      IDV_JUMIO_CLIENT_SECRET: 'csecret',
      IDV_JUMIO_REGION: 'emea-1',
      IDV_JUMIO_MODE: 'netverify',
      IDV_JUMIO_WORKFLOW_KEY: '200',
      IDV_JUMIO_VERIFY_CALLBACK_SOURCE: 'off',
      IDV_AUTO_REGISTRATION: '0',
    });
    expect(config).toEqual({
      provider: 'jumio',
      clientId: 'cid',
      clientSecret: 'csecret',
      region: 'emea-1',
      mode: 'netverify',
      workflowKey: 200,
      verifyCallbackSource: false,
      autoRegistration: false,
    });
  });

  it('names the variable of a missing or invalid option', () => {
    const missing = configError(() =>
      configFromEnv({ IDV_PROVIDER: 'jumio', IDV_JUMIO_CLIENT_ID: 'cid' }),
    );
    expect(missing.message).toBe(
      '[idv] [jumio] missing option "clientSecret" (IDV_JUMIO_CLIENT_SECRET)',
    );
    const invalid = configError(() =>
      configFromEnv({
        IDV_PROVIDER: 'onfido',
        IDV_ONFIDO_API_TOKEN: 't',
        IDV_ONFIDO_REGION: 'AU',
        IDV_ONFIDO_WORKFLOW_ID: 'w',
      }),
    );
    expect(invalid.message).toBe(
      '[idv] [onfido] invalid option "region" (IDV_ONFIDO_REGION): expected one of "EU", "US", "CA"',
    );
  });

  it('refuses unreadable numbers and booleans', () => {
    expect(
      configError(() =>
        configFromEnv({
          IDV_PROVIDER: 'jumio',
          IDV_JUMIO_CLIENT_ID: 'a',
          IDV_JUMIO_CLIENT_SECRET: 'b',
          IDV_TIMEOUT_MS: '5s',
        }),
      ).message,
    ).toBe('[idv] [jumio] environment variable IDV_TIMEOUT_MS must be a whole number');
    expect(
      configError(() =>
        configFromEnv({
          IDV_PROVIDER: 'jumio',
          IDV_JUMIO_CLIENT_ID: 'a',
          IDV_JUMIO_CLIENT_SECRET: 'b',
          IDV_AUTO_REGISTRATION: 'maybe',
        }),
      ).message,
    ).toBe(
      '[idv] [jumio] environment variable IDV_AUTO_REGISTRATION must be true or false (or 1/0, yes/no, on/off)',
    );
  });

  it('refuses a misspelt variable of the chosen provider', () => {
    const error = configError(() =>
      configFromEnv({
        IDV_PROVIDER: 'jumio',
        IDV_JUMIO_CLIENT_ID: 'a',
        IDV_JUMIO_CLIENT_SECERT: 'b',
      }),
    );
    expect(error.message).toMatch(
      /^\[idv\] \[jumio\] unknown environment variable IDV_JUMIO_CLIENT_SECERT: valid ones are .*IDV_JUMIO_CLIENT_SECRET/,
    );
  });

  it('needs IDV_PROVIDER', () => {
    expect(configError(() => configFromEnv({})).message).toBe(
      '[idv] no provider given: expected one of "onfido", "jumio"',
    );
    expect(configError(() => configFromEnv({ IDV_PROVIDER: 'acme' })).message).toBe(
      '[idv] unknown provider "acme": expected one of "onfido", "jumio"',
    );
  });

  it('names variables by convention', () => {
    expect(envVarName('jumio', 'clientSecret')).toBe('IDV_JUMIO_CLIENT_SECRET');
    expect(envVarName('onfido', 'verificationSiteUrl')).toBe('IDV_ONFIDO_VERIFICATION_SITE_URL');
    expect(envVarName('my-vendor', 'apiKey')).toBe('IDV_MY_VENDOR_API_KEY');
    expect(envVarName('onfido', 'autoRegistration')).toBe('IDV_AUTO_REGISTRATION');
  });

  it('keeps secrets out of env errors', () => {
    const errors: IdvError[] = [
      configError(() =>
        configFromEnv({
          IDV_PROVIDER: 'jumio',
          IDV_JUMIO_CLIENT_ID: 'sekrit-id',
          IDV_JUMIO_CLIENT_SECRET: 'sekrit-secret',
          IDV_JUMIO_REGION: 'x',
        }),
      ),
    ];
    for (const error of errors) {
      expect(`${error.message}${JSON.stringify(error)}`).not.toMatch(/sekrit/);
    }
  });
});
