/**
 * Spans and log records of a whole flow through both adapters and the
 * intake, against the emulators, with the global tracer of
 * `@opentelemetry/api` (an in-memory SDK registered as a host would): the
 * span names, their nesting, their attributes and error statuses, and that no
 * secret or personal value appears in any span or log record.
 */
import { buffer } from 'node:stream/consumers';
import {
  createMemoryStore,
  createProcessor,
  createProvider,
  createWebhookHandler,
  type IdentityVerificationProvider,
  type WebhookHandler,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  type EmulatorDelivery,
  type ProviderEmulator,
} from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSdk, expectNoneOf, parentOf, recordingLogger, registerGlobally } from './helpers';

const PLANTED = {
  onfidoApiToken: 'api_sandbox.SECRETobsOnfidoToken-7e21c9ab44',
  jumioClientId: 'SECRETobsJumioClient-3f8d',
  jumioClientSecret: 'SECRETobsJumioSecret-a91c7d',
} as const;
const PERSON = { firstName: 'Grace', lastName: 'Hopperfield', dateOfBirth: '1906-12-09' };
const JUMIO_SENDER = '34.202.241.227';

let route: WebhookHandler | undefined;
const deliver = async (delivery: EmulatorDelivery): Promise<number> => {
  if (route === undefined) return 500;
  const response = await route(
    new Request(delivery.url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
    }),
    { remoteAddress: delivery.url.includes('/callbacks/jumio') ? JUMIO_SENDER : '198.51.100.20' },
  );
  return response.status;
};
const onfido = createOnfidoEmulator({ apiToken: PLANTED.onfidoApiToken, deliver });
const jumio = createJumioEmulator({
  clientId: PLANTED.jumioClientId,
  clientSecret: PLANTED.jumioClientSecret,
  deliver,
});
const server = setupServer(...onfido.handlers, ...jumio.handlers);
const sdk = createSdk();
let unregister: () => void = () => {};

beforeAll(() => {
  unregister = registerGlobally(sdk.provider);
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  route = undefined;
  server.resetHandlers();
  onfido.reset();
  jumio.reset();
  sdk.exporter.reset();
});
afterAll(() => {
  server.close();
  unregister();
});

/** Every secret and personal value in play. */
const planted = (): string[] => [
  ...Object.values(PLANTED),
  onfido.webhookToken,
  ...jumio.issuedTokens(),
  PERSON.firstName,
  PERSON.lastName,
  PERSON.dateOfBirth,
  'identity-obs-42',
];

async function flow(emulator: ProviderEmulator, handler: () => Promise<void> = async () => {}) {
  const logger = recordingLogger();
  const idv = await createProvider(emulator.config({ autoRegistration: true }), { logger });
  const store = createMemoryStore();
  const processor = createProcessor({
    store,
    providers: [idv],
    logger,
    maxAttempts: 2,
    backoff: { baseMs: 1, capMs: 1 },
    handler: async (delivery) => {
      for (const document of delivery.documents) await buffer(document.body);
      await handler();
    },
  });
  route = createWebhookHandler({ provider: idv, store, processor, logger });
  const started = await idv.startVerification({
    identityReference: 'identity-obs-42',
    person: { firstName: PERSON.firstName, lastName: PERSON.lastName, countryOfResidence: 'GBR' },
  });
  emulator.setVerdict(started.session.subjectId, { reason: 'CLEAR', person: PERSON });
  await processor.track(started);
  await emulator.completeCustomerJourney(started.session);
  if (idv.capabilities.requiresCompleteCapture) await idv.completeCapture(started.session);
  if (emulator === onfido) await onfido.settle();
  return { idv, processor, store, logger, started };
}

describe.each([
  ['onfido', onfido as ProviderEmulator],
  ['jumio', jumio as ProviderEmulator],
])('spans of a whole %s flow', (name, emulator) => {
  it('names a span for every provider call and intake step, nested, with ids and no secret', async () => {
    const { processor, logger, started } = await flow(emulator);
    const summary = await processor.drain();
    expect(summary.completed).toBeGreaterThan(0);
    const subjectId = started.session.subjectId;

    const names = new Set(sdk.spans().map((span) => span.name));
    for (const expected of [
      `idv.${name}.startVerification`,
      `idv.${name}.verifyWebhook`,
      `idv.${name}.getResult`,
      `idv.${name}.listDocuments`,
      `idv.${name}.downloadDocument`,
      'idv.intake.track',
      'idv.intake.webhook',
      'idv.intake.record',
      'idv.intake.claim',
      'idv.intake.process',
      'idv.intake.handler',
    ]) {
      expect(names, expected).toContain(expected);
    }
    if (name === 'onfido') expect(names).toContain('idv.onfido.completeCapture');

    const [start] = sdk.named(`idv.${name}.startVerification`);
    expect(start?.attributes).toMatchObject({
      'idv.provider': name,
      'idv.operation': 'startVerification',
      'idv.subject_id': subjectId,
    });
    expect(start?.status.code).toBe(0);

    // verifyWebhook and the store's record are children of the delivery's span.
    const webhook = sdk.named('idv.intake.webhook').find((span) => span.attributes['idv.event.id']);
    expect(webhook?.attributes).toMatchObject({
      'idv.provider': name,
      'http.response.status_code': 200,
      'idv.intake.duplicate': false,
    });
    const webhookId = webhook?.spanContext().spanId;
    const verify = sdk.named(`idv.${name}.verifyWebhook`).find((s) => parentOf(s) === webhookId);
    expect(verify?.attributes['idv.event.type']).toEqual(expect.any(String));
    const record = sdk.named('idv.intake.record').find((s) => parentOf(s) === webhookId);
    expect(record?.attributes).toMatchObject({
      'idv.event.id': webhook?.attributes['idv.event.id'],
      'idv.provider': name,
      'idv.event.type': verify?.attributes['idv.event.type'],
    });

    // The processor's attempt holds the provider calls and the host's handler.
    const process = sdk
      .named('idv.intake.process')
      .find((span) => span.attributes['idv.intake.outcome'] === 'completed');
    expect(process?.attributes).toMatchObject({
      'idv.provider': name,
      'idv.subject_id': subjectId,
      'idv.intake.attempt': 1,
      'idv.result.status': 'registered',
      'idv.result.reasons': ['CLEAR'],
    });
    const processId = process?.spanContext().spanId;
    const children = sdk.spans().filter((span) => parentOf(span) === processId);
    expect(children.map((span) => span.name)).toEqual(
      expect.arrayContaining([`idv.${name}.getResult`, 'idv.intake.handler']),
    );
    const getResult = children.find((span) => span.name === `idv.${name}.getResult`);
    expect(getResult?.attributes).toMatchObject({
      'idv.result.status': 'registered',
      'idv.subject_id': subjectId,
    });
    const download = sdk.named(`idv.${name}.downloadDocument`)[0];
    expect(download?.attributes['idv.document.id']).toEqual(expect.any(String));
    expect(sdk.named('idv.intake.track')[0]?.attributes).toMatchObject({
      'idv.subject_id': subjectId,
      'idv.intake.inserted': true,
    });

    expectNoneOf(planted(), sdk.spans(), logger.records);
  });

  it('marks a failed call ERROR with its code, and logs it at debug with no secret', async () => {
    const { idv, logger } = await flow(emulator);
    sdk.exporter.reset();
    const error = await idv
      .getResult({ provider: name, subjectId: 'unknown-subject-0', attemptId: 'unknown-attempt-0' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not_found' });
    const [span] = sdk.named(`idv.${name}.getResult`);
    expect(span?.status).toEqual({ code: 2, message: 'not_found' });
    expect(span?.attributes).toMatchObject({
      'idv.error.code': 'not_found',
      'error.type': 'not_found',
      'http.response.status_code': 404,
      'idv.subject_id': 'unknown-subject-0',
    });
    expect(logger.records).toContainEqual({
      level: 'debug',
      message: 'idv provider call failed',
      fields: expect.objectContaining({
        'idv.operation': 'getResult',
        'idv.error.code': 'not_found',
      }),
    });
    expectNoneOf(planted(), sdk.spans(), logger.records);
  });

  it('records a retry and a dead letter on the attempt spans, and logs them', async () => {
    const { processor, logger } = await flow(emulator, async () => {
      throw new Error(`the host failed for ${PERSON.firstName} ${PERSON.lastName}`);
    });
    await processor.drain();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await processor.drain();
    const processes = sdk.named('idv.intake.process');
    const retried = processes.find((s) => s.attributes['idv.intake.outcome'] === 'retried');
    const dead = processes.find((s) => s.attributes['idv.intake.outcome'] === 'deadLettered');
    expect(retried?.events.map((event) => event.name)).toContain('idv.intake.retry');
    expect(retried?.status).toEqual({ code: 2, message: 'Error' });
    expect(dead?.events.map((event) => event.name)).toContain('idv.intake.dead_letter');
    expect(dead?.attributes['idv.intake.attempt']).toBe(2);
    const handlerSpan = sdk.named('idv.intake.handler')[0];
    expect(handlerSpan?.status.code).toBe(2);
    expect(logger.records.map((r) => [r.level, r.message])).toEqual(
      expect.arrayContaining([
        ['warn', 'idv event attempt failed; retried later'],
        ['error', 'idv event dead-lettered'],
      ]),
    );
    // The host's error message names the person: it reaches neither a span nor a record.
    expectNoneOf(planted(), sdk.spans(), logger.records);
  });
});

describe('a refused webhook', () => {
  it('is a span with its status and reason, and a warning without the signature', async () => {
    const { logger } = await flow(onfido);
    sdk.exporter.reset();
    const forgedSignature = 'f'.repeat(64);
    const response = await route!(
      new Request('https://cas.example/webhooks/onfido', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sha2-signature': forgedSignature },
        body: JSON.stringify({ payload: { resource_type: 'check', action: 'check.completed' } }),
      }),
    );
    expect(response.status).toBe(401);
    const [span] = sdk.named('idv.intake.webhook');
    expect(span?.attributes).toMatchObject({
      'http.response.status_code': 401,
      'idv.intake.reason': 'bad_signature',
    });
    const [verify] = sdk.named('idv.onfido.verifyWebhook');
    expect(verify?.status.code).toBe(2);
    expect(verify?.attributes['idv.webhook.reason']).toBe('bad_signature');
    expect(parentOf(verify!)).toBe(span?.spanContext().spanId);
    expect(logger.records).toContainEqual({
      level: 'warn',
      message: 'idv webhook refused',
      fields: expect.objectContaining({
        'http.response.status_code': 401,
        'idv.intake.reason': 'bad_signature',
      }),
    });
    expectNoneOf([...planted(), forgedSignature], sdk.spans(), logger.records);
  });
});

describe('tracer: false', () => {
  it('makes no span, and the provider and the intake work as before', async () => {
    const idv: IdentityVerificationProvider = await createProvider(
      onfido.config({ autoRegistration: true }),
      { tracer: false },
    );
    const store = createMemoryStore();
    const handled: string[] = [];
    const processor = createProcessor({
      store,
      providers: [idv],
      tracer: false,
      handler: async (delivery) => {
        handled.push(delivery.result.status);
      },
    });
    route = createWebhookHandler({ provider: idv, store, processor, tracer: false });
    const started = await idv.startVerification({
      identityReference: 'identity-obs-42',
      person: { firstName: PERSON.firstName, lastName: PERSON.lastName, countryOfResidence: 'GBR' },
    });
    await onfido.completeCustomerJourney(started.session);
    await idv.completeCapture(started.session);
    await onfido.settle();
    await processor.drain();
    expect(handled).toContain('registered');
    expect(sdk.spans()).toEqual([]);
  });
});
