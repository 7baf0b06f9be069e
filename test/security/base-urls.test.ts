/**
 * Base URLs: the credentials the adapters send, and the verdicts they trust,
 * travel to the base URL. Plain `http:` to another machine is refused with a
 * ConfigError (every `baseUrl` / `…BaseUrl` option of every provider), unless
 * `allowInsecureBaseUrl: true` says this is a test; loopback addresses are
 * always accepted. A verification site on the provider's own hosts is refused.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMMON_ENV,
  ConfigError,
  configFromEnv,
  createProvider,
  envVarName,
  parseConfig,
  parseProviderOptions,
} from 'idv-providers';
import { jumioDefinition } from 'idv-providers/jumio';
import { onfidoDefinition } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { acmeIdOptionsSchema } from '../../examples/custom-provider/acme-provider';

const onfidoBase = {
  provider: 'onfido',
  apiToken: 'api_sandbox.base-url-test',
  verificationSiteUrl: 'https://verify.example.com/',
} as const;
const jumioBase = { provider: 'jumio', clientId: 'client-id-1', clientSecret: 'secret-1' } as const;

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const PLAIN_HTTP = 'http://proxy.internal:8080/v3.6';

describe('an http base URL to another machine (the attack: credentials and verdicts in clear text)', () => {
  it('is refused for Onfido baseUrl, naming the option and not the value', () => {
    const error = configError(() => parseConfig({ ...onfidoBase, baseUrl: PLAIN_HTTP }));
    expect(error.message).toContain('"baseUrl"');
    expect(error.message).toContain('allowInsecureBaseUrl');
    expect(error.message).not.toContain('proxy.internal');
  });

  it.each(['authBaseUrl', 'accountBaseUrl', 'retrievalBaseUrl', 'netverifyBaseUrl'])(
    'is refused for Jumio %s',
    (option) => {
      const error = configError(() =>
        parseConfig({ ...jumioBase, [option]: 'http://jumio.proxy.internal' }),
      );
      expect(error.message).toContain(`"${option}"`);
    },
  );

  it('is refused for the example provider of examples/custom-provider', () => {
    const error = configError(() =>
      parseProviderOptions('acme-id', acmeIdOptionsSchema, {
        apiKey: 'key-1',
        webhookSecret: 'a-webhook-secret-of-16+',
        baseUrl: 'http://vendor.internal/v1',
      }),
    );
    expect(error.message).toContain('"baseUrl"');
  });

  it('every provider definition (built-ins, the template, the example) declares its base URLs with baseUrlOption and runs checkBaseUrls', () => {
    const root = join(import.meta.dirname, '../..');
    const files = [
      ...readdirSync(join(root, 'providers')).map((name) => `providers/${name}/definition.ts`),
      'test/fixtures/provider-template/definition.ts',
      'examples/custom-provider/acme-provider.ts',
    ];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      const options = [...text.matchAll(/^\s+(\w*(?:baseUrl|BaseUrl)): (\w+)[.,]/gm)];
      expect(options.length, file).toBeGreaterThan(0);
      for (const [, option, schema] of options)
        expect(`${option}: ${schema}`, file).toBe(`${option}: baseUrlOption`);
      expect(text, file).toContain('.superRefine(checkBaseUrls)');
    }
  });

  it('is refused from the environment too, naming the variable', () => {
    const error = configError(() =>
      configFromEnv({
        IDV_PROVIDER: 'onfido',
        IDV_ONFIDO_API_TOKEN: 'api_sandbox.base-url-test',
        IDV_ONFIDO_VERIFICATION_SITE_URL: 'https://verify.example.com/',
        IDV_ONFIDO_BASE_URL: PLAIN_HTTP,
      }),
    );
    expect(error.message).toContain('IDV_ONFIDO_BASE_URL');
  });

  it('is accepted with allowInsecureBaseUrl: true (in code and as IDV_ALLOW_INSECURE_BASE_URL)', async () => {
    const { options } = parseConfig({
      ...onfidoBase,
      baseUrl: PLAIN_HTTP,
      allowInsecureBaseUrl: true,
    });
    expect(options).toMatchObject({ baseUrl: PLAIN_HTTP, allowInsecureBaseUrl: true });
    const fromEnv = configFromEnv({
      IDV_PROVIDER: 'jumio',
      IDV_JUMIO_CLIENT_ID: 'client-id-1',
      IDV_JUMIO_CLIENT_SECRET: 'secret-1',
      IDV_JUMIO_AUTH_BASE_URL: 'http://jumio.proxy.internal',
      IDV_ALLOW_INSECURE_BASE_URL: 'true',
    });
    expect(fromEnv).toMatchObject({ allowInsecureBaseUrl: true });
    const idv = await createProvider({
      ...jumioBase,
      accountBaseUrl: 'http://emulator:4010',
      allowInsecureBaseUrl: true,
    });
    expect(idv.name).toBe('jumio');
  });

  it('defaults allowInsecureBaseUrl to false', () => {
    expect(parseConfig(onfidoBase).options).toMatchObject({ allowInsecureBaseUrl: false });
  });
});

describe('loopback base URLs are always accepted', () => {
  it.each([
    'http://127.0.0.1:4010/onfido/v3.6',
    'http://127.8.9.10/v3.6',
    'http://localhost:4010/v3.6',
    'http://LOCALHOST/v3.6',
    'http://[::1]:4010/v3.6',
    'https://proxy.internal/v3.6',
  ])('%s', (baseUrl) => {
    expect(parseConfig({ ...onfidoBase, baseUrl }).options).toMatchObject({ baseUrl });
  });

  it.each([
    'http://127.0.0.1.evil.example/v3.6',
    'http://localhost.evil.example/v3.6',
    'http://0.0.0.0:4010/v3.6',
    'http://10.0.0.5/v3.6',
    'http://[::2]/v3.6',
  ])('but not %s, which only looks local', (baseUrl) => {
    expect(() => parseConfig({ ...onfidoBase, baseUrl })).toThrow(ConfigError);
  });
});

describe('a verification site on the provider’s own hosts (the attack: customers sent to the API, the SDK token naming it as referrer)', () => {
  it.each([
    'https://api.eu.onfido.com/v3.6',
    'https://onfido.com/',
    'https://dashboard.onfido.com.',
    'https://eu.onfido.app/l/abc',
    'https://ONFIDO.APP/',
  ])('%s is refused', (verificationSiteUrl) => {
    const error = configError(() => parseConfig({ ...onfidoBase, verificationSiteUrl }));
    expect(error.message).toContain('"verificationSiteUrl"');
    expect(error.message).toContain('not a host of the provider');
  });

  it.each([
    'https://verify.example.com/',
    'https://notonfido.com/verify',
    'https://onfido.com.example/',
  ])('%s is accepted', (verificationSiteUrl) => {
    expect(parseConfig({ ...onfidoBase, verificationSiteUrl }).options).toMatchObject({
      verificationSiteUrl,
    });
  });

  it('the opt-in is a common option, read from IDV_ALLOW_INSECURE_BASE_URL for every provider', () => {
    expect(Object.keys(COMMON_ENV)).toContain('allowInsecureBaseUrl');
    expect(envVarName('jumio', 'allowInsecureBaseUrl')).toBe('IDV_ALLOW_INSECURE_BASE_URL');
    const { provider: _o, ...onfidoOptions } = onfidoBase;
    const { provider: _j, ...jumioOptions } = jumioBase;
    for (const [definition, options, option] of [
      [onfidoDefinition, onfidoOptions, 'baseUrl'],
      [jumioDefinition, jumioOptions, 'authBaseUrl'],
    ] as const) {
      expect(definition.optionsSchema.safeParse(options).success).toBe(true);
      expect(definition.optionsSchema.safeParse({ ...options, [option]: PLAIN_HTTP }).success).toBe(
        false,
      );
      const allowed = { ...options, [option]: PLAIN_HTTP, allowInsecureBaseUrl: true };
      expect(definition.optionsSchema.safeParse(allowed).success).toBe(true);
    }
  });
});
