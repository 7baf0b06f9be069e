/**
 * Onfido webhooks under generated input: arbitrary bodies and arbitrary
 * `X-SHA2-Signature` headers end in an event or a `WebhookVerificationError`,
 * an event is only ever produced for a body whose signature is right, and a
 * signed body with any one byte changed (or its signature with any one nibble
 * changed) is refused as `bad_signature`.
 */

import fc from 'fast-check';
import { type IncomingWebhook, WebhookVerificationError } from 'idv-providers';
import { onfido, signOnfidoWebhook, verifyOnfidoSignature } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { PARAMETERS, settle, settleSync } from './fuzz';

const TOKEN = 'fuzz-onfido-webhook-token-8d2f61c0';
const idv = onfido({
  apiToken: 'api_sandbox.fuzz-token',
  webhookToken: TOKEN,
  verificationSiteUrl: 'https://verify.example.com/onfido/',
});

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const body = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.uint8Array({ maxLength: 400 }),
  fc.json({ maxDepth: 4 }),
);
const signature = fc.oneof(
  hex64,
  fc.stringMatching(/^[0-9a-fA-F]{0,130}$/),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  hex64.map((h) => `  ${h.toUpperCase()}\t`),
  fc.constant(''),
);
/** Headers as frameworks hand them over: a plain object (any case, arrays) or absent. */
const headers = fc.oneof(
  signature.map((s) => ({ 'x-sha2-signature': s })),
  signature.map((s) => ({ 'X-SHA2-Signature': s, 'content-type': 'application/json' })),
  fc.array(signature, { maxLength: 3 }).map((list) => ({ 'x-sha2-signature': list })),
  fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
  fc.constant({}),
);

const id = fc.string({ minLength: 1, maxLength: 40 });
const optionalText = fc.option(fc.string({ maxLength: 30 }), { nil: undefined });
/** Bodies Onfido could send: the event shape, with arbitrary values and extra fields. */
const event = fc.record(
  {
    payload: fc.record(
      {
        resource_type: fc.oneof(
          fc.constantFrom('check', 'workflow_run', 'report', 'document'),
          fc.string({ minLength: 1, maxLength: 20 }),
        ),
        action: fc.oneof(
          fc.constantFrom(
            'check.completed',
            'check.started',
            'check.withdrawn',
            'workflow_run.completed',
            'report.completed',
          ),
          fc.string({ minLength: 1, maxLength: 30 }),
        ),
        object: fc.record(
          {
            id,
            status: optionalText,
            completed_at_iso8601: optionalText,
            href: optionalText,
          },
          { requiredKeys: ['id'] },
        ),
        resource: fc.option(fc.record({ applicant_id: fc.option(id, { nil: null }) }), {
          nil: undefined,
        }),
      },
      { requiredKeys: ['resource_type', 'action', 'object'] },
    ),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['payload'] },
);
const signedEvent = event.map((value) => {
  const text = JSON.stringify(value);
  return { value, text, signature: signOnfidoWebhook(text, TOKEN) };
});

function bytesOf(value: string | Uint8Array): Buffer {
  return Buffer.from(typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
}

describe('Onfido verifyWebhook, fuzzed', () => {
  it('ends in an event or a WebhookVerificationError for any body and headers', async () => {
    await fc.assert(
      fc.asyncProperty(body, headers, async (raw, given) => {
        const outcome = await settle(() =>
          idv.verifyWebhook({ body: raw, headers: given } as IncomingWebhook),
        );
        if (outcome.ok) {
          // Only a body whose signature is right gets through.
          const header = Object.entries(given).find(
            ([key]) => key.toLowerCase() === 'x-sha2-signature',
          )?.[1];
          const first = Array.isArray(header) ? header[0] : header;
          expect(first?.trim().toLowerCase()).toBe(signOnfidoWebhook(raw, TOKEN));
        } else {
          expect(outcome.error).toBeInstanceOf(WebhookVerificationError);
          expect(outcome.error.code).toBe('webhook_verification_failed');
        }
      }),
      PARAMETERS,
    );
  });

  it('passes any correctly signed body to the parser: an event, or malformed_body / unexpected_event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          body,
          event.map((e) => JSON.stringify(e)),
        ),
        async (raw) => {
          const outcome = await settle(() =>
            idv.verifyWebhook({
              body: raw,
              headers: { 'X-SHA2-Signature': signOnfidoWebhook(raw, TOKEN) },
            }),
          );
          if (!outcome.ok) {
            expect(outcome.error).toBeInstanceOf(WebhookVerificationError);
            expect(['malformed_body', 'unexpected_event']).toContain(
              (outcome.error as WebhookVerificationError).reason,
            );
          } else {
            expect(outcome.value.dedupeKey.startsWith('onfido:')).toBe(true);
          }
        },
      ),
      PARAMETERS,
    );
  });

  it('checks any signature header without a RangeError: missing, malformed or bad', () => {
    fc.assert(
      fc.property(body, signature, (raw, given) => {
        const outcome = settleSync(() =>
          verifyOnfidoSignature({ body: raw, headers: { 'x-sha2-signature': given } }, TOKEN),
        );
        if (outcome.ok) {
          expect(given.trim().toLowerCase()).toBe(signOnfidoWebhook(raw, TOKEN));
          return;
        }
        const reason = (outcome.error as WebhookVerificationError).reason;
        const trimmed = given.trim();
        if (trimmed === '') expect(reason).toBe('missing_signature');
        else if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) expect(reason).toBe('malformed_signature');
        else expect(reason).toBe('bad_signature');
      }),
      PARAMETERS,
    );
  });

  it('verifies every correctly signed event and reduces it to its ids', async () => {
    await fc.assert(
      fc.asyncProperty(signedEvent, async ({ value, text, signature: sig }) => {
        const verified = await idv.verifyWebhook({
          body: text,
          headers: { 'x-sha2-signature': sig },
        });
        const { resource_type: type, action, object, resource } = value.payload;
        expect(verified.type).toBe(action);
        const completedAt = object.completed_at_iso8601;
        expect(verified.dedupeKey).toBe(
          completedAt == null || completedAt === ''
            ? `onfido:${action}:${object.id}`
            : `onfido:${action}:${object.id}:${completedAt}`,
        );
        const named = type === 'check' || type === 'workflow_run';
        expect(verified.session.attemptId).toBe(named ? object.id : undefined);
        if (type === 'workflow_run' && resource?.applicant_id != null) {
          expect(verified.session.subjectId).toBe(resource.applicant_id);
        }
        expect(verified.actionable).toBe(
          named &&
            ['check.completed', 'check.withdrawn', 'workflow_run.completed'].includes(action),
        );
      }),
      PARAMETERS,
    );
  });

  it('refuses a signed body with any one byte changed, as bad_signature', async () => {
    await fc.assert(
      fc.asyncProperty(
        signedEvent,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async ({ text, signature: sig }, at, mask) => {
          const bytes = bytesOf(text);
          const index = at % bytes.length;
          bytes[index] = (bytes[index] as number) ^ mask;
          const outcome = await settle(() =>
            idv.verifyWebhook({ body: bytes, headers: { 'x-sha2-signature': sig } }),
          );
          expect(outcome.ok).toBe(false);
          expect(outcome.ok || (outcome.error as WebhookVerificationError).reason).toBe(
            'bad_signature',
          );
        },
      ),
      PARAMETERS,
    );
  });

  it('refuses a signature with any one nibble changed, as bad_signature', async () => {
    await fc.assert(
      fc.asyncProperty(
        signedEvent,
        fc.nat(),
        fc.integer({ min: 1, max: 15 }),
        async ({ text, signature: sig }, at, delta) => {
          const index = at % sig.length;
          const nibble = (Number.parseInt(sig[index] as string, 16) + delta) % 16;
          const changed = `${sig.slice(0, index)}${nibble.toString(16)}${sig.slice(index + 1)}`;
          const outcome = await settle(() =>
            idv.verifyWebhook({ body: text, headers: { 'x-sha2-signature': changed } }),
          );
          expect(outcome.ok).toBe(false);
          expect(outcome.ok || (outcome.error as WebhookVerificationError).reason).toBe(
            'bad_signature',
          );
        },
      ),
      PARAMETERS,
    );
  });

  it('refuses a body signed with any other token', async () => {
    await fc.assert(
      fc.asyncProperty(
        signedEvent,
        fc.string({ minLength: 1, maxLength: 60 }).filter((t) => t !== TOKEN),
        async ({ text }, other) => {
          const outcome = await settle(() =>
            idv.verifyWebhook({
              body: text,
              headers: { 'x-sha2-signature': signOnfidoWebhook(text, other) },
            }),
          );
          expect(outcome.ok || (outcome.error as WebhookVerificationError).reason).toBe(
            'bad_signature',
          );
        },
      ),
      PARAMETERS,
    );
  });
});
