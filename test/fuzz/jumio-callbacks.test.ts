/**
 * Jumio callbacks under generated input. KYX callbacks are JSON, Netverify
 * callbacks are form-encoded; neither is signed, so only their ids and status
 * are read. Whatever arrives ends in an event or a `WebhookVerificationError`;
 * an event's ids are always Jumio-shaped, and a well-formed callback is always
 * accepted with exactly the ids it carried.
 */

import fc from 'fast-check';
import { type IncomingWebhook, WebhookVerificationError } from 'idv-providers';
import { isJumioCallbackSource, jumio, normaliseAddress } from 'idv-providers/jumio';
import { describe, expect, it } from 'vitest';
import { PARAMETERS, settle } from './fuzz';

const credentials = { clientId: 'fuzz-client-id', clientSecret: 'fuzz-client-secret' };
// The parsing properties below are about bodies: the sender check (on by default) is off here.
const kyx = jumio({ ...credentials, verifyCallbackSource: false });
const netverify = jumio({ ...credentials, mode: 'netverify', verifyCallbackSource: false });
const guardedKyx = jumio({ ...credentials, verifyCallbackSource: true, region: 'emea-1' });

const JUMIO_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const SCAN_REFERENCE = /^[A-Za-z0-9-]{1,64}$/;
const STATUS = /^[A-Z][A-Z0-9_]{0,63}$/;

const jumioId = fc.stringMatching(JUMIO_ID);
const status = fc.oneof(
  fc.constantFrom('PROCESSED', 'SESSION_EXPIRED', 'TOKEN_EXPIRED', 'INITIATED', 'ACQUIRED'),
  fc.stringMatching(STATUS),
);
const anyBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.uint8Array({ maxLength: 400 }),
  fc.json({ maxDepth: 5 }),
);

/** A callback as Jumio sends it, with arbitrary extra fields. */
const kyxCallback = fc.record(
  {
    callbackSentAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
    ),
    userReference: fc.string({ maxLength: 30 }),
    workflowExecution: fc.record(
      {
        id: jumioId,
        href: fc.webUrl(),
        definitionKey: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
        status,
      },
      { requiredKeys: ['id', 'status'] },
    ),
    account: fc.record({ id: jumioId, href: fc.webUrl() }, { requiredKeys: ['id'] }),
  },
  { requiredKeys: ['workflowExecution', 'account'] },
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Replaces the value at one path of `value` (chosen by `pick`) with `replacement`, or deletes it. */
function mutate(value: Json, pick: number, replacement: Json | undefined): Json {
  const paths: Array<Array<string | number>> = [[]];
  const walk = (node: Json, path: Array<string | number>) => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      const next = [...path, Array.isArray(node) ? Number(key) : key];
      paths.push(next);
      walk(child, next);
    }
  };
  walk(value, []);
  const path = paths[pick % paths.length] as Array<string | number>;
  if (path.length === 0) return replacement ?? null;
  const copy = structuredClone(value);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

function expectRefusal(error: unknown): void {
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as WebhookVerificationError).code).toBe('webhook_verification_failed');
}

describe('Jumio KYX callbacks, fuzzed', () => {
  it('ends in an event or a WebhookVerificationError for any body, with Jumio-shaped ids', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const outcome = await settle(() => kyx.verifyWebhook({ body, headers: {} }));
        if (!outcome.ok) return expectRefusal(outcome.error);
        expect(outcome.value.session.subjectId).toMatch(JUMIO_ID);
        expect(outcome.value.session.attemptId).toMatch(JUMIO_ID);
        expect(outcome.value.type).toMatch(STATUS);
      }),
      PARAMETERS,
    );
  });

  it('accepts every well-formed callback with exactly its ids and status', async () => {
    await fc.assert(
      fc.asyncProperty(kyxCallback, fc.boolean(), async (callback, asBytes) => {
        const text = JSON.stringify(callback);
        const body = asBytes ? new TextEncoder().encode(text) : text;
        const event = await kyx.verifyWebhook({ body, headers: {} });
        const { workflowExecution, account } = callback;
        expect(event.session).toEqual({
          provider: 'jumio',
          subjectId: account.id,
          attemptId: workflowExecution.id,
        });
        expect(event.type).toBe(workflowExecution.status);
        expect(event.dedupeKey).toBe(`jumio:${workflowExecution.status}:${workflowExecution.id}`);
        expect(event.actionable).toBe(
          !['INITIATED', 'ACQUIRED'].includes(workflowExecution.status),
        );
      }),
      PARAMETERS,
    );
  });

  it('survives any one field of a callback replaced or removed', async () => {
    await fc.assert(
      fc.asyncProperty(
        kyxCallback,
        fc.nat(),
        fc.option(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, { nil: undefined }),
        async (callback, pick, replacement) => {
          const body = JSON.stringify(mutate(callback as unknown as Json, pick, replacement));
          const outcome = await settle(() => kyx.verifyWebhook({ body, headers: {} }));
          if (!outcome.ok) return expectRefusal(outcome.error);
          expect(outcome.value.session.subjectId).toMatch(JUMIO_ID);
          expect(outcome.value.session.attemptId).toMatch(JUMIO_ID);
        },
      ),
      PARAMETERS,
    );
  });

  it('checks any sender address against the allow-list without throwing', async () => {
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4().map((ip) => `::ffff:${ip}`),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(kyxCallback, fc.option(address, { nil: undefined }), async (cb, from) => {
        const request: IncomingWebhook = { body: JSON.stringify(cb), headers: {} };
        if (from !== undefined) request.remoteAddress = from;
        const outcome = await settle(() => guardedKyx.verifyWebhook(request));
        const allowed = isJumioCallbackSource(from, { region: 'emea-1' });
        expect(typeof normaliseAddress(from ?? '')).toBe('string');
        if (allowed) expect(outcome.ok).toBe(true);
        else {
          expect(outcome.ok).toBe(false);
          expect(outcome.ok || (outcome.error as WebhookVerificationError).reason).toBe(
            'unknown_sender',
          );
        }
      }),
      PARAMETERS,
    );
  });
});

/** A Netverify callback's fields, and arbitrary others it may carry. */
const netverifyFields = fc.record(
  {
    jumioIdScanReference: fc.stringMatching(SCAN_REFERENCE),
    verificationStatus: fc.oneof(
      fc.constantFrom(
        'APPROVED_VERIFIED',
        'DENIED_FRAUD',
        'ERROR_NOT_READABLE_ID',
        'NO_ID_UPLOADED',
      ),
      fc.stringMatching(STATUS),
    ),
    merchantIdScanReference: fc.string({ maxLength: 100 }),
    callBackType: fc.stringMatching(/^[A-Z_]{1,40}$/),
    callbackDate: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
    ),
    idFirstName: fc.string({ maxLength: 30 }),
    idScanStatus: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: ['jumioIdScanReference', 'verificationStatus'] },
);

describe('Jumio Netverify callbacks, fuzzed', () => {
  it('ends in an event or a WebhookVerificationError for any body', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const outcome = await settle(() => netverify.verifyWebhook({ body, headers: {} }));
        if (!outcome.ok) return expectRefusal(outcome.error);
        expect(outcome.value.session.subjectId).toMatch(SCAN_REFERENCE);
      }),
      PARAMETERS,
    );
  });

  it('ends in an event or a WebhookVerificationError for any form, broken escapes included', async () => {
    const pair = fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'jumioIdScanReference',
          'verificationStatus',
          'merchantIdScanReference',
          'callBackType',
          'callbackDate',
        ),
        fc.string({ maxLength: 20 }),
      ),
      fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('%', '%zz', '%E0%A4')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 8 }), fc.boolean(), async (pairs, raw) => {
        const body = raw
          ? pairs.map(([key, value]) => `${key}=${value}`).join('&')
          : new URLSearchParams(pairs).toString();
        const outcome = await settle(() => netverify.verifyWebhook({ body, headers: {} }));
        if (!outcome.ok) return expectRefusal(outcome.error);
        expect(outcome.value.session.subjectId).toMatch(SCAN_REFERENCE);
        expect(outcome.value.actionable).toBe(true);
      }),
      PARAMETERS,
    );
  });

  it('accepts every well-formed callback with exactly its scan reference', async () => {
    await fc.assert(
      fc.asyncProperty(netverifyFields, async (fields) => {
        const body = new URLSearchParams(fields).toString();
        const event = await netverify.verifyWebhook({ body, headers: {} });
        const scan = fields.jumioIdScanReference;
        const type = fields.callBackType ?? 'NETVERIFYID';
        expect(event.session).toEqual({ provider: 'jumio', subjectId: scan, attemptId: scan });
        expect(event.type).toBe(type);
        expect(event.dedupeKey).toBe(`jumio:${type}:${scan}`);
      }),
      PARAMETERS,
    );
  });

  it('refuses a JSON body in Netverify mode and a form body in KYX mode', async () => {
    await fc.assert(
      fc.asyncProperty(kyxCallback, netverifyFields, async (callback, fields) => {
        const json = await settle(() =>
          netverify.verifyWebhook({ body: JSON.stringify(callback), headers: {} }),
        );
        expect(json.ok).toBe(false);
        const form = await settle(() =>
          kyx.verifyWebhook({ body: new URLSearchParams(fields).toString(), headers: {} }),
        );
        expect(form.ok).toBe(false);
      }),
      PARAMETERS,
    );
  });
});
