import { createProvider, type IncomingWebhook, WebhookVerificationError } from 'idv-providers';
import {
  isJumioCallbackSource,
  JUMIO_CALLBACK_SOURCES,
  NETVERIFY_CALLBACK_SOURCES,
  normaliseAddress,
} from 'idv-providers/jumio';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { caught, useJumioEmulator } from './harness';

const answered: string[] = [];
const { emulator, server } = useJumioEmulator({
  deliver: async (delivery) => {
    answered.push(delivery.url);
    return 200;
  },
});

/**
 * The emulator's config with the sender check off: these tests hand the
 * emulator's callbacks to verifyWebhook without a sender address. The check,
 * on by default, has tests of its own below.
 */
const config = (overrides: Record<string, unknown> = {}) =>
  emulator.config({ verifyCallbackSource: false, ...overrides });

const ACCOUNT = '0d1b85cb-6693-40f3-a78a-ed1db2b1f565';
const EXECUTION = '239ad0f7-6d1a-4157-bba4-cebdc56851af';

function callback(status: unknown, extra: Record<string, unknown> = {}): IncomingWebhook {
  return {
    body: JSON.stringify({
      callbackSentAt: '2026-01-01T10:00:00.000Z',
      workflowExecution: {
        id: EXECUTION,
        href: `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${ACCOUNT}/workflow-executions/${EXECUTION}`,
        definitionKey: '10013',
        status,
      },
      account: {
        id: ACCOUNT,
        href: `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${ACCOUNT}`,
      },
      ...extra,
    }),
    headers: { 'content-type': 'application/json' },
  };
}

async function refused(request: IncomingWebhook, overrides: Record<string, unknown> = {}) {
  const idv = await createProvider(config(overrides));
  const error = await caught(idv.verifyWebhook(request));
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

describe('callbacks Jumio sends', () => {
  it.each([
    ['PROCESSED', 'CLEAR', 'awaiting_registration'],
    ['SESSION_EXPIRED', 'EXPIRED', 'retry'],
    ['TOKEN_EXPIRED', 'EXPIRED', 'retry'],
  ] as const)(
    'a %s callback names the session; the fetched result is %s',
    async (status, reason, outcome) => {
      const idv = await createProvider(config());
      const { session } = await idv.startVerification({
        identityReference: 'identity-cb',
        userReference: 'user-cb',
      });
      if (status !== 'PROCESSED') emulator.setExpiry(session.subjectId, status);
      await emulator.completeCustomerJourney(session);

      const [delivery] = emulator.deliveries();
      expect(delivery?.url).toBe('https://idv-host.example/callbacks/jumio');
      expect(delivery?.answeredStatus).toBe(200);
      expect(answered).toContain('https://idv-host.example/callbacks/jumio');
      expect(JSON.parse(delivery!.body)).toMatchObject({ userReference: 'user-cb' });

      const event = await idv.verifyWebhook({ body: delivery!.body, headers: delivery!.headers });
      expect(event).toEqual({
        provider: 'jumio',
        type: status,
        dedupeKey: `jumio:${status}:${session.attemptId}`,
        session: { provider: 'jumio', subjectId: session.subjectId, attemptId: session.attemptId },
        actionable: true,
        occurredAt: JSON.parse(delivery!.body).callbackSentAt,
        // The typed variant's fields (JumioKyxEvent).
        known: true,
        platform: 'kyx',
        accountId: session.subjectId,
        workflowExecutionId: session.attemptId,
      });
      const result = await idv.getResult(event.session);
      expect(result).toMatchObject({ reason, status: outcome });
    },
  );

  it('accepts the raw body as bytes and gives the same key for a repeated delivery', async () => {
    const idv = await createProvider(config());
    const request = callback('PROCESSED');
    const first = await idv.verifyWebhook(request);
    const again = await idv.verifyWebhook({
      ...request,
      body: new TextEncoder().encode(String(request.body)),
    });
    expect(again).toEqual(first);
  });

  it('treats progress callbacks as not actionable', async () => {
    const idv = await createProvider(config());
    for (const status of ['INITIATED', 'ACQUIRED']) {
      const event = await idv.verifyWebhook(callback(status));
      expect(event.actionable).toBe(false);
      expect(event.type).toBe(status);
    }
  });

  it('accepts an unknown status as actionable, and the fetched result fails closed to UNKNOWN', async () => {
    const idv = await createProvider(config());
    const { session } = await idv.startVerification({ identityReference: 'identity-new-status' });
    const event = await idv.verifyWebhook(callback('ARCHIVED'));
    expect(event).toMatchObject({ type: 'ARCHIVED', actionable: true });
    const url = `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${session.subjectId}/workflow-executions/${session.attemptId}`;
    server.use(
      http.get(url, () =>
        HttpResponse.json({
          workflow: { id: session.attemptId, status: 'ARCHIVED' },
          account: { id: session.subjectId },
        }),
      ),
    );
    for (const autoRegistration of [true, false]) {
      const auto = await createProvider(config({ autoRegistration }));
      const result = await auto.getResult(session);
      expect(result).toMatchObject({
        reason: 'UNKNOWN',
        reasons: ['UNKNOWN'],
        status: 'awaiting_registration',
      });
      expect(result.providerLabels).toEqual([{ source: 'workflow.status', value: 'ARCHIVED' }]);
    }
  });

  it('reads only ids and status: a verdict smuggled into the body changes nothing', async () => {
    const idv = await createProvider(config());
    const event = await idv.verifyWebhook(
      callback('PROCESSED', {
        decision: { type: 'PASSED' },
        capabilities: { similarity: 'MATCH' },
      }),
    );
    expect(Object.keys(event).sort()).toEqual([
      'accountId',
      'actionable',
      'dedupeKey',
      'known',
      'occurredAt',
      'platform',
      'provider',
      'session',
      'type',
      'workflowExecutionId',
    ]);
  });
});

describe('malformed callbacks', () => {
  const cases: Array<[string, IncomingWebhook]> = [
    ['not JSON', { body: '{"workflowExecution": ', headers: {} }],
    ['empty', { body: '', headers: {} }],
    ['a JSON array', { body: '[]', headers: {} }],
    [
      'no account',
      {
        body: JSON.stringify({ workflowExecution: { id: EXECUTION, status: 'PROCESSED' } }),
        headers: {},
      },
    ],
    ['no status', callback(undefined)],
    ['a lower-case status', callback('processed')],
    ['a numeric status', callback(3)],
    [
      'an id with a path in it',
      {
        body: JSON.stringify({
          workflowExecution: { id: '../../x', status: 'PROCESSED' },
          account: { id: ACCOUNT },
        }),
        headers: {},
      },
    ],
    ['an oversized body', { body: `{"pad":"${'x'.repeat(300 * 1024)}"}`, headers: {} }],
    [
      'a form-encoded (Netverify) body',
      { body: 'jumioIdScanReference=abc&verificationStatus=APPROVED_VERIFIED', headers: {} },
    ],
  ];
  it.each(cases)('refuses %s', async (_name, request) => {
    const error = await refused(request);
    expect(error.reason).toBe('malformed_body');
    expect(emulator.requests()).toEqual([]);
  });
});

describe('callback sender allow-list', () => {
  it('lists six published addresses per region and their lookup hostnames', () => {
    for (const [region, list] of Object.entries(JUMIO_CALLBACK_SOURCES)) {
      expect(list.hostname).toBe(`callback.${region}.jumio.ai`);
      expect(list.addresses).toHaveLength(6);
      for (const address of list.addresses) expect(address).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    }
  });

  it('accepts a region own senders, also written as IPv4-mapped IPv6', () => {
    expect(isJumioCallbackSource('34.202.241.227')).toBe(true);
    expect(isJumioCallbackSource('::ffff:34.202.241.227', { region: 'amer-1' })).toBe(true);
    expect(isJumioCallbackSource(' 52.209.180.134 ', { region: 'emea-1' })).toBe(true);
    expect(isJumioCallbackSource('13.238.203.238', { region: 'apac-1' })).toBe(true);
    expect(normaliseAddress('::FFFF:3.0.109.121')).toBe('3.0.109.121');
  });

  it('refuses other regions, strangers and missing addresses', () => {
    expect(isJumioCallbackSource('34.202.241.227', { region: 'emea-1' })).toBe(false);
    expect(isJumioCallbackSource('52.209.180.134', { region: 'amer-1' })).toBe(false);
    expect(isJumioCallbackSource('203.0.113.9')).toBe(false);
    expect(isJumioCallbackSource('34.202.241.22')).toBe(false);
    expect(isJumioCallbackSource(undefined)).toBe(false);
    expect(isJumioCallbackSource('')).toBe(false);
  });

  it('uses the Netverify lists in legacy mode', () => {
    expect(NETVERIFY_CALLBACK_SOURCES['amer-1'].hostname).toBe('callback.jumio.com');
    expect(isJumioCallbackSource('52.52.51.178', { mode: 'netverify' })).toBe(true);
    expect(isJumioCallbackSource('52.52.51.178', { mode: 'kyx' })).toBe(false);
    expect(isJumioCallbackSource('52.8.136.236', { mode: 'netverify' })).toBe(false);
  });

  it('takes a replacement list when Jumio publishes new addresses', () => {
    const allow = ['198.51.100.7', '::ffff:198.51.100.8'];
    expect(isJumioCallbackSource('198.51.100.8', { allow })).toBe(true);
    expect(isJumioCallbackSource('34.202.241.227', { allow })).toBe(false);
  });

  it('checks the sender when verifyCallbackSource is on', async () => {
    const idv = await createProvider(
      emulator.config({ verifyCallbackSource: true, region: 'emea-1' }),
    );
    const event = await idv.verifyWebhook({
      ...callback('PROCESSED'),
      remoteAddress: '::ffff:35.157.27.193',
    });
    expect(event.session.attemptId).toBe(EXECUTION);
    for (const remoteAddress of ['34.202.241.227', '198.51.100.1', undefined]) {
      const request = {
        ...callback('PROCESSED'),
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
      };
      const error = await refused(request, { verifyCallbackSource: true, region: 'emea-1' });
      expect(error.reason).toBe('unknown_sender');
    }
  });

  it('checks the sender by default, and verifyCallbackSource: false turns the check off', async () => {
    const { verifyCallbackSource: _off, ...emulated } = config() as Record<string, unknown>;
    const guarded = await createProvider(emulated as Parameters<typeof createProvider>[0]);
    for (const remoteAddress of ['198.51.100.1', undefined]) {
      const error = await caught(
        guarded.verifyWebhook({
          ...callback('PROCESSED'),
          ...(remoteAddress === undefined ? {} : { remoteAddress }),
        }),
      );
      expect((error as WebhookVerificationError).reason).toBe('unknown_sender');
    }
    expect(
      (await guarded.verifyWebhook({ ...callback('PROCESSED'), remoteAddress: '34.202.241.227' }))
        .type,
    ).toBe('PROCESSED');
    const idv = await createProvider(config({ verifyCallbackSource: false }));
    const event = await idv.verifyWebhook({
      ...callback('PROCESSED'),
      remoteAddress: '198.51.100.1',
    });
    expect(event.type).toBe('PROCESSED');
  });
});
