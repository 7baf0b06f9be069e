/**
 * The Jumio KYX API a backend uses, as the emulator serves it over plain HTTP
 * (`serveEmulators` on 127.0.0.1, `fetch`): every route and behaviour, with
 * the answers docs/provider-facts.md records. Rate limits are in
 * emulator-rate-limits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  type AccountAnswer,
  basic,
  bearer,
  CALLBACK_URL,
  call,
  executionUrl,
  FORM,
  json,
  serveJumio,
  start,
  startBody,
  tokenRequest,
  UA,
} from './http-harness';

const served = serveJumio();
const PNG_SIGNATURE = '89504e470d0a1a0a';
const problem = (status: number, title: string, detail: string) => ({ title, status, detail });

describe('POST /oauth2/token (docs/provider-facts.md#j-auth-1 to #j-auth-3)', () => {
  it('issues a bearer token for Basic client credentials and grant_type=client_credentials', async () => {
    const answer = await tokenRequest(served);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[\w-]{40,}$/),
      expires_in: 3600,
      token_type: 'Bearer',
    });
    expect(served.emulator.issuedTokens()).toEqual([body['access_token']]);
  });

  // Jumio documents no body for a refused token call (docs/provider-facts.md#j-open-7):
  // the emulator answers RFC 6749 §5.2's.
  it.each([
    ['a wrong secret', { secret: 'wrong' }],
    ['an unknown client id', { clientId: 'someone-else' }],
  ])('refuses %s: 401 invalid_client with WWW-Authenticate', async (_, init) => {
    const answer = await tokenRequest(served, init);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Basic realm="jumio"');
    expect(await answer.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Bad client credentials',
    });
    expect(served.emulator.issuedTokens()).toEqual([]);
  });

  it('refuses a request without client credentials: 401 invalid_client', async () => {
    const answer = await fetch(`${served.hosts.auth}/oauth2/token`, {
      method: 'POST',
      headers: { ...UA, ...FORM },
      body: 'grant_type=client_credentials',
    });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses another grant type: 400 unsupported_grant_type', async () => {
    const answer = await tokenRequest(served, { body: 'grant_type=password' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'The grant type "password" is not supported: use client_credentials',
    });
  });

  it.each([
    ['no grant_type', 'scope=all', 'The parameter grant_type is required'],
    [
      'a repeated parameter',
      'grant_type=client_credentials&grant_type=client_credentials',
      'The parameter grant_type is repeated',
    ],
    [
      'client credentials in the body',
      'grant_type=client_credentials&client_secret=x',
      'Client credentials go in the Authorization header (HTTP Basic), not in the body',
    ],
  ])('refuses a malformed body (%s): 400 invalid_request', async (_, body, description) => {
    const answer = await tokenRequest(served, { body });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: 'invalid_request',
      error_description: description,
    });
  });

  it('refuses a body that is not form-encoded: 400 invalid_request', async () => {
    const { emulator, hosts } = served;
    const answer = await fetch(`${hosts.auth}/oauth2/token`, {
      method: 'POST',
      headers: {
        ...UA,
        authorization: basic(emulator.clientId, emulator.clientSecret),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body must be application/x-www-form-urlencoded',
    });
  });

  it('refuses a request without a User-Agent: 403 (docs/provider-facts.md#j-auth-7)', async () => {
    const answer = await tokenRequest(served);
    expect(answer.status).toBe(200);
    const { emulator, hosts } = served;
    const bare = await fetch(`${hosts.auth}/oauth2/token`, {
      method: 'POST',
      headers: {
        'user-agent': ' ',
        ...FORM,
        authorization: basic(emulator.clientId, emulator.clientSecret),
      },
      body: 'grant_type=client_credentials',
    });
    expect(await json(bare)).toMatchObject({
      status: 403,
      body: problem(403, 'Forbidden', 'A User-Agent header naming the client is required'),
    });
  });
});

describe('accounts (docs/provider-facts.md#j-acc-1 to #j-acc-9)', () => {
  it('POST /api/v1/accounts starts a transaction with the documented answer', async () => {
    const token = await bearer(served);
    const answer = await start(served, token);
    expect(answer).toEqual({
      timestamp: '2026-01-01T00:00:00.000Z',
      account: { id: expect.any(String) },
      web: {
        href: expect.stringMatching(/^https:\/\/acme\.web\.amer-1\.jumio\.ai\/web\/v4\/app\?/),
      },
      sdk: { token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) },
      workflowExecution: {
        id: expect.any(String),
        credentials: ['ID', 'SELFIE', 'FACEMAP'].map((category) => ({
          id: expect.any(String),
          category,
          allowedChannels: ['WEB', 'API', 'SDK'],
        })),
        tokenExpiry: '2026-01-01T00:30:00.000Z',
      },
    });
    const status = await call(
      token,
      'GET',
      `${executionUrl(served, answer.account.id, answer.workflowExecution.id)}/status`,
    );
    expect(
      ((await status.json()) as { workflowExecution: { status: string } }).workflowExecution.status,
    ).toBe('INITIATED');
  });

  it('refuses a request body outside the documented rules: 400 with the problem body', async () => {
    const token = await bearer(served);
    const answer = await call(token, 'POST', `${served.hosts.account}/api/v1/accounts`, {
      customerInternalReference: 'has/slash',
      workflowDefinition: { key: 10011 },
    });
    expect(await json(answer)).toEqual({
      status: 400,
      type: expect.stringMatching(/^application\/json/),
      body: problem(400, 'Bad Request', 'customerInternalReference contains invalid characters'),
    });
  });

  it('PUT /api/v1/accounts/{id} starts a new workflow execution for the account', async () => {
    const token = await bearer(served);
    const first = await start(served, token);
    const answer = await call(
      token,
      'PUT',
      `${served.hosts.account}/api/v1/accounts/${first.account.id}`,
      startBody('ref-2'),
    );
    expect(answer.status).toBe(200);
    const second = (await answer.json()) as AccountAnswer;
    expect(second.account.id).toBe(first.account.id);
    expect(second.workflowExecution.id).not.toBe(first.workflowExecution.id);
    expect(served.emulator.account(first.account.id)?.executions.map((e) => e.id)).toEqual([
      first.workflowExecution.id,
      second.workflowExecution.id,
    ]);
    for (const id of [first.workflowExecution.id, second.workflowExecution.id]) {
      expect((await call(token, 'GET', executionUrl(served, first.account.id, id))).status).toBe(
        200,
      );
    }
  });

  it('PUT for an unknown account answers 404 (docs/provider-facts.md#j-acc-2)', async () => {
    const token = await bearer(served);
    const answer = await call(
      token,
      'PUT',
      `${served.hosts.account}/api/v1/accounts/nobody`,
      startBody(),
    );
    expect(await json(answer)).toMatchObject({
      status: 404,
      body: problem(404, 'Not Found', 'Account not found'),
    });
  });

  it('serves no account read: Jumio documents none (docs/provider-facts.md#j-open-9)', async () => {
    const token = await bearer(served);
    const { account } = await start(served, token);
    for (const host of [served.hosts.retrieval, served.hosts.account]) {
      const answer = await call(token, 'GET', `${host}/api/v1/accounts/${account.id}`);
      expect(await json(answer)).toMatchObject({
        status: 404,
        body: problem(404, 'Not Found', 'No such endpoint'),
      });
    }
  });

  it('DELETE /api/v1/accounts/{id} on the retrieval host answers 200; every later read is 404', async () => {
    const { emulator } = served;
    const token = await bearer(served);
    const { account, workflowExecution } = await start(served, token);
    await emulator.completeCustomerJourney({ provider: 'jumio', subjectId: account.id });
    const details = (await (
      await call(token, 'GET', executionUrl(served, account.id, workflowExecution.id))
    ).json()) as {
      credentials: Array<{ parts: Array<{ href?: string }> }>;
    };
    const part = details.credentials[0]?.parts[0]?.href as string;
    expect((await call(token, 'GET', part)).status).toBe(200);

    const deleted = await call(
      token,
      'DELETE',
      `${served.hosts.retrieval}/api/v1/accounts/${account.id}`,
    );
    expect(deleted.status).toBe(200);
    // J-ACC-9 gives no body for the answer: the emulator's is empty.
    expect(await deleted.text()).toBe('');

    const url = executionUrl(served, account.id, workflowExecution.id);
    for (const [method, target] of [
      ['GET', url],
      ['GET', `${url}/status`],
      ['GET', `${url}/steps`],
      ['GET', part],
      ['DELETE', `${served.hosts.retrieval}/api/v1/accounts/${account.id}`],
      ['PUT', `${served.hosts.account}/api/v1/accounts/${account.id}`],
    ] as const) {
      const answer = await call(token, method, target, method === 'PUT' ? startBody() : undefined);
      expect(answer.status, `${method} ${target}`).toBe(404);
      expect(((await answer.json()) as { title: string }).title).toBe('Not Found');
    }
    expect(emulator.account(account.id)).toBeUndefined();
    expect(emulator.execution(workflowExecution.id)).toBeUndefined();
  });

  it('DELETE of one workflow execution removes it and keeps the account and its others', async () => {
    const token = await bearer(served);
    const first = await start(served, token);
    const again = await call(
      token,
      'PUT',
      `${served.hosts.account}/api/v1/accounts/${first.account.id}`,
      startBody(),
    );
    const second = (await again.json()) as AccountAnswer;
    const firstUrl = executionUrl(served, first.account.id, first.workflowExecution.id);
    expect((await call(token, 'DELETE', firstUrl)).status).toBe(200);
    expect((await call(token, 'GET', `${firstUrl}/status`)).status).toBe(404);
    const secondUrl = executionUrl(served, first.account.id, second.workflowExecution.id);
    expect((await call(token, 'GET', `${secondUrl}/status`)).status).toBe(200);
    expect(served.emulator.account(first.account.id)?.executions.map((e) => e.id)).toEqual([
      second.workflowExecution.id,
    ]);
  });

  it('does not delete on the account host, where Jumio documents no deletion', async () => {
    const token = await bearer(served);
    const { account } = await start(served, token);
    const answer = await call(
      token,
      'DELETE',
      `${served.hosts.account}/api/v1/accounts/${account.id}`,
    );
    expect(answer.status).toBe(404);
    expect(served.emulator.account(account.id)).toBeDefined();
  });

  it('answers 401 with the documented body without a valid token (docs/provider-facts.md#j-err-1)', async () => {
    const answer = await call(
      'not-a-token',
      'POST',
      `${served.hosts.account}/api/v1/accounts`,
      startBody(),
    );
    expect(await json(answer)).toEqual({
      status: 401,
      type: expect.stringMatching(/^application\/json/),
      body: problem(401, 'Unauthorized', 'The provided credentials are invalid'),
    });
  });
});

describe('workflow executions (docs/provider-facts.md#j-ret-1 to #j-ret-6)', () => {
  it('moves the status from INITIATED to ACQUIRED to PROCESSED, with both href shapes', async () => {
    const { emulator, hosts } = served;
    const token = await bearer(served);
    const { account, workflowExecution } = await start(served, token);
    const session = { provider: 'jumio', subjectId: account.id, attemptId: workflowExecution.id };
    const url = `${executionUrl(served, account.id, workflowExecution.id)}/status`;
    const status = async () =>
      (await (await call(token, 'GET', url)).json()) as Record<string, Record<string, string>>;
    expect(await status()).toEqual({
      account: { id: account.id, href: `${hosts.retrieval}/api/v1/accounts/${account.id}` },
      workflowExecution: {
        id: workflowExecution.id,
        href: `${hosts.retrieval}/api/v1/workflow-executions/${workflowExecution.id}`,
        definitionKey: '10011',
        status: 'INITIATED',
      },
    });
    emulator.acquire(session);
    expect((await status())['workflowExecution']?.['status']).toBe('ACQUIRED');
    await emulator.completeCustomerJourney(session);
    expect((await status())['workflowExecution']?.['status']).toBe('PROCESSED');
  });

  it('serves the details, the steps and every image part with its content type', async () => {
    const { emulator } = served;
    const token = await bearer(served);
    const { account, workflowExecution } = await start(served, token);
    await emulator.completeCustomerJourney({ provider: 'jumio', subjectId: account.id });
    const url = executionUrl(served, account.id, workflowExecution.id);
    const details = (await (await call(token, 'GET', url)).json()) as {
      workflow: Record<string, string>;
      decision: { type: string };
      capabilities: Record<string, Array<{ id: string }>>;
      credentials: Array<{ category: string; parts: Array<{ classifier: string; href?: string }> }>;
    };
    expect(details.workflow).toMatchObject({
      id: workflowExecution.id,
      status: 'PROCESSED',
      definitionKey: '10011',
    });
    expect(details.decision.type).toBe('PASSED');
    expect(
      details.credentials.map((c) => [
        c.category,
        c.parts.map((p) => [p.classifier, p.href !== undefined]),
      ]),
    ).toEqual([
      [
        'ID',
        [
          ['FRONT', true],
          ['BACK', true],
        ],
      ],
      ['SELFIE', [['FACE', true]]],
      // The facemap part has no download link (docs/provider-facts.md#j-ret-3).
      ['FACEMAP', [['FACEMAP', false]]],
    ]);
    for (const credential of details.credentials) {
      for (const part of credential.parts) {
        if (part.href === undefined) continue;
        const image = await call(token, 'GET', part.href);
        expect(image.status).toBe(200);
        expect(image.headers.get('content-type')).toBe('image/png');
        const bytes = Buffer.from(await image.arrayBuffer());
        expect(image.headers.get('content-length')).toBe(String(bytes.byteLength));
        expect(bytes.subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
      }
    }
    const facemap = details.credentials.find((c) => c.category === 'FACEMAP');
    const facemapId = emulator
      .execution(workflowExecution.id)
      ?.credentials.find((c) => c.category === 'FACEMAP')?.id;
    expect(facemap).toBeDefined();
    const noLink = await call(
      token,
      'GET',
      `${served.hosts.retrieval}/api/v1/accounts/${account.id}/credentials/${facemapId}/parts/FACEMAP`,
    );
    expect(await json(noLink)).toMatchObject({
      status: 404,
      body: problem(404, 'Not Found', 'Credential part not found'),
    });

    const steps = (await (await call(token, 'GET', `${url}/steps`)).json()) as {
      steps: Array<{ id: string; name: string; capabilityIds: string[]; decision: unknown }>;
    };
    expect(steps.steps).toEqual([
      {
        id: expect.any(String),
        name: 'ID_IV',
        capabilityIds: Object.values(details.capabilities).flatMap((list) => list.map((c) => c.id)),
        decision: details.decision,
      },
    ]);
  });

  it('answers no steps before processing', async () => {
    const token = await bearer(served);
    const { account, workflowExecution } = await start(served, token);
    const steps = await call(
      token,
      'GET',
      `${executionUrl(served, account.id, workflowExecution.id)}/steps`,
    );
    expect(await steps.json()).toEqual({ steps: [] });
  });

  it('serves FRONT_WITH_FLASH and LIVENESS_<n> parts when the capture yields them (docs/provider-facts.md#j-ret-4)', async () => {
    const { emulator } = served;
    const token = await bearer(served);
    const { account, workflowExecution } = await start(served, token);
    emulator.setCapture(account.id, { flash: true, livenessFrames: 3 });
    await emulator.completeCustomerJourney({ provider: 'jumio', subjectId: account.id });
    const details = (await (
      await call(token, 'GET', executionUrl(served, account.id, workflowExecution.id))
    ).json()) as {
      credentials: Array<{ category: string; parts: Array<{ classifier: string; href?: string }> }>;
    };
    const classifiers = Object.fromEntries(
      details.credentials.map((c) => [c.category, c.parts.map((p) => p.classifier)]),
    );
    expect(classifiers).toEqual({
      ID: ['FRONT', 'FRONT_WITH_FLASH', 'BACK'],
      SELFIE: ['FACE'],
      // The documented sample's order (docs/provider-facts.md#j-ret-3).
      FACEMAP: ['FACEMAP', 'LIVENESS_1', 'LIVENESS_3', 'LIVENESS_2'],
    });
    const links = details.credentials
      .flatMap((c) => c.parts)
      .filter((p) => p.classifier !== 'FACEMAP');
    for (const part of links) {
      const image = await call(token, 'GET', part.href as string);
      expect([part.classifier, image.status, image.headers.get('content-type')]).toEqual([
        part.classifier,
        200,
        'image/png',
      ]);
    }
  });

  it('answers 404 for an execution named under another account, and for an unknown classifier', async () => {
    const token = await bearer(served);
    const one = await start(served, token, 'ref-a');
    const other = await start(served, token, 'ref-b');
    const crossed = await call(
      token,
      'GET',
      executionUrl(served, other.account.id, one.workflowExecution.id),
    );
    expect(await json(crossed)).toMatchObject({
      status: 404,
      body: problem(404, 'Not Found', 'Workflow execution not found'),
    });
    await served.emulator.completeCustomerJourney({ provider: 'jumio', subjectId: one.account.id });
    const id = one.workflowExecution.credentials[0]?.id;
    const unknown = await call(
      token,
      'GET',
      `${served.hosts.retrieval}/api/v1/accounts/${one.account.id}/credentials/${id}/parts/SIDEWAYS`,
    );
    expect(unknown.status).toBe(404);
  });
});

describe('callbacks for every documented status (docs/provider-facts.md#j-cb-1, #j-cb-2)', () => {
  async function started() {
    const token = await bearer(served);
    const answer = await start(served, token);
    const session = {
      provider: 'jumio',
      subjectId: answer.account.id,
      attemptId: answer.workflowExecution.id,
    };
    return { token, answer, session };
  }

  function lastCallback(): Record<string, unknown> {
    const delivery = served.emulator.deliveries().at(-1);
    expect(delivery?.url).toBe(CALLBACK_URL);
    expect(delivery?.headers['content-type']).toBe('application/json');
    return JSON.parse(delivery?.body ?? '{}') as Record<string, unknown>;
  }

  it('PROCESSED when the customer finishes', async () => {
    const { answer, session } = await started();
    await served.emulator.completeCustomerJourney(session);
    const accountHref = `${served.hosts.retrieval}/api/v1/accounts/${answer.account.id}`;
    expect(lastCallback()).toEqual({
      callbackSentAt: '2026-01-01T00:00:00.000Z',
      workflowExecution: {
        id: answer.workflowExecution.id,
        href: `${accountHref}/workflow-executions/${answer.workflowExecution.id}`,
        definitionKey: '10011',
        status: 'PROCESSED',
      },
      account: { id: answer.account.id, href: accountHref },
    });
  });

  it('TOKEN_EXPIRED when the link runs out before anything was captured', async () => {
    const { token, answer, session } = await started();
    await served.emulator.expire(session);
    expect((lastCallback()['workflowExecution'] as Record<string, string>)['status']).toBe(
      'TOKEN_EXPIRED',
    );
    const url = executionUrl(served, answer.account.id, answer.workflowExecution.id);
    const status = (await (await call(token, 'GET', `${url}/status`)).json()) as {
      workflowExecution: { status: string };
    };
    expect(status.workflowExecution.status).toBe('TOKEN_EXPIRED');
    const details = (await (await call(token, 'GET', url)).json()) as { decision: unknown };
    // docs/provider-facts.md#j-dec-3
    expect(details.decision).toEqual({
      type: 'NOT_EXECUTED',
      details: { label: 'TOKEN_EXPIRED' },
      risk: { score: -1 },
    });
  });

  it('SESSION_EXPIRED when the session times out after the customer began', async () => {
    const { session } = await started();
    served.emulator.acquire(session);
    await served.emulator.expire(session);
    expect((lastCallback()['workflowExecution'] as Record<string, string>)['status']).toBe(
      'SESSION_EXPIRED',
    );
  });

  it('the expiry a test names, and none for a transaction already processed', async () => {
    const { session } = await started();
    await served.emulator.expire(session, 'SESSION_EXPIRED');
    expect((lastCallback()['workflowExecution'] as Record<string, string>)['status']).toBe(
      'SESSION_EXPIRED',
    );
    const other = await started();
    await served.emulator.completeCustomerJourney(other.session);
    await expect(served.emulator.expire(other.session)).rejects.toThrow(
      /is PROCESSED and cannot expire/,
    );
    expect(served.emulator.deliveries()).toHaveLength(2);
  });

  it('plays an expiry through the control side: POST /jumio/_control/expire', async () => {
    const { answer, session } = await started();
    const post = (body: unknown) =>
      fetch(`${served.hosts.control}/expire`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await json(await post({ session, status: 'LATER' }))).toMatchObject({
      status: 400,
      body: {
        error: {
          type: 'bad_request',
          message: '"status" must be "SESSION_EXPIRED" or "TOKEN_EXPIRED"',
        },
      },
    });
    expect(
      await json(
        await post({ session: { subjectId: answer.account.id }, status: 'TOKEN_EXPIRED' }),
      ),
    ).toMatchObject({
      status: 200,
      body: { workflowExecution: { id: answer.workflowExecution.id, status: 'TOKEN_EXPIRED' } },
    });
    expect((lastCallback()['workflowExecution'] as Record<string, string>)['status']).toBe(
      'TOKEN_EXPIRED',
    );
    expect((await post({ session })).status).toBe(400);
  });
});

describe('the health check (docs/provider-facts.md#j-host-4)', () => {
  it('answers UP for every component, without credentials', async () => {
    const answer = await fetch(served.hosts.status, { headers: UA });
    expect(await json(answer)).toMatchObject({
      status: 200,
      body: {
        status: 'UP',
        details: {
          api: 'UP',
          callback: 'UP',
          mobile: 'UP',
          processing: 'UP',
          retrieval: 'UP',
          web: 'UP',
        },
      },
    });
  });
});
