import { ConfigError, NetworkError, ProviderApiError, TimeoutError } from 'idv-providers';
import { describe, expect, it } from 'vitest';
import { checkTarget, credentialHint } from '../../src/cli/check';
import type { LoadedConfig } from '../../src/cli/config-source';
import { parseEnvFile } from '../../src/cli/env-file';
import { exitCodeOf, LocalError, UsageError } from '../../src/cli/exit-codes';
import { jsonErrorPosition } from '../../src/cli/json-position';
import { displayValue, isSecretOption, maskSecret } from '../../src/cli/mask';

describe('masking', () => {
  it.each([
    'apiToken',
    'webhookToken',
    'clientSecret',
    'clientId',
    'password',
    'linkKey',
    'api-key',
  ])('treats %s as secret', (option) => {
    expect(isSecretOption(option)).toBe(true);
  });

  it.each(['baseUrl', 'authBaseUrl', 'region', 'workflowKey', 'workflowId', 'reportNames'])(
    'shows %s as is',
    (option) => {
      expect(isSecretOption(option)).toBe(false);
    },
  );

  it('shows the first four characters of a long secret, *** for a short one', () => {
    expect(maskSecret('api_sandbox.0123456789abcdef')).toBe('api_…');
    expect(maskSecret('short-secret')).toBe('***');
    expect(displayValue('clientSecret', 'short-secret')).toBe('***');
    expect(displayValue('apiToken', 12345)).toBe('***');
  });

  it('hides credentials inside a URL', () => {
    expect(displayValue('baseUrl', 'https://user:pa55word@proxy.example/v3.6')).toBe(
      'https://***:***@proxy.example/v3.6',
    );
    expect(displayValue('baseUrl', 'https://api.eu.onfido.com/v3.6')).toBe(
      'https://api.eu.onfido.com/v3.6',
    );
    expect(displayValue('reportNames', ['document', 'facial_similarity_photo'])).toBe(
      'document,facial_similarity_photo',
    );
  });
});

describe('.env files', () => {
  it('reads plain, quoted, exported and commented lines', () => {
    const text = [
      '# a comment',
      '',
      'IDV_PROVIDER=onfido',
      'export IDV_ONFIDO_REGION=US  # inline comment',
      'A_DOUBLE="two words # not a comment"',
      "A_SINGLE='literal \\n stays'",
      'ESCAPES="line\\nbreak \\"quoted\\""',
      'EMPTY=',
    ].join('\r\n');
    expect(parseEnvFile(text, '.env')).toEqual({
      IDV_PROVIDER: 'onfido',
      IDV_ONFIDO_REGION: 'US',
      A_DOUBLE: 'two words # not a comment',
      A_SINGLE: 'literal \\n stays',
      ESCAPES: 'line\nbreak "quoted"',
      EMPTY: '',
    });
  });

  it.each([
    ['no equals sign', 'JUST_A_NAME'],
    ['a bad name', '1BAD=x'],
    ['an unclosed quote', 'A="open'],
    ['text after a closing quote', 'A="x" y'],
  ])('refuses %s, naming the line', (_, line) => {
    expect(() => parseEnvFile(`OK=1\n${line}\n`, '.env')).toThrow(
      new ConfigError('[idv] .env: line 2 is not a NAME=value line (or has an unclosed quote)'),
    );
  });
});

describe('JSON error positions', () => {
  it('finds the first error by line and column', () => {
    expect(jsonErrorPosition('{\n  "a": 1,\n  "b": oops\n}')).toEqual({ line: 3, column: 8 });
    expect(jsonErrorPosition('{"a": 1,}')).toEqual({ line: 1, column: 9 });
    expect(jsonErrorPosition('{"a": 1} trailing')).toEqual({ line: 1, column: 10 });
    expect(jsonErrorPosition('{"a": "\\x"}')).toEqual({ line: 1, column: 9 });
    expect(jsonErrorPosition('{"a": [1, 2')).toEqual({ line: 1, column: 12 });
  });

  it('answers undefined for valid JSON', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "\\u00e9"]} ', '"x"']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(jsonErrorPosition(text)).toBeUndefined();
    }
  });
});

describe('exit codes', () => {
  const request = { method: 'GET', url: 'https://api.example/x' };
  it.each([
    [new UsageError('bad flag'), 2],
    [new ConfigError('[idv] missing option'), 2],
    [new ProviderApiError('refused', { status: 401, request }), 3],
    [new ProviderApiError('forbidden', { status: 403, request }), 3],
    [
      new ProviderApiError('refused', {
        status: 400,
        providerErrorType: 'invalid_client',
        request,
      }),
      3,
    ],
    [new ProviderApiError('bad request', { status: 400, request }), 4],
    [new ProviderApiError('down', { status: 503, request }), 4],
    [new NetworkError('refused'), 4],
    [new TimeoutError('slow'), 4],
    [new LocalError('port in use'), 1],
    [new Error('unexpected'), 1],
  ])('%s → %i', (error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });
});

describe('what check points at', () => {
  const loaded = (provider: string, given: Record<string, unknown>): LoadedConfig => ({
    config: { provider, ...given },
    provider,
    source: 'environment',
    given: Object.entries(given).map(([option, value]) => ({
      option,
      label: `IDV_${provider.toUpperCase()}_${option.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
      value,
    })),
    options: given,
    notes: [],
  });

  it('names the secrets and the region when no base URL is given', () => {
    expect(credentialHint(loaded('onfido', { apiToken: 'x', region: 'US' }))).toBe(
      'check IDV_ONFIDO_API_TOKEN (and IDV_ONFIDO_REGION: credentials work in their own region only)',
    );
    expect(credentialHint(loaded('jumio', { clientId: 'a', clientSecret: 'b' }))).toBe(
      'check IDV_JUMIO_CLIENT_ID, IDV_JUMIO_CLIENT_SECRET (and the region: credentials work in their own region only)',
    );
  });

  it('derives the address of the check from the region or the overrides', () => {
    expect(checkTarget(loaded('onfido', { region: 'US' }))).toBe('https://api.us.onfido.com/v3.6');
    expect(checkTarget(loaded('jumio', { region: 'emea-1' }))).toBe('https://auth.emea-1.jumio.ai');
    expect(checkTarget(loaded('jumio', { region: 'emea-1', mode: 'netverify' }))).toBe(
      'https://lon.netverify.com',
    );
    expect(checkTarget(loaded('acme', {}))).toBeUndefined();
  });
});
