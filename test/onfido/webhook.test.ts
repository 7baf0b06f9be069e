import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, type IncomingWebhook, WebhookVerificationError } from 'idv-providers';
import {
  onfido,
  parseOnfidoWebhook,
  signOnfidoWebhook,
  verifyOnfidoSignature,
} from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';

const TOKEN = '_ABC123abc123ABC123abc123ABC123_';
const CHECK_ID = 'ce62d838-56f8-4ea5-98be-e7166d1dc33d';
const BODY = `{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"${CHECK_ID}","status":"complete","completed_at_iso8601":"2026-01-01T10:00:00Z","href":"https://api.eu.onfido.com/v3.6/checks/${CHECK_ID}"}}}`;
/** HMAC-SHA256 of BODY keyed with TOKEN, computed once with node:crypto and written down. */
const BODY_SIGNATURE = '53bbbedaa69106a78e931ab01585f5e6f0e3a49c7afcb4af6667ff4bd31d840f';

const provider = onfido({
  apiToken: 'api_sandbox.unused-in-these-tests',
  verificationSiteUrl: 'https://verify.example.com/',
  webhookToken: TOKEN,
});

function delivery(body: string | Uint8Array, signature?: string): IncomingWebhook {
  return { body, headers: signature === undefined ? {} : { 'x-sha2-signature': signature } };
}

function refusal(run: () => unknown): WebhookVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).not.toBeInstanceOf(RangeError);
    return error as WebhookVerificationError;
  }
  throw new Error('expected the delivery to be refused');
}

describe('signOnfidoWebhook: known-answer vectors', () => {
  it('matches the published HMAC-SHA256 vector', () => {
    expect(signOnfidoWebhook('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('matches the vector of an Onfido check.completed body, as a string and as bytes', () => {
    expect(signOnfidoWebhook(BODY, TOKEN)).toBe(BODY_SIGNATURE);
    expect(signOnfidoWebhook(new TextEncoder().encode(BODY), TOKEN)).toBe(BODY_SIGNATURE);
  });

  it('matches a report.completed vector', () => {
    const body =
      '{"payload":{"resource_type":"report","action":"report.completed","object":{"id":"r-1","href":"/v3.6/reports/r-1"}}}';
    expect(signOnfidoWebhook(body, 'webhook-token-2')).toBe(
      '3ec890ed3a9ccf6cace400e35bdf32e0821ce36c00c70c364575ca08f96c6a86',
    );
  });
});

describe('verifyOnfidoSignature', () => {
  it('accepts the signature of the raw body, whatever the header case or body type', () => {
    expect(() => verifyOnfidoSignature(delivery(BODY, BODY_SIGNATURE), TOKEN)).not.toThrow();
    const upper = { body: BODY, headers: { 'X-SHA2-Signature': BODY_SIGNATURE.toUpperCase() } };
    expect(() => verifyOnfidoSignature(upper, TOKEN)).not.toThrow();
    const fetchHeaders = new Headers({ 'X-Sha2-Signature': BODY_SIGNATURE });
    expect(() =>
      verifyOnfidoSignature({ body: Buffer.from(BODY), headers: fetchHeaders }, TOKEN),
    ).not.toThrow();
    const repeated = { body: BODY, headers: { 'x-sha2-signature': [BODY_SIGNATURE, 'ffff'] } };
    expect(() => verifyOnfidoSignature(repeated, TOKEN)).not.toThrow();
  });

  it.each([
    ['missing', undefined, 'missing_signature'],
    ['empty', '', 'missing_signature'],
    ['blank', '   ', 'missing_signature'],
    ['odd-length', BODY_SIGNATURE.slice(0, 63), 'malformed_signature'],
    ['non-hex', 'g'.repeat(64), 'malformed_signature'],
    ['non-hex with a prefix', `sha256=${BODY_SIGNATURE}`, 'malformed_signature'],
    ['too short', BODY_SIGNATURE.slice(0, 62), 'malformed_signature'],
    ['too long', `${BODY_SIGNATURE}00`, 'malformed_signature'],
    ['a SHA-512 length', BODY_SIGNATURE.repeat(2), 'malformed_signature'],
    [
      'wrong',
      `${BODY_SIGNATURE.slice(0, 63)}${BODY_SIGNATURE.endsWith('0') ? '1' : '0'}`,
      'bad_signature',
    ],
    ['keyed with another token', signOnfidoWebhook(BODY, 'another-token'), 'bad_signature'],
  ])('refuses a %s signature', (_what, signature, reason) => {
    const error = refusal(() => verifyOnfidoSignature(delivery(BODY, signature), TOKEN));
    expect(error.reason).toBe(reason);
    expect(error.code).toBe('webhook_verification_failed');
    expect(error.provider).toBe('onfido');
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses a signature computed over re-serialised JSON', () => {
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const overReserialised = signOnfidoWebhook(JSON.stringify(JSON.parse(pretty)), TOKEN);
    expect(overReserialised).toBe(BODY_SIGNATURE); // same JSON, compact
    const error = refusal(() => verifyOnfidoSignature(delivery(pretty, overReserialised), TOKEN));
    expect(error.reason).toBe('bad_signature');
  });

  it('refuses a body changed after signing', () => {
    const tampered = BODY.replace('complete"', 'completed"');
    const error = refusal(() => verifyOnfidoSignature(delivery(tampered, BODY_SIGNATURE), TOKEN));
    expect(error.reason).toBe('bad_signature');
  });
});

describe('parseOnfidoWebhook', () => {
  const signed = (body: string): IncomingWebhook => delivery(body, signOnfidoWebhook(body, TOKEN));

  it('reduces check.completed to the check id', async () => {
    const event = await provider.verifyWebhook(delivery(BODY, BODY_SIGNATURE));
    expect(event).toEqual({
      provider: 'onfido',
      type: 'check.completed',
      // The completion time is part of the key (a reopened check completes again).
      dedupeKey: `onfido:check.completed:${CHECK_ID}:2026-01-01T10:00:00Z`,
      session: { provider: 'onfido', attemptId: CHECK_ID },
      actionable: true,
      occurredAt: '2026-01-01T10:00:00Z',
      // The typed variant's fields (OnfidoCheckEvent).
      known: true,
      resourceType: 'check',
      objectId: CHECK_ID,
      checkId: CHECK_ID,
    });
  });

  it('gives two deliveries of one event the same dedupe key', () => {
    const again = JSON.stringify(JSON.parse(BODY));
    expect(parseOnfidoWebhook(signed(again), TOKEN).dedupeKey).toBe(
      parseOnfidoWebhook(delivery(BODY, BODY_SIGNATURE), TOKEN).dedupeKey,
    );
  });

  it('gives the second completion of a reopened check another dedupe key', () => {
    const second = BODY.replace('2026-01-01T10:00:00Z', '2026-01-02T08:30:00Z');
    const first = parseOnfidoWebhook(delivery(BODY, BODY_SIGNATURE), TOKEN);
    const again = parseOnfidoWebhook(signed(second), TOKEN);
    expect(again.dedupeKey).not.toBe(first.dedupeKey);
    expect(again.dedupeKey).toBe(`onfido:check.completed:${CHECK_ID}:2026-01-02T08:30:00Z`);
    expect(again.session).toEqual(first.session);
    expect(again.occurredAt).toBe('2026-01-02T08:30:00Z');
  });

  it('reads a Studio workflow_run.completed with the applicant from resource', () => {
    const body = JSON.stringify({
      payload: {
        resource_type: 'workflow_run',
        action: 'workflow_run.completed',
        object: {
          id: 'run-1',
          status: 'approved',
          href: 'https://api.eu.onfido.com/v3.6/workflow_runs/run-1',
        },
        resource: { id: 'run-1', applicant_id: 'applicant-1', status: 'approved', output: {} },
      },
    });
    const event = parseOnfidoWebhook(signed(body), TOKEN);
    expect(event.session).toEqual({
      provider: 'onfido',
      attemptId: 'run-1',
      subjectId: 'applicant-1',
    });
    expect(event.actionable).toBe(true);
    expect(event.occurredAt).toBeUndefined();
  });

  it.each([
    ['check.started', 'check', false],
    ['check.withdrawn', 'check', true],
    ['check.reopened', 'check', false],
    ['report.completed', 'report', false],
    ['audit_log.created', 'audit_log', false],
  ])('%s is actionable: %s', (action, resourceType, actionable) => {
    const body = JSON.stringify({
      payload: { resource_type: resourceType, action, object: { id: 'obj-1' } },
    });
    const event = parseOnfidoWebhook(signed(body), TOKEN);
    expect(event.type).toBe(action);
    expect(event.actionable).toBe(actionable);
    expect(event.session.attemptId).toBe(resourceType === 'check' ? 'obj-1' : undefined);
  });

  it('takes nothing but ids from the event: its status does not matter', () => {
    const body = JSON.stringify({
      payload: {
        resource_type: 'check',
        action: 'check.completed',
        object: { id: 'c-9', status: 'complete', result: 'clear', extra: { anything: true } },
      },
    });
    expect(parseOnfidoWebhook(signed(body), TOKEN)).toEqual({
      provider: 'onfido',
      type: 'check.completed',
      dedupeKey: 'onfido:check.completed:c-9',
      session: { provider: 'onfido', attemptId: 'c-9' },
      actionable: true,
      known: true,
      resourceType: 'check',
      objectId: 'c-9',
      checkId: 'c-9',
    });
  });

  it('refuses a correctly signed body that is not JSON', () => {
    const error = refusal(() => parseOnfidoWebhook(signed('{"payload": '), TOKEN));
    expect(error.reason).toBe('malformed_body');
  });

  it.each([
    ['an array', '[]'],
    ['no payload', '{"event":"check.completed"}'],
    ['no object', '{"payload":{"resource_type":"check","action":"check.completed"}}'],
    [
      'an empty id',
      '{"payload":{"resource_type":"check","action":"check.completed","object":{"id":""}}}',
    ],
    [
      'a numeric id',
      '{"payload":{"resource_type":"check","action":"check.completed","object":{"id":7}}}',
    ],
    ['no action', '{"payload":{"resource_type":"check","object":{"id":"c-1"}}}'],
  ])('refuses an event of the wrong shape: %s', (_what, body) => {
    const error = refusal(() => parseOnfidoWebhook(signed(body), TOKEN));
    expect(error.reason).toBe('unexpected_event');
  });

  it('checks the signature before reading the body', () => {
    const error = refusal(() => parseOnfidoWebhook(delivery('not json', 'ab'.repeat(32)), TOKEN));
    expect(error.reason).toBe('bad_signature');
  });

  it('needs the webhook token in the options', async () => {
    const without = onfido({
      apiToken: 'api_sandbox.x',
      verificationSiteUrl: 'https://verify.example.com/',
    });
    await expect(without.verifyWebhook(delivery(BODY, BODY_SIGNATURE))).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('never shows the token in a refusal', async () => {
    const error = await provider
      .verifyWebhook(delivery(BODY, '00'.repeat(32)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    for (const text of [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: Infinity }),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
    // The reference value above is what node's HMAC gives.
    expect(createHmac('sha256', TOKEN).update(BODY).digest('hex')).toBe(BODY_SIGNATURE);
  });
});
