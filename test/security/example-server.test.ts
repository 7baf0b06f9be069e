/**
 * The example server (examples/cas-backend) a newcomer copies from. A
 * provider's error reaches the log, never the customer (the attack: the raw
 * provider message, with ids and field names, was sent to the browser and
 * shown on the verification page); and the operator key is compared in
 * constant time (digests of equal length), not with `!==`.
 */
import { createLinkSigner, createMemoryStore, createProvider } from 'idv-providers';
import { createOnfidoEmulator } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verificationPage } from '../../examples/cas-backend/page';
import { type CasBackend, createCasBackend, ROUTES } from '../../examples/cas-backend/server';
import { LoggingSmsSender } from '../../examples/cas-backend/sms';

const emulator = createOnfidoEmulator();
const server = setupServer(...emulator.handlers);
const OPERATOR_KEY = 'operator-key-for-the-example-0123456789';
const PROVIDER_DETAIL = 'applicant 5f1c-internal-id has invalid field dob_internal';

let backend: CasBackend;
let url: string;
const logged: string[] = [];
const sms = new LoggingSmsSender(() => {});

beforeAll(async () => {
  server.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname === '127.0.0.1') return;
      print.error();
    },
  });
  backend = createCasBackend({
    provider: await createProvider(emulator.config()),
    links: createLinkSigner({ key: 'example-server-test-key-7c2e9a41d8b35f60e1a2b3c4d5e6f708' }),
    store: createMemoryStore(),
    sms,
    operatorKey: OPERATOR_KEY,
    countryOfResidence: 'GBR',
    log: (line) => logged.push(line),
  });
  url = await backend.listen();
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  await backend.close();
  server.close();
});

const start = (authorization: string | undefined) =>
  fetch(`${url}/internal/identities`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify({ phoneNumber: '+420777123456', firstName: 'Ada', lastName: 'Lovelace' }),
  });

describe('the operator key', () => {
  it.each([
    ['missing', undefined],
    ['of another length', 'Bearer short'],
    ['of the same length, one character off', `Bearer ${OPERATOR_KEY.slice(0, -1)}X`],
    ['without the scheme', OPERATOR_KEY],
  ])('%s is refused with 401', async (_, authorization) => {
    const answer = await start(authorization);
    expect(answer.status).toBe(401);
  });

  it('the right one starts a verification', async () => {
    expect((await start(`Bearer ${OPERATOR_KEY}`)).status).toBe(201);
  });

  it('is compared as digests in constant time, not with !==', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(
      new URL('../../examples/cas-backend/server.ts', import.meta.url),
      'utf8',
    );
    expect(source).not.toMatch(/authorization'\]\s*!==/);
    expect(source).toContain('constantTimeEqual(digest(given), digest(expected))');
  });
});

describe("a provider's error (the attack: its raw message shown to the customer)", () => {
  it('is logged, and the customer gets a generic message', async () => {
    const identity = (await (await start(`Bearer ${OPERATOR_KEY}`)).json()) as { id: string };
    const link = new URL(sms.lastTo('+420777123456')?.match(/https?:\/\/\S+/)?.[0] ?? 'x:');
    expect(link.searchParams.get('token')).toBeTruthy();
    server.use(
      http.post('https://api.eu.onfido.com/v3.6/checks', () =>
        HttpResponse.json(
          { error: { type: 'validation_error', message: PROVIDER_DETAIL, fields: {} } },
          { status: 422 },
        ),
      ),
    );
    const answer = await fetch(`${url}${ROUTES.submit}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link.searchParams.get('token') }),
    });
    const body = (await answer.json()) as { message: string };
    expect(answer.status).toBe(422);
    expect(body.message).toBe(
      'Something went wrong on our side. Please try again in a few minutes.',
    );
    expect(JSON.stringify(body)).not.toContain('5f1c-internal-id');
    expect(logged.some((line) => line.includes(PROVIDER_DETAIL))).toBe(true);
    expect(identity.id).toBeTruthy();
  });

  it("the verification page shows its own words for a failed call, never the server's", () => {
    const page = verificationPage({
      token: 't',
      provider: 'onfido',
      identityId: 'i',
      expiresAt: new Date(0).toISOString(),
      emulatedCapture: true,
    });
    expect(page).not.toContain('body.message');
    expect(page).toContain('Something went wrong. Please try again in a few minutes.');
  });
});
