/**
 * The intake's inputs under generated values: header values of every JSON type
 * (and arrays of them) for the signature, `Content-Length` and
 * `X-Forwarded-For`, and sender addresses of every type, through the intake and
 * both adapters; and `X-Forwarded-For` chains behind trusted proxies. Whatever
 * arrives ends in an answer that is not a 500 (or an `IdvError` from an
 * adapter), and the sender chosen from a chain is the rightmost hop that is not
 * a trusted proxy, whatever a client wrote to the left of it.
 */
import fc from 'fast-check';
import { createMemoryStore, createWebhookHandler, type IncomingWebhook } from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import { onfido, signOnfidoWebhook } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { clientAddress, compileTrustProxy, parseAddress } from '../../src/intake/client-address';
import { PARAMETERS, settle } from './fuzz';

const TOKEN = 'fuzz-intake-webhook-token-0001';
const onfidoAdapter = onfido({
  apiToken: 'api_sandbox.fuzz-intake',
  webhookToken: TOKEN,
  verificationSiteUrl: 'https://verify.example.com/',
});
const jumioAdapter = jumio({
  clientId: 'fuzz-client',
  clientSecret: 'fuzz-secret',
  verifyCallbackSource: true,
});
const BODY = JSON.stringify({
  payload: { resource_type: 'check', action: 'check.completed', object: { id: 'check-1' } },
});
const KYX = JSON.stringify({
  workflowExecution: { id: 'exec-1', status: 'PROCESSED' },
  account: { id: 'acct-1' },
});

/** Any JSON value, arrays of them, and the odd non-JSON value a framework may leave. */
const headerValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.constantFrom(undefined, Number.NaN, -0, 2 ** 53, signOnfidoWebhook(BODY, TOKEN)),
  fc.string({ maxLength: 80 }),
);

const REFUSALS = new Set([200, 400, 401, 403, 408, 413, 429]);

describe('header values of every JSON type', () => {
  it('through the intake with the Onfido adapter: never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerValue,
        headerValue,
        headerValue,
        async (signature, length, forwarded) => {
          const handler = createWebhookHandler({
            provider: onfidoAdapter,
            store: createMemoryStore(),
            trustProxy: ['loopback'],
          });
          const headers: Record<string, unknown> = {};
          if (signature !== undefined) headers['x-sha2-signature'] = signature;
          if (length !== undefined) headers['content-length'] = length;
          if (forwarded !== undefined) headers['x-forwarded-for'] = forwarded;
          const answer = await handler.receive({
            method: 'POST',
            headers: headers as never,
            remoteAddress: '127.0.0.1',
            readBody: async () => ({ ok: true, bytes: Buffer.from(BODY) }),
          });
          expect(REFUSALS.has(answer.status)).toBe(true);
          if (
            typeof signature !== 'string' &&
            signature !== undefined &&
            !Array.isArray(signature)
          ) {
            expect(answer.status === 401 || answer.status === 400).toBe(true);
          }
        },
      ),
      PARAMETERS,
    );
  });

  it('the Onfido adapter: a value or an IdvError for any signature header value', async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, async (signature) => {
        const outcome = await settle(() =>
          onfidoAdapter.verifyWebhook({
            body: BODY,
            headers: { 'x-sha2-signature': signature },
          } as unknown as IncomingWebhook),
        );
        if (outcome.ok) expect(signature).toContain(signOnfidoWebhook(BODY, TOKEN));
      }),
      PARAMETERS,
    );
  });

  it('the Jumio adapter: a value or an IdvError for any sender address, accepted only from Jumio', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(headerValue, fc.constantFrom('34.202.241.227', '::ffff:34.202.241.227')),
        async (remoteAddress) => {
          const outcome = await settle(() =>
            jumioAdapter.verifyWebhook({
              body: KYX,
              headers: {},
              remoteAddress,
            } as unknown as IncomingWebhook),
          );
          if (outcome.ok) {
            expect(typeof remoteAddress).toBe('string');
            expect(parseAddress(remoteAddress as string)?.address).toBe('34.202.241.227');
          } else {
            expect(outcome.error.code).toBe('webhook_verification_failed');
          }
        },
      ),
      PARAMETERS,
    );
  });
});

describe('X-Forwarded-For chains', () => {
  const PROXIES = ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'];
  const trusted = compileTrustProxy(PROXIES);
  const proxyHop = fc.oneof(
    fc.constant('127.0.0.1'),
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
    fc.nat(0xffff).map((n) => `fd00::${n.toString(16)}`),
  );
  const clientHop = fc.oneof(
    fc.ipV4().filter((ip) => !trusted(ip)),
    fc.ipV6().filter((ip) => parseAddress(ip) !== undefined && !trusted(ip)),
  );
  const garbage = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('unknown', '_hidden', ''));
  /** What a client may write at the left of the header: anything at all. */
  const forgedLeft = fc.array(fc.oneof(clientHop, proxyHop, garbage), { maxLength: 6 });

  it('from a peer that is not a trusted proxy, the chain is ignored', () => {
    fc.assert(
      fc.property(clientHop, fc.array(fc.oneof(clientHop, proxyHop, garbage)), (peer, chain) => {
        expect(clientAddress(peer, chain.join(', '), trusted)).toBe(parseAddress(peer)?.address);
      }),
      PARAMETERS,
    );
  });

  it('behind trusted proxies, the sender is the rightmost hop that is not one, whatever is written left of it', () => {
    fc.assert(
      fc.property(
        forgedLeft,
        clientHop,
        fc.array(proxyHop, { maxLength: 4 }),
        proxyHop,
        (left, client, proxies, peer) => {
          const chain = [...left, client, ...proxies].join(', ');
          expect(clientAddress(peer, chain, trusted)).toBe(parseAddress(client)?.address);
        },
      ),
      PARAMETERS,
    );
  });

  it('a chain of trusted proxies only names its leftmost hop; an unreadable hop to be read names nobody', () => {
    fc.assert(
      fc.property(
        fc.array(proxyHop, { minLength: 1, maxLength: 5 }),
        proxyHop,
        garbage.filter((g) => g.trim() !== '' && !g.includes(',') && parseAddress(g) === undefined),
        (proxies, peer, junk) => {
          expect(clientAddress(peer, proxies.join(', '), trusted)).toBe(
            parseAddress(proxies[0]!)?.address,
          );
          expect(clientAddress(peer, [...proxies, junk].join(', '), trusted)).toBeUndefined();
        },
      ),
      PARAMETERS,
    );
  });
});
