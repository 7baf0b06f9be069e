/**
 * The emulator itself, spoken to directly: it must answer as Jumio does, or the
 * adapter's tests prove nothing.
 */

import { createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { useJumioEmulator } from './harness';

const clock = createTestClock();
const { emulator } = useJumioEmulator({ clock, tokenLifetimeSeconds: 600 });

const UA = { 'user-agent': 'EmulatorTest/1.0' };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function token(region = 'amer-1'): Promise<string> {
  const answer = await fetch(`https://auth.${region}.jumio.ai/oauth2/token`, {
    method: 'POST',
    headers: {
      ...UA,
      authorization: basic(emulator.clientId, emulator.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as {
    access_token: string;
    expires_in: number;
    token_type: string;
  };
  expect(body.expires_in).toBe(600);
  expect(body.token_type).toBe('Bearer');
  return body.access_token;
}

async function createAccount(bearer: string, body: unknown, region = 'amer-1') {
  return fetch(`https://account.${region}.jumio.ai/api/v1/accounts`, {
    method: 'POST',
    headers: { ...UA, authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const VALID = { customerInternalReference: 'ref-1', workflowDefinition: { key: 10013 } };

describe('the emulated auth host', () => {
  it('refuses wrong client credentials with an OAuth2 error', async () => {
    const answer = await fetch('https://auth.amer-1.jumio.ai/oauth2/token', {
      method: 'POST',
      headers: {
        ...UA,
        authorization: basic(emulator.clientId, 'nope'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses another grant type', async () => {
    const answer = await fetch('https://auth.emea-1.jumio.ai/oauth2/token', {
      method: 'POST',
      headers: { ...UA, authorization: basic(emulator.clientId, emulator.clientSecret) },
      body: 'grant_type=password',
    });
    expect(answer.status).toBe(400);
    expect(emulator.tokenRequests()).toBe(1);
  });

  it('expires tokens on its clock', async () => {
    const bearer = await token();
    expect((await createAccount(bearer, VALID)).status).toBe(200);
    clock.advance(600_000);
    expect((await createAccount(bearer, VALID)).status).toBe(401);
  });
});

describe('the emulated account host', () => {
  it('answers 401 without a token, with an unknown one and with a revoked one', async () => {
    const bearer = await token();
    const none = await fetch('https://account.amer-1.jumio.ai/api/v1/accounts', {
      method: 'POST',
      headers: UA,
    });
    expect(none.status).toBe(401);
    expect((await createAccount('made-up-token', VALID)).status).toBe(401);
    emulator.expireTokens();
    const revoked = await createAccount(bearer, VALID);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ title: 'Unauthorized', status: 401 });
  });

  it('answers 403 without a User-Agent', async () => {
    const bearer = await token();
    const answer = await fetch('https://account.amer-1.jumio.ai/api/v1/accounts', {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(VALID),
    });
    expect(answer.status).toBe(403);
    expect(emulator.requests().at(-1)?.headers['user-agent']).toBeUndefined();
  });

  it.each([
    ['a missing reference', { workflowDefinition: { key: 10013 } }],
    ['a 101-character reference', { ...VALID, customerInternalReference: 'x'.repeat(101) }],
    ['a forbidden character', { ...VALID, customerInternalReference: 'a{b}' }],
    ['a 101-character user reference', { ...VALID, userReference: 'u'.repeat(101) }],
    [
      'a callback URL over 255 characters',
      { ...VALID, callbackUrl: `https://a.example/${'p'.repeat(250)}` },
    ],
    ['no workflow key', { customerInternalReference: 'ref-1' }],
    ['a token lifetime under 5 minutes', { ...VALID, tokenLifetime: '4m' }],
    ['a token lifetime over 60 days', { ...VALID, tokenLifetime: '61d' }],
  ])('answers 400 for %s', async (_name, body) => {
    const answer = await createAccount(await token(), body);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ title: 'Bad Request', status: 400 });
  });

  it('answers 429 with the body Jumio documents', async () => {
    emulator.fail({ kind: 'status', status: 429 }, { path: /^\/api\/v1\/accounts$/ });
    const answer = await createAccount(await token(), VALID);
    expect(answer.status).toBe(429);
    expect(await answer.json()).toEqual({
      title: 'Too Many Requests',
      status: 429,
      // docs/provider-facts.md#j-rl-3
      detail: 'Request limit exceeded',
    });
  });

  it('keeps data in its region', async () => {
    const created = await createAccount(await token('apac-1'), VALID, 'apac-1');
    const { account, workflowExecution } = (await created.json()) as {
      account: { id: string };
      workflowExecution: { id: string };
    };
    const path = `/api/v1/accounts/${account.id}/workflow-executions/${workflowExecution.id}`;
    const home = await fetch(`https://retrieval.apac-1.jumio.ai${path}`, {
      headers: { ...UA, authorization: `Bearer ${emulator.issuedTokens()[0]}` },
    });
    expect(home.status).toBe(200);
    expect(await home.json()).toMatchObject({
      workflow: { id: workflowExecution.id, status: 'INITIATED' },
    });
    const abroad = await fetch(`https://retrieval.emea-1.jumio.ai${path}`, {
      headers: { ...UA, authorization: `Bearer ${await token('emea-1')}` },
    });
    expect(abroad.status).toBe(404);
  });
});

describe('emulator bookkeeping', () => {
  it('counts requests by method and path, and forgets everything on reset', async () => {
    await createAccount(await token(), VALID);
    expect(emulator.requestCount('post', /^\/api\/v1\/accounts$/)).toBe(1);
    expect(emulator.requestCount('GET', /^\/api\/v1\/accounts$/)).toBe(0);
    emulator.fail({ kind: 'status', status: 500 });
    emulator.reset();
    expect(emulator.requests()).toEqual([]);
    expect(emulator.tokenRequests()).toBe(0);
    expect(emulator.issuedTokens()).toEqual([]);
    expect((await createAccount(await token(), VALID)).status).toBe(200);
  });

  it('names itself jumio and gives a config pointing at its hosts', () => {
    expect(emulator.provider).toBe('jumio');
    expect(emulator.config({ region: 'emea-1' })).toEqual({
      provider: 'jumio',
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      region: 'emea-1',
      callbackUrl: 'https://idv-host.example/callbacks/jumio',
      verifyCallbackSource: false,
    });
  });

  it('refuses verdicts for transactions it does not know', () => {
    expect(() => emulator.setVerdict('no-such-account', { reason: 'CLEAR' })).toThrow('no account');
  });
});
