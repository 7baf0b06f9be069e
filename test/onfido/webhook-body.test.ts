/**
 * The helpers of the Onfido webhook hot path: the hand-written shape check
 * (held to the zod schema's answers), the signature header's hex decoding,
 * the size cap on string bodies, and the per-token verifier `verifyWebhook`
 * runs (the same events and refusals as `parseOnfidoWebhook`).
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { type IncomingWebhook, WebhookVerificationError } from 'idv-providers';
import { onfidoWebhookEventSchema } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import {
  decodeSignatureHex,
  MAX_WEBHOOK_BYTES,
  onfidoWebhookVerifier,
  parseOnfidoWebhook,
  signOnfidoWebhook,
} from '../../providers/onfido/webhook';
import { isOnfidoWebhookBody } from '../../providers/onfido/webhook-body';
import { PARAMETERS } from '../fuzz/fuzz';

const TOKEN = 'webhook-body-token-3f9a0c';
const SIGNATURE = signOnfidoWebhook('{}', TOKEN);

function refusal(run: () => unknown): WebhookVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('expected a refusal');
}

const zodAccepts = (value: unknown): boolean => onfidoWebhookEventSchema.safeParse(value).success;

/** Values a field may hold, of every JSON type, the empty string among them. */
const anyField = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
);
/** Bodies near the event's shape: every field present or not, of any type. */
const nearEvent = fc.record(
  {
    payload: fc.oneof(
      fc.record(
        {
          resource_type: anyField,
          action: anyField,
          object: fc.oneof(
            anyField,
            fc.record(
              {
                id: anyField,
                status: anyField,
                completed_at_iso8601: anyField,
                href: anyField,
                workflow_run_id: anyField,
                extra: anyField,
              },
              { requiredKeys: [] },
            ),
          ),
          resource: fc.oneof(
            anyField,
            fc.record({ applicant_id: anyField, id: anyField }, { requiredKeys: [] }),
          ),
        },
        { requiredKeys: [] },
      ),
      anyField,
    ),
  },
  { requiredKeys: [] },
);
/** A JSON text's value (no `undefined` fields: what `JSON.parse` gives). */
const asParsed = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

describe('isOnfidoWebhookBody', () => {
  it.each([
    [
      'a check event',
      { payload: { resource_type: 'check', action: 'a', object: { id: 'c' } } },
      true,
    ],
    [
      'nulls where the schema allows them',
      {
        payload: {
          resource_type: 'r',
          action: 'a',
          object: {
            id: 'x',
            status: null,
            completed_at_iso8601: null,
            href: null,
            workflow_run_id: null,
          },
          resource: null,
        },
      },
      true,
    ],
    [
      'a resource with other fields',
      { payload: { resource_type: 'r', action: 'a', object: { id: 'x' }, resource: { x: [1] } } },
      true,
    ],
    ['an array', [], false],
    ['null', null, false],
    ['a string', 'payload', false],
    ['an array payload', { payload: [] }, false],
    [
      'an empty action',
      { payload: { resource_type: 'r', action: '', object: { id: 'x' } } },
      false,
    ],
    ['a numeric id', { payload: { resource_type: 'r', action: 'a', object: { id: 7 } } }, false],
    ['an array object', { payload: { resource_type: 'r', action: 'a', object: [] } }, false],
    [
      'a numeric status',
      { payload: { resource_type: 'r', action: 'a', object: { id: 'x', status: 1 } } },
      false,
    ],
    [
      'a resource that is a string',
      { payload: { resource_type: 'r', action: 'a', object: { id: 'x' }, resource: 'r' } },
      false,
    ],
    [
      'a resource that is an array',
      { payload: { resource_type: 'r', action: 'a', object: { id: 'x' }, resource: [] } },
      false,
    ],
    [
      'a numeric applicant id',
      {
        payload: {
          resource_type: 'r',
          action: 'a',
          object: { id: 'x' },
          resource: { applicant_id: 1 },
        },
      },
      false,
    ],
  ])('%s: %s, as the zod schema says', (_what, value, accepted) => {
    expect(isOnfidoWebhookBody(value)).toBe(accepted);
    expect(zodAccepts(value)).toBe(accepted);
  });

  it('answers as the zod schema does for bodies near the shape and for any JSON', () => {
    fc.assert(
      fc.property(fc.oneof(nearEvent, fc.jsonValue({ maxDepth: 4 })), (value) => {
        const parsed = asParsed(value);
        expect(isOnfidoWebhookBody(parsed)).toBe(zodAccepts(parsed));
      }),
      { ...PARAMETERS, numRuns: PARAMETERS.numRuns * 4 },
    );
  });

  it('names where a refused body is wrong, as zod finds it (the first three places)', () => {
    const verify = onfidoWebhookVerifier(TOKEN);
    const messageOf = (body: string): string =>
      refusal(() =>
        verify({ body, headers: { 'x-sha2-signature': signOnfidoWebhook(body, TOKEN) } }),
      ).message;
    expect(messageOf('[]')).toBe(
      '[idv] [onfido] webhook refused: the body is not an Onfido event (at (root))',
    );
    expect(messageOf('{"payload":{"resource_type":"check","action":"check.completed"}}')).toBe(
      '[idv] [onfido] webhook refused: the body is not an Onfido event (at payload.object)',
    );
    expect(messageOf('{"payload":{"object":{"id":""}}}')).toBe(
      '[idv] [onfido] webhook refused: the body is not an Onfido event (at payload.resource_type, payload.action, payload.object.id)',
    );
  });
});

describe('decodeSignatureHex', () => {
  const lower = signOnfidoWebhook('body', TOKEN);
  const bytes = Buffer.from(lower, 'hex');

  it('decodes 64 hex digits to their 32 bytes, in either case', () => {
    expect(decodeSignatureHex(lower)).toEqual(bytes);
    expect(decodeSignatureHex(lower.toUpperCase())).toEqual(bytes);
    const mixed = [...lower].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c)).join('');
    expect(decodeSignatureHex(mixed)).toEqual(bytes);
    expect(decodeSignatureHex('0'.repeat(64))).toEqual(Buffer.alloc(32));
    expect(decodeSignatureHex('f'.repeat(64))).toEqual(Buffer.alloc(32, 0xff));
  });

  it.each([
    ['empty', ''],
    ['odd (63 digits)', lower.slice(0, 63)],
    ['31 bytes', lower.slice(0, 62)],
    ['33 bytes', `${lower}00`],
    ['65 digits', `${lower}0`],
    ['SHA-512 long', lower.repeat(2)],
    ['not hex at the start', `g${lower.slice(1)}`],
    ['not hex in the middle', `${lower.slice(0, 31)}z${lower.slice(32)}`],
    ['not hex at the end', `${lower.slice(0, 63)}x`],
    ['a sha256= prefix, cut to 64', `sha256=${lower}`.slice(0, 64)],
    ['white space inside', `${lower.slice(0, 32)} ${lower.slice(33)}`],
    ['a non-ASCII digit', `${lower.slice(0, 63)}٣`],
  ])('refuses a value that is %s', (_what, value) => {
    expect(decodeSignatureHex(value)).toBeUndefined();
  });

  it('decodes exactly the values of 64 hex digits', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.stringMatching(/^[0-9a-fA-F]{64}$/),
          fc.string({ minLength: 60, maxLength: 68 }),
        ),
        (value) => {
          const decoded = decodeSignatureHex(value);
          if (/^[0-9a-fA-F]{64}$/.test(value)) {
            expect(decoded?.toString('hex')).toBe(value.toLowerCase());
          } else {
            expect(decoded).toBeUndefined();
          }
        },
      ),
      PARAMETERS,
    );
  });
});

describe('the size cap on string bodies', () => {
  const reasonOf = (body: string): string =>
    refusal(() => parseOnfidoWebhook({ body, headers: { 'x-sha2-signature': SIGNATURE } }, TOKEN))
      .reason;

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    // 3 bytes each: under the cap in units, over it in bytes.
    const euros = '€'.repeat(Math.floor(MAX_WEBHOOK_BYTES / 3) + 1);
    expect(euros.length).toBeLessThan(MAX_WEBHOOK_BYTES);
    expect(reasonOf(euros)).toBe('payload_too_large');
    // Exactly at the cap in bytes: checked, and its signature is wrong.
    const atCap = `${'€'.repeat(Math.floor(MAX_WEBHOOK_BYTES / 3))}${'a'.repeat(MAX_WEBHOOK_BYTES % 3)}`;
    expect(Buffer.byteLength(atCap)).toBe(MAX_WEBHOOK_BYTES);
    expect(reasonOf(atCap)).toBe('bad_signature');
  });

  it('refuses one byte over the cap and checks the cap itself, in ASCII', () => {
    expect(reasonOf('a'.repeat(MAX_WEBHOOK_BYTES + 1))).toBe('payload_too_large');
    expect(reasonOf('a'.repeat(MAX_WEBHOOK_BYTES))).toBe('bad_signature');
    expect(reasonOf('a'.repeat(Math.floor(MAX_WEBHOOK_BYTES / 3)))).toBe('bad_signature');
  });
});

describe('onfidoWebhookVerifier', () => {
  const bodies = [
    '{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"c-1","completed_at_iso8601":"2026-01-01T10:00:00Z"}}}',
    '{"payload":{"resource_type":"workflow_run","action":"workflow_run.completed","object":{"id":"run-1"},"resource":{"applicant_id":"a-1"}}}',
    '{"payload":{"resource_type":"workflow_task","action":"workflow_task.completed","object":{"id":"t-1","workflow_run_id":"run-1"}}}',
    '{"payload":{"resource_type":"report","action":"report.completed","object":{"id":"r-1"},"resource":null}}',
    '{"payload":{"resource_type":"document","action":"document.created","object":{"id":"d-1"}}}',
  ];

  it.each(bodies)('gives what parseOnfidoWebhook gives: %s', (body) => {
    const request: IncomingWebhook = {
      body: Buffer.from(body),
      headers: { 'x-sha2-signature': signOnfidoWebhook(body, TOKEN) },
    };
    expect(onfidoWebhookVerifier(TOKEN)(request)).toEqual(parseOnfidoWebhook(request, TOKEN));
  });

  it('keys the HMAC with the token as UTF-8, as createHmac does with a string', () => {
    const token = 'tökén-🔑-ünïcode';
    const body = bodies[0] as string;
    const event = onfidoWebhookVerifier(token)({
      body,
      headers: { 'x-sha2-signature': signOnfidoWebhook(body, token) },
    });
    expect(event.objectId).toBe('c-1');
  });

  it.each([
    ['no header', {}, 'missing_signature'],
    ['a number', { 'x-sha2-signature': 42 }, 'malformed_signature'],
    ['not hex', { 'x-sha2-signature': 'z'.repeat(64) }, 'malformed_signature'],
    ['31 bytes', { 'x-sha2-signature': 'ab'.repeat(31) }, 'malformed_signature'],
    ['the wrong one', { 'x-sha2-signature': 'ab'.repeat(32) }, 'bad_signature'],
    [
      'signed with another token',
      { 'X-SHA2-Signature': signOnfidoWebhook('{}', 'other') },
      'bad_signature',
    ],
  ])('refuses %s as parseOnfidoWebhook does, without the token', (_what, headers, reason) => {
    const request = { body: '{}', headers } as unknown as IncomingWebhook;
    const ours = refusal(() => onfidoWebhookVerifier(TOKEN)(request));
    const theirs = refusal(() => parseOnfidoWebhook(request, TOKEN));
    expect(ours.reason).toBe(reason);
    expect(ours.message).toBe(theirs.message);
    for (const text of [String(ours), JSON.stringify(ours), inspect(ours, { depth: null })]) {
      expect(text).not.toContain(TOKEN);
    }
  });

  it('refuses a right signature with a digit spelled beyond Latin-1 (U+0663 for c) as malformed', () => {
    const body = bodies[0] as string;
    const right = signOnfidoWebhook(body, TOKEN);
    const spelled = right.replace(/[c-f]/, (c) => String.fromCharCode(0x0600 + c.charCodeAt(0)));
    expect(spelled).not.toBe(right);
    expect(Buffer.from(spelled, 'hex').toString('hex')).toBe(right); // what Node's decoding makes of it
    const request = { body, headers: { 'x-sha2-signature': spelled } };
    expect(refusal(() => onfidoWebhookVerifier(TOKEN)(request)).reason).toBe('malformed_signature');
  });

  it('shows no token when inspected', () => {
    const verify = onfidoWebhookVerifier(TOKEN);
    expect(inspect(verify, { showHidden: true, depth: null })).not.toContain(TOKEN);
  });
});
