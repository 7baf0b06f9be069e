/**
 * Living within Jumio's rate limits: the adapter paces its own requests (one
 * token bucket per request class, the kit's `createPacer`), so that with the
 * emulator's limits on (docs/provider-facts.md#j-rl-1 to #j-rl-4) a burst of
 * 50 starts and 300 queued results with their images all complete without a
 * RateLimitedError, at no less than 90 % of the documented rate.
 *
 * The bursts run over MSW on real timers, on a clock that the emulator and
 * the adapter share and that runs several times faster than real time (a
 * second of Jumio's limits is 83 or 200 ms): the requests really travel while
 * the pacer sleeps, and 150 s of Jumio time take about 25 s.
 */
import type { Readable } from 'node:stream';
import {
  type Clock,
  createProvider,
  type IdentityVerificationProvider,
  RateLimitedError,
  type SessionRef,
} from 'idv-providers';
import { createPacer } from 'idv-providers/kit';
import {
  createJumioEmulator,
  createTestClock,
  type JumioEmulator,
  type JumioRecordedRequest,
} from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * How much faster than real time the shared clock runs: the account burst is
 * 50 requests, the retrieval burst 1,500, which the machine must serve at
 * 5 × 15 = 75 a second of real time (faster, MSW's own work would set the rate).
 */
const ACCOUNT_SPEED = 12;
const RETRIEVAL_SPEED = 5;

/** A clock running `speed` times faster than real time, from 2026-01-01. */
function fastClock(speed: number): Clock {
  const origin = Date.UTC(2026, 0, 1);
  const began = performance.now();
  return {
    now: () => Math.floor(origin + (performance.now() - began) * speed),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / speed)),
    random: () => 0.5,
  };
}

/** Jumio's documented rates (docs/provider-facts.md#j-rl-2 to #j-rl-4). */
const DOCUMENTED = { token: 10, account: 1, retrieval: 15 } as const;

/** Requests a second between the first and the last of `requests` (on the emulator's clock). */
function achievedRate(requests: readonly JumioRecordedRequest[]): number {
  const first = requests[0]?.at ?? 0;
  const last = requests.at(-1)?.at ?? 0;
  return ((requests.length - 1) * 1000) / Math.max(1, last - first);
}

async function drain(stream: Readable): Promise<number> {
  let size = 0;
  for await (const chunk of stream) size += (chunk as Uint8Array).byteLength;
  return size;
}

/** Every rejection that is a RateLimitedError, and every other rejection. */
function rejections(settled: PromiseSettledResult<unknown>[]) {
  const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  return {
    rateLimited: failed.filter((e) => e instanceof RateLimitedError),
    other: failed.filter((e) => !(e instanceof RateLimitedError)),
  };
}

describe('createPacer (the author kit)', () => {
  it('lets a burst through, then spaces the rest at the rate, on a manual clock', async () => {
    const clock = createTestClock();
    const pacer = createPacer({ perSecond: 4, burst: 2 }, clock);
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () => pacer.take().then(() => times.push(clock.now()))),
    );
    const start = Date.UTC(2026, 0, 1);
    expect(times.map((t) => t - start)).toEqual([0, 0, 250, 500, 750, 1000]);
    // One waiter sleeps at a time: the clock moved exactly as far as the bucket needed.
    expect(clock.sleeps).toEqual([250, 250, 250, 250]);
    expect(pacer.waiting()).toBe(0);
  });

  it('takes a token without waiting for a request that goes anyway (charge)', async () => {
    const clock = createTestClock();
    const pacer = createPacer({ perSecond: 10 }, clock);
    await pacer.take();
    pacer.charge();
    await pacer.take();
    // The charged slot pushed the next request one slot further out.
    expect(clock.sleeps).toEqual([200]);
  });

  it('stops waiting, taking nothing, when the caller aborts', async () => {
    const pacer = createPacer(
      { perSecond: 1 },
      { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    );
    await pacer.take();
    const abort = new AbortController();
    const waited = pacer.take(abort.signal);
    expect(pacer.waiting()).toBe(1);
    const began = performance.now();
    abort.abort();
    await waited;
    expect(performance.now() - began).toBeLessThan(100);
  });

  it("gives an aborted waiter's turn to the next one", async () => {
    const clock = createTestClock();
    const pacer = createPacer({ perSecond: 1 }, clock);
    await pacer.take();
    const abort = new AbortController();
    const aborted = pacer.take(abort.signal);
    abort.abort();
    await aborted;
    await pacer.take();
    // One slot waited for, not two: the aborted request took none.
    expect(clock.sleeps).toEqual([1000]);
  });

  it('refuses a rate that is not positive, or a burst that is not a whole number ≥ 1', () => {
    const clock = createTestClock();
    expect(() => createPacer({ perSecond: 0 }, clock)).toThrow(/perSecond > 0/);
    expect(() => createPacer({ perSecond: 1, burst: 0.5 }, clock)).toThrow(/whole burst/);
  });
});

describe('the Jumio adapter within the limits (rate limits on)', () => {
  let server: ReturnType<typeof setupServer> | undefined;
  afterEach(() => server?.close());

  /** An emulator with its limits on, behind MSW, and a provider, on one clock running `speed`× real time. */
  async function pacedOn(speed: number) {
    const clock = fastClock(speed);
    const emulator: JumioEmulator = createJumioEmulator({ clock });
    server = setupServer(...emulator.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    expect(emulator.rateLimits().enabled).toBe(true);
    const idv: IdentityVerificationProvider = await createProvider(emulator.config({ clock }));
    return { emulator, idv };
  }

  it('with pacing off (limits Jumio raised), a burst goes at once and meets the emulated limit', {
    timeout: 30_000,
  }, async () => {
    const clock = fastClock(ACCOUNT_SPEED);
    const emulator: JumioEmulator = createJumioEmulator({ clock });
    server = setupServer(...emulator.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    const idv = await createProvider(emulator.config({ clock, pacing: false, maxRetries: 0 }));
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        idv.startVerification({ identityReference: `raw-${i}` }),
      ),
    );
    // Nothing waits its turn: the emulated 1-a-second limit (bursts of 5) refuses the rest.
    expect(rejections(settled).rateLimited.length).toBeGreaterThanOrEqual(4);
    expect(emulator.rateLimited().filter((r) => r.rateClass === 'account').length).toBe(
      rejections(settled).rateLimited.length,
    );
  });

  it('starts 50 verifications at once: all answered, at 1 a second, no 429 unretried', {
    timeout: 30_000,
  }, async () => {
    // 49 s of Jumio time in under 5 s.
    const { emulator, idv } = await pacedOn(ACCOUNT_SPEED);
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        idv.startVerification({ identityReference: `burst-${i}` }),
      ),
    );
    expect(rejections(settled)).toEqual({ rateLimited: [], other: [] });
    const sessions = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(new Set(sessions.map((s) => s.session.attemptId)).size).toBe(50);

    const starts = emulator
      .requests()
      .filter((r) => r.method === 'POST' && r.path === '/api/v1/accounts');
    const refused = emulator.rateLimited().filter((r) => r.rateClass === 'account');
    // Every request beyond the 50 starts is the retry of one refused: none was left unretried.
    expect(starts).toHaveLength(50 + refused.length);
    expect(emulator.tokenRequests()).toBe(1);
    const rate = achievedRate(starts);
    expect(rate / DOCUMENTED.account).toBeGreaterThanOrEqual(0.9);
    expect(rate / DOCUMENTED.account).toBeLessThanOrEqual(1.05);
  });

  it('fetches 300 queued results with their images: all fetched, at 15 a second, no 429 unretried', {
    timeout: 40_000,
  }, async () => {
    // 100 s of Jumio time (1,500 retrieval calls) in 20 s.
    const { emulator, idv } = await pacedOn(RETRIEVAL_SPEED);
    // The queue: 300 finished transactions, made without the adapter and without limits.
    emulator.setRateLimits(false);
    const sessions = await seedFinished(emulator, 300);
    emulator.setRateLimits(true);
    const seeded = emulator.requests().length;

    const settled = await Promise.allSettled(
      sessions.map(async (session) => {
        const result = await idv.getResult(session);
        const documents = await idv.listDocuments(session);
        let bytes = 0;
        for (const document of documents) {
          bytes += await drain((await idv.downloadDocument(document)).body);
        }
        return { reason: result.reason, documents: documents.length, bytes };
      }),
    );
    expect(rejections(settled)).toEqual({ rateLimited: [], other: [] });
    const fetched = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(fetched).toHaveLength(300);
    expect(fetched.every((f) => f.reason === 'CLEAR' && f.documents === 3 && f.bytes > 0)).toBe(
      true,
    );

    const reads = emulator
      .requests()
      .slice(seeded)
      .filter((r) => r.method === 'GET');
    const refused = emulator.rateLimited().filter((r) => r.rateClass === 'retrieval');
    // 300 × (details for the result, details for the list, 3 images), and a retry per refusal.
    expect(reads).toHaveLength(300 * 5 + refused.length);
    const rate = achievedRate(reads);
    expect(rate / DOCUMENTED.retrieval).toBeGreaterThanOrEqual(0.9);
    expect(rate / DOCUMENTED.retrieval).toBeLessThanOrEqual(1.05);
  });
});

/** `count` finished KYX transactions, started straight through the emulator's API (not paced). */
async function seedFinished(emulator: JumioEmulator, count: number): Promise<SessionRef[]> {
  const ua = { 'user-agent': 'PacingTest/1.0' };
  const basic = Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64');
  const tokenAnswer = await fetch('https://auth.amer-1.jumio.ai/oauth2/token', {
    method: 'POST',
    headers: {
      ...ua,
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const sessions = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const answer = await fetch('https://account.amer-1.jumio.ai/api/v1/accounts', {
        method: 'POST',
        headers: { ...ua, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          customerInternalReference: `queued-${i}`,
          workflowDefinition: { key: 10011 },
        }),
      });
      const body = (await answer.json()) as {
        account: { id: string };
        workflowExecution: { id: string };
      };
      return {
        provider: 'jumio',
        subjectId: body.account.id,
        attemptId: body.workflowExecution.id,
      };
    }),
  );
  for (const session of sessions) await emulator.completeCustomerJourney(session);
  if (!sessions.every((s) => s.subjectId !== undefined)) throw new Error('seeding failed');
  return sessions;
}
