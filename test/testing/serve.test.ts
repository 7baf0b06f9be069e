import { createProvider, type IdvConfig } from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  type EmulatorServer,
  type JumioEmulator,
  type OnfidoEmulator,
  runVerificationFlow,
  serveEmulators,
} from 'idv-providers/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// No MSW interception in this file: every request crosses a real socket.
let server: EmulatorServer;
let onfido: OnfidoEmulator;
let jumio: JumioEmulator;

beforeAll(async () => {
  server = await serveEmulators({ handlers: () => [...onfido.handlers, ...jumio.handlers] });
  onfido = createOnfidoEmulator({ baseUrl: `${server.url}/onfido/v3.6` });
  jumio = createJumioEmulator({
    baseUrls: {
      auth: `${server.url}/jumio/auth`,
      account: `${server.url}/jumio/account`,
      retrieval: `${server.url}/jumio/retrieval`,
    },
  });
});
afterAll(() => server.close());

describe('emulators over real HTTP', () => {
  it('runs the Onfido flow against a local port', async () => {
    const config = onfido.config({ autoRegistration: true }) as IdvConfig & { baseUrl: string };
    expect(config.baseUrl).toBe(`${server.url}/onfido/v3.6`);
    const run = await runVerificationFlow(await createProvider(config), onfido, {
      identityReference: 'http-onfido',
      reason: 'CAUTION_DATA_COMPARISON',
    });
    expect(run.result).toMatchObject({
      status: 'awaiting_registration',
      reason: 'CAUTION_DATA_COMPARISON',
    });
    expect(run.documents.length).toBeGreaterThan(1);
    for (const d of run.documents) expect(d.downloadedSha256).toBe(d.servedSha256);
  });

  it('runs the Jumio flow against a local port', async () => {
    const run = await runVerificationFlow(
      await createProvider(jumio.config({ autoRegistration: true })),
      jumio,
      {
        identityReference: 'http-jumio',
        reason: 'CLEAR',
      },
    );
    expect(run.result).toMatchObject({ status: 'registered', reason: 'CLEAR' });
    expect(run.result.person).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
  });

  it('answers 404 for what it does not emulate, and drops the connection for a reset fault', async () => {
    const missing = await fetch(`${server.url}/nothing/here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { type: 'not_found', message: 'GET /nothing/here is not emulated' },
    });
    onfido.fail({ kind: 'reset' });
    await expect(
      fetch(`${server.url}/onfido/v3.6/applicants`, {
        headers: { authorization: `Token token=${onfido.apiToken}` },
      }),
    ).rejects.toThrow();
  });
});
