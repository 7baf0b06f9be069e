/**
 * Without a tracer: importing the core loads nothing of OpenTelemetry, the
 * lookup happens once and only when a provider or an intake is created after
 * a host registered an SDK (before that the API is not loaded at all), a
 * missing `@opentelemetry/api` leaves the provider as the adapter made it,
 * and a tracer or logger that throws changes nothing.
 */
import { createOnfidoEmulator } from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  globalTracerState,
  loadGlobalTracer,
  resetGlobalTracerLookup,
} from '../../src/observability/otel';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('@opentelemetry/api', async (importOriginal) => {
  loads.count += 1;
  return importOriginal();
});

const onfido = createOnfidoEmulator();
const server = setupServer(...onfido.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  onfido.reset();
});
afterAll(() => server.close());

const person = { firstName: 'Grace', lastName: 'Hopperfield', countryOfResidence: 'GBR' };

describe('without a tracer', () => {
  it('importing the core loads no @opentelemetry/api; creating a provider looks it up once', async () => {
    const core = await import('idv-providers');
    expect(loads.count).toBe(0);
    // Installed, but no SDK registered: nothing to report to, so nothing is loaded.
    await core.createProvider(onfido.config());
    expect(loads.count).toBe(0);
    expect(globalTracerState()).toBe('pending');
    // The host's SDK set-up registers a tracer provider; the next creation looks the API up, once.
    const api = await import('@opentelemetry/api');
    const { createSdk } = await import('./helpers');
    const { provider } = createSdk();
    api.trace.setGlobalTracerProvider(provider);
    try {
      await core.createProvider(onfido.config());
      await core.createProvider(onfido.config());
      expect(loads.count).toBe(1);
      expect(globalTracerState()).toBe('found');
    } finally {
      api.trace.disable();
    }
  });

  it('with @opentelemetry/api missing, the provider is the adapter’s own and works', async () => {
    const { createProvider, instrumentProvider } = await import('idv-providers');
    resetGlobalTracerLookup();
    const missing = Object.assign(new Error('Cannot find package'), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(await loadGlobalTracer(() => Promise.reject(missing))).toBeUndefined();
    expect(globalTracerState()).toBe('absent');
    const idv = await createProvider(onfido.config());
    expect(instrumentProvider(idv)).toBe(idv);
    const started = await idv.startVerification({ identityReference: 'identity-1', person });
    expect(started.session.subjectId).toEqual(expect.any(String));
    resetGlobalTracerLookup();
  });

  it('a tracer and a logger that throw change nothing', async () => {
    const { createProvider, createMemoryStore, createWebhookHandler } = await import(
      'idv-providers'
    );
    const fail = () => {
      throw new Error('observer down');
    };
    const tracer = { startActiveSpan: fail };
    const logger = { debug: fail, info: fail, warn: fail, error: fail };
    const idv = await createProvider(onfido.config(), { tracer, logger });
    const started = await idv.startVerification({ identityReference: 'identity-2', person });
    expect(started.session.subjectId).toEqual(expect.any(String));
    const error = await idv
      .getResult({ provider: 'onfido', subjectId: 'nobody', attemptId: 'nothing' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not_found' });
    const route = createWebhookHandler({
      provider: idv,
      store: createMemoryStore(),
      tracer,
      logger,
    });
    const response = await route(new Request('https://cas.example/wh', { method: 'GET' }));
    expect(response.status).toBe(405);
  });
});
