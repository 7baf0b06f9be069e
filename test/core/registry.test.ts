import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  configFromEnv,
  createProvider,
  createRegistry,
  defaultRegistry,
  type IdentityVerificationProvider,
  parseConfig,
  registerProvider,
} from 'idv-providers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

const loaded: string[] = [];

vi.mock('idv-providers/onfido', () => {
  loaded.push('onfido');
  return { onfido: (options: Record<string, unknown>) => fakeProvider('onfido', options) };
});
vi.mock('idv-providers/jumio', () => {
  loaded.push('jumio');
  return { jumio: (options: Record<string, unknown>) => fakeProvider('jumio', options) };
});

function fakeProvider(
  name: string,
  options: Record<string, unknown>,
): IdentityVerificationProvider & { options: Record<string, unknown> } {
  const unused = () => Promise.reject(new Error('not used here'));
  return {
    name,
    options,
    capabilities: {
      signedWebhooks: false,
      requiresCompleteCapture: false,
      hostedCapture: true,
      sdkToken: false,
    },
    startVerification: unused,
    completeCapture: unused,
    verifyWebhook: unused,
    getResult: unused,
    listDocuments: unused,
    downloadDocument: unused,
    checkConnection: unused,
  };
}

afterEach(() => {
  defaultRegistry.unregister('acme');
});

describe('lazy loading of adapters', () => {
  it('validates config without loading any adapter, and loads only the one named', async () => {
    parseConfig({ provider: 'jumio', clientId: 'a', clientSecret: 'b' });
    parseConfig({ provider: 'onfido', apiToken: 'a', verificationSiteUrl: 'https://v.example' });
    expect(loaded).toEqual([]);

    const provider = await createProvider({ provider: 'jumio', clientId: 'a', clientSecret: 'b' });
    expect(provider.name).toBe('jumio');
    expect(loaded).toEqual(['jumio']);
    expect((provider as unknown as { options: Record<string, unknown> }).options).toMatchObject({
      clientId: 'a',
      region: 'amer-1',
      mode: 'kyx',
    });
  });

  it('fails at construction on an invalid config, before loading anything', async () => {
    await expect(createProvider({ provider: 'onfido', apiToken: '' } as never)).rejects.toThrow(
      ConfigError,
    );
    await expect(createProvider({ provider: 'nope' })).rejects.toThrow(
      '[idv] unknown provider "nope": expected one of "onfido", "jumio"',
    );
    expect(loaded).not.toContain('onfido');
  });

  it('passes policy and clock given to createProvider through to the adapter', async () => {
    const policy = () => undefined;
    const provider = await createProvider(
      { provider: 'onfido', apiToken: 't', verificationSiteUrl: 'https://v.example' },
      { policy },
    );
    expect((provider as unknown as { options: Record<string, unknown> }).options['policy']).toBe(
      policy,
    );
  });

  it('keeps the core free of static imports of provider code', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          // The testing kit and the CLI are entries of their own that may load adapters.
          if (entry !== 'testing' && entry !== 'cli') walk(path);
          continue;
        }
        const text = readFileSync(path, 'utf8');
        // The one list of built-ins may import each provider's definition
        // (schema, regions, lazy factory), and nothing else of a provider.
        const code = text.replace(
          /^import\s[^;]*from\s+'\.\.\/providers\/[a-z0-9-]+\/definition';$/gm,
          path.endsWith('/src/builtins.ts') ? '' : '$&',
        );
        if (
          /^import\s[^;]*from\s+['"](idv-providers\/(onfido|jumio)|\.\.\/.*providers\/)/m.test(code)
        ) {
          offenders.push(path);
        }
      }
    };
    walk(join(import.meta.dirname, '../../src'));
    expect(offenders).toEqual([]);
    // A definition loads its adapter only with import() (or require() in the CommonJS build).
    for (const name of ['onfido', 'jumio']) {
      const definition = readFileSync(
        join(import.meta.dirname, `../../providers/${name}/definition.ts`),
        'utf8',
      );
      const staticImports = [...definition.matchAll(/^import\s(?!type\b)[^;]*from\s+'([^']+)';$/gm)]
        .map((m) => m[1])
        .filter((from) => from !== 'zod' && !from?.startsWith('../../src/config/'));
      expect(staticImports, `providers/${name}/definition.ts`).toEqual([]);
    }
  });
});

describe('third-party providers', () => {
  const acme = {
    name: 'acme',
    optionsSchema: z.strictObject({
      apiKey: z.string().min(1),
      sandbox: z.boolean().default(true),
    }),
    env: { apiKey: 'string', sandbox: 'boolean' } as const,
    create: (options: { apiKey: string; sandbox: boolean }) => fakeProvider('acme', options),
  };

  it('registers, validates and creates a provider of its own', async () => {
    registerProvider(acme);
    expect(defaultRegistry.names()).toEqual(['onfido', 'jumio', 'acme']);
    const provider = await createProvider({ provider: 'acme', apiKey: 'k' });
    expect(provider.name).toBe('acme');
    expect((provider as unknown as { options: unknown }).options).toEqual({
      apiKey: 'k',
      sandbox: true,
    });
    await expect(createProvider({ provider: 'acme' })).rejects.toThrow(
      '[idv] [acme] missing option "apiKey"',
    );
  });

  it('reads its options from the environment by the same convention', () => {
    registerProvider(acme);
    expect(
      configFromEnv({ IDV_PROVIDER: 'acme', IDV_ACME_API_KEY: 'k', IDV_ACME_SANDBOX: 'no' }),
    ).toEqual({
      provider: 'acme',
      apiKey: 'k',
      sandbox: false,
    });
  });

  it('names it among the valid choices once registered', () => {
    registerProvider(acme);
    expect(() => parseConfig({ provider: 'x' })).toThrow(
      'expected one of "onfido", "jumio", "acme"',
    );
  });

  it('refuses a taken or malformed name', () => {
    expect(() => registerProvider({ ...acme, name: 'onfido' })).toThrow(
      '[idv] provider "onfido" is already registered (pass { replace: true } to replace it)',
    );
    expect(() => registerProvider({ ...acme, name: 'Acme Corp' })).toThrow(
      '[idv] invalid provider name "Acme Corp": use lower-case letters, digits and dashes',
    );
  });

  it('keeps separate registries apart', async () => {
    const registry = createRegistry().register(acme);
    expect(registry.names()).toContain('acme');
    expect(defaultRegistry.has('acme')).toBe(false);
    const provider = await createProvider({ provider: 'acme', apiKey: 'k' }, { registry });
    expect(provider.name).toBe('acme');
  });
});
