/**
 * Config is validated once, when the provider is created: createProvider
 * validates, and the factory it calls takes the validated options as they are.
 * A factory called directly still validates what it is given.
 */
import { createProvider, parseConfig } from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import { onfido } from 'idv-providers/onfido';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jumioOptionsSchema } from '../../providers/jumio/definition';
import { onfidoOptionsSchema } from '../../providers/onfido/definition';

const onfidoConfig = {
  provider: 'onfido',
  apiToken: 'api_sandbox.validate-once',
  verificationSiteUrl: 'https://verify.example.com/',
} as const;
const jumioConfig = { provider: 'jumio', clientId: 'id-1', clientSecret: 'secret-1' } as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('config is validated once', () => {
  it('createProvider validates an Onfido config once, not again in the factory', async () => {
    const parse = vi.spyOn(onfidoOptionsSchema, 'safeParse');
    const idv = await createProvider(onfidoConfig);
    expect(idv.name).toBe('onfido');
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('createProvider validates a Jumio config once, not again in the factory', async () => {
    const parse = vi.spyOn(jumioOptionsSchema, 'safeParse');
    const idv = await createProvider(jumioConfig);
    expect(idv.name).toBe('jumio');
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('a factory called directly validates its options', () => {
    const parse = vi.spyOn(onfidoOptionsSchema, 'safeParse');
    const { provider: _, ...options } = onfidoConfig;
    onfido(options);
    jumio({ clientId: 'id-1', clientSecret: 'secret-1' });
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('validated options are frozen, and a changed copy is validated again', () => {
    const { options } = parseConfig(onfidoConfig);
    expect(Object.isFrozen(options)).toBe(true);
    const parse = vi.spyOn(onfidoOptionsSchema, 'safeParse');
    onfido(options as Parameters<typeof onfido>[0]);
    expect(parse).toHaveBeenCalledTimes(0);
    expect(() => onfido({ ...(options as Parameters<typeof onfido>[0]), apiToken: '' })).toThrow(
      /\[idv\] \[onfido\] invalid option "apiToken"|missing option "apiToken"/,
    );
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('options validated for one provider are validated again by another', () => {
    const { options } = parseConfig(onfidoConfig);
    expect(() => jumio(options as unknown as Parameters<typeof jumio>[0])).toThrow(
      /\[idv\] \[jumio\]/,
    );
  });
});
