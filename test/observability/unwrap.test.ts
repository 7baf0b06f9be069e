/**
 * An instrumented provider is a copy of the adapter's object: the Onfido
 * helpers that keep state by provider object still find it behind the copy.
 */
import { createProvider, instrumentProvider, unwrapProvider } from 'idv-providers';
import { onfido, registerOnfidoWebhook } from 'idv-providers/onfido';
import { createOnfidoEmulator } from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSdk } from './helpers';

const emulator = createOnfidoEmulator();
const server = setupServer(...emulator.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe('an instrumented provider', () => {
  it('is a copy whose adapter object unwrapProvider gives back', () => {
    const sdk = createSdk();
    const original = onfido({
      apiToken: 'api_sandbox.unwrap-test',
      verificationSiteUrl: 'https://verify.example.com/',
    });
    const copy = instrumentProvider(original, { tracer: sdk.tracer });
    expect(copy).not.toBe(original);
    expect(unwrapProvider(copy)).toBe(original);
    expect(unwrapProvider(original)).toBe(original);
    // A copy of a copy still leads to the adapter's object.
    expect(unwrapProvider(instrumentProvider(copy, { tracer: sdk.tracer }))).toBe(original);
  });

  it("registers an Onfido webhook through createProvider's instrumented copy, with a span", async () => {
    const sdk = createSdk();
    const idv = await createProvider({ ...emulator.config(), tracer: sdk.tracer });
    expect(unwrapProvider(idv)).not.toBe(idv);
    const registered = await registerOnfidoWebhook(idv, {
      url: 'https://backend.example.com/webhooks/onfido',
    });
    expect(registered.created).toBe(true);
    expect(typeof registered.token).toBe('string');
    await idv.checkConnection();
    expect(sdk.named('idv.onfido.checkConnection')).toHaveLength(1);
  });
});
