/**
 * The retry policy, row by row of the README's fault matrix ("HTTP behaviour:
 * retries and faults"), called directly: each test plays a fault that persists
 * through every attempt the policy grants and asserts the whole sequence of
 * decisions. `test/faults/` runs the same rows end to end against the emulators.
 */
import {
  type AttemptOutcome,
  type AttemptRequest,
  decideRetry,
  type NoRetryReason,
  type RetryDecision,
  type RetryOptions,
  type RetryReason,
} from 'idv-providers/kit';
import { describe, expect, it } from 'vitest';

/** The library's defaults (`maxRetries: 3`, `maxRetryAfterMs: 60 000`), a fixed time, the test clock's jitter. */
const NOW = Date.UTC(2026, 0, 1);
const DEFAULTS: RetryOptions = { maxRetries: 3, maxRetryAfterMs: 60_000, now: NOW, random: 0.5 };

/** What a fault looks like to the policy: an outcome without the request's fields. */
type WithoutRequest<T> = T extends unknown ? Omit<T, keyof AttemptRequest> : never;
type Fault = WithoutRequest<AttemptOutcome>;
type Request = Omit<AttemptRequest, 'retries'>;

/** Reads: the result reads and lists (GET), and the document downloads (GET too). */
const READS: Record<string, Request> = {
  'read (GET)': { method: 'GET' },
  'download (GET)': { method: 'GET' },
  DELETE: { method: 'DELETE' },
};
/** The Jumio OAuth2 token request: a POST marked safe to repeat (providers/jumio/oauth.ts). */
const TOKEN: Record<string, Request> = {
  'Jumio POST /oauth2/token': { method: 'POST', idempotent: true },
};
/** Creating requests: Onfido POST /applicants, /checks, /workflow_runs; Jumio POST and PUT /accounts (marked not idempotent); Netverify POST /initiate. */
const CREATING: Record<string, Request> = {
  'Onfido POST (applicants, checks, workflow runs)': { method: 'POST' },
  'Jumio POST /accounts, Netverify POST /initiate': { method: 'POST', idempotent: false },
  'Jumio PUT /accounts/{id}': { method: 'PUT', idempotent: false },
  'PUT (not marked)': { method: 'PUT' },
};
const ANY: Record<string, Request> = { ...READS, ...TOKEN, ...CREATING };
const READS_AND_TOKEN: Record<string, Request> = { ...READS, ...TOKEN };

/** Attempts made when a retried fault persists: the first one and `maxRetries` retries. */
const ATTEMPTS_WHEN_RETRIED = DEFAULTS.maxRetries + 1;

/**
 * Plays `faults` (the last one repeating) through the policy as the client
 * does: one decision per attempt until it says stop, the clock moving on by
 * each wait (as the test clock's `sleep` does). Returns every decision.
 */
function play(
  faults: Fault | readonly Fault[],
  request: Request,
  options: Partial<RetryOptions> = {},
): RetryDecision[] {
  const list = Array.isArray(faults) ? faults : [faults as Fault];
  const settings = { ...DEFAULTS, ...options };
  const decisions: RetryDecision[] = [];
  for (let retries = 0; retries <= 50; retries++) {
    const fault = list[Math.min(retries, list.length - 1)]!;
    const decision = decideRetry({ ...request, ...fault, retries }, settings);
    decisions.push(decision);
    if (!decision.retry) return decisions;
    settings.now += decision.delayMs;
  }
  throw new Error('the policy never stopped retrying');
}

/** The decisions of a fault retried `delays.length` times, then given up as `last`. */
function retried(
  reason: RetryReason,
  delays: readonly number[],
  last: NoRetryReason = 'retries_exhausted',
): RetryDecision[] {
  return [
    ...delays.map((delayMs) => ({ retry: true as const, delayMs, reason })),
    { retry: false, reason: last },
  ];
}

/** The decisions of a fault not retried: one attempt. */
function once(reason: NoRetryReason): RetryDecision[] {
  return [{ retry: false, reason }];
}

/**
 * Retry n waits between half and all of min(10 s, 300 ms × 2ⁿ): with the test
 * clock's random() of 0.5, three quarters; at the bounds, half and all.
 */
const BACKOFF = { mid: [225, 450, 900], low: [150, 300, 600], high: [300, 600, 1200] };

/** A backoff row: exact waits at random 0.5, and each wait at the bounds of its window. */
function expectBackoff(fault: Fault | readonly Fault[], request: Request, reason: RetryReason) {
  expect(play(fault, request)).toEqual(retried(reason, BACKOFF.mid));
  expect(play(fault, request, { random: 0 })).toEqual(retried(reason, BACKOFF.low));
  expect(play(fault, request, { random: 0.999_999 })).toEqual(retried(reason, BACKOFF.high));
  expect(play(fault, request)).toHaveLength(ATTEMPTS_WHEN_RETRIED);
}

const status = (code: number, headers: Record<string, string> = {}): Fault => ({
  kind: 'status',
  status: code,
  headers,
});
const transport = (code: string, responded = false): Fault => ({
  kind: 'transport',
  code,
  responded,
});
/** A 2xx answer: the client hands it back and validates its body; the policy has nothing to retry. */
const ANSWERED = status(200, { 'content-type': 'application/json' });

describe('the fault matrix, row by row (maxRetries 3)', () => {
  it('429 with Retry-After in seconds, any request (creating ones included): retried waiting as told, 4 attempts', () => {
    for (const [name, request] of Object.entries(ANY)) {
      const decisions = play(status(429, { 'retry-after': '7' }), request);
      expect(decisions, name).toEqual(retried('retry_after', [7000, 7000, 7000]));
      expect(decisions, name).toHaveLength(ATTEMPTS_WHEN_RETRIED);
    }
  });

  it('429 with Retry-After as an HTTP date, any request: waits until that date, 4 attempts', () => {
    const at = new Date(NOW + 12_000).toUTCString();
    for (const [name, request] of Object.entries(ANY)) {
      // The clock moves on by each wait, so once the date has come the wait is 0.
      expect(play(status(429, { 'retry-after': at }), request), name).toEqual(
        retried('retry_after', [12_000, 0, 0]),
      );
    }
  });

  it('429 without Retry-After, any request (creating ones and the Jumio token included): backoff, 4 attempts', () => {
    for (const request of Object.values(ANY)) {
      expectBackoff(status(429), request, 'rate_limited');
      // An unreadable Retry-After counts as none.
      expectBackoff(status(429, { 'retry-after': 'soon' }), request, 'rate_limited');
    }
  });

  it('429 with Retry-After over maxRetryAfterMs, any request: not retried, 1 attempt', () => {
    const later = new Date(NOW + 120_000).toUTCString();
    for (const [name, request] of Object.entries(ANY)) {
      expect(play(status(429, { 'retry-after': '120' }), request), name).toEqual(
        once('retry_after_too_long'),
      );
      expect(play(status(429, { 'retry-after': later }), request), name).toEqual(
        once('retry_after_too_long'),
      );
    }
  });

  it('500, 502, 503, 504, reads, downloads and the Jumio OAuth2 token: backoff, 4 attempts', () => {
    for (const code of [500, 502, 503, 504]) {
      for (const request of Object.values(READS_AND_TOKEN)) {
        expectBackoff(status(code), request, 'server_error');
      }
    }
  });

  it('500, 502, 503, creating: not retried (the provider may have acted), 1 attempt', () => {
    // 504 is no different: every retried 5xx needs an idempotent request.
    for (const code of [500, 502, 503, 504]) {
      for (const [name, request] of Object.entries(CREATING)) {
        expect(play(status(code), request), `${code} ${name}`).toEqual(once('may_have_acted'));
      }
    }
  });

  it('connection reset, reads and token: retried, 4 attempts', () => {
    // ECONNRESET or EPIPE from the socket, or a network error without a code
    // (what a reset looks like through MSW): no answer came back.
    for (const fault of [transport('ECONNRESET'), transport('EPIPE'), transport('')]) {
      for (const request of Object.values(READS_AND_TOKEN)) {
        expectBackoff(fault, request, 'connection_failed');
      }
    }
  });

  it('connection reset, creating: not retried, 1 attempt', () => {
    for (const fault of [transport('ECONNRESET'), transport('EPIPE'), transport('')]) {
      for (const [name, request] of Object.entries(CREATING)) {
        expect(play(fault, request), name).toEqual(once('may_have_acted'));
      }
    }
  });

  it('connection refused, DNS failure (nothing sent), any request: retried, 4 attempts', () => {
    const codes = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
    for (const code of codes) {
      for (const request of Object.values(ANY)) {
        expectBackoff(transport(code), request, 'not_sent');
      }
    }
  });

  it('no answer within timeoutMs, reads and token: retried, 4 attempts', () => {
    for (const code of ['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']) {
      for (const request of Object.values(READS_AND_TOKEN)) {
        expectBackoff(transport(code), request, 'connection_failed');
      }
    }
  });

  it('no answer within timeoutMs, creating: not retried, 1 attempt', () => {
    for (const code of ['ETIMEDOUT', 'ECONNABORTED']) {
      for (const [name, request] of Object.entries(CREATING)) {
        expect(play(transport(code), request), name).toEqual(once('may_have_acted'));
      }
    }
  });

  it('body shorter than its Content-Length, reads and token: retried, 4 attempts', () => {
    // The status line came back, then the body broke off (ERR_BAD_RESPONSE).
    for (const request of Object.values(READS_AND_TOKEN)) {
      expectBackoff(transport('ERR_BAD_RESPONSE', true), request, 'connection_failed');
    }
  });

  it('body shorter than its Content-Length, creating: not retried, 1 attempt', () => {
    for (const [name, request] of Object.entries(CREATING)) {
      expect(play(transport('ERR_BAD_RESPONSE', true), request), name).toEqual(
        once('may_have_acted'),
      );
    }
  });

  it('transfer cut off mid-download, download: not restarted, 1 attempt', () => {
    // The download's answer (HTTP 200) was handed back as a stream before the
    // transfer broke; the stream fails on its own and the policy is not asked
    // again. For the policy the attempt ended with an answer.
    expect(play(ANSWERED, READS['download (GET)']!)).toEqual(once('answered'));
  });

  it('malformed or truncated JSON, any request: not retried, 1 attempt', () => {
    // The answer came back (2xx); the client decodes it after the policy let it through.
    for (const [name, request] of Object.entries(ANY)) {
      expect(play(ANSWERED, request), name).toEqual(once('answered'));
    }
  });

  it('wrong content type (text/html), any request: not retried, 1 attempt', () => {
    for (const [name, request] of Object.entries(ANY)) {
      expect(play(status(200, { 'content-type': 'text/html' }), request), name).toEqual(
        once('answered'),
      );
    }
  });

  it('answer of an unexpected shape, any request: not retried, 1 attempt', () => {
    for (const [name, request] of Object.entries(ANY)) {
      expect(play(ANSWERED, request), name).toEqual(once('answered'));
    }
  });

  it('400, 403, 422, any request: not retried, 1 attempt', () => {
    for (const code of [400, 403, 422]) {
      for (const [name, request] of Object.entries(ANY)) {
        expect(play(status(code), request), `${code} ${name}`).toEqual(
          once('not_retryable_status'),
        );
      }
    }
  });

  it('404, any request: not retried, 1 attempt', () => {
    for (const [name, request] of Object.entries(ANY)) {
      expect(play(status(404), request), name).toEqual(once('not_retryable_status'));
    }
  });

  it('401 (Onfido), any request: not retried, 1 attempt', () => {
    for (const [name, request] of Object.entries(ANY)) {
      expect(play(status(401), request), name).toEqual(once('not_retryable_status'));
    }
  });

  it('401 (Jumio API), any request: once, after a fresh OAuth2 token, 2 attempts; the policy itself never retries a 401', () => {
    // The repeat is not the policy's. Jumio's API clients come from
    // createBearerClient (providers/jumio/oauth.ts), whose onUnauthorized hook
    // drops the refused token and fetches a fresh one. On a first 401 the HTTP
    // client (src/kit/http/client.ts) calls that hook and sends the request
    // again without asking the policy, and does not count that attempt as a
    // retry. The policy is asked only when the 401 comes back: on attempt 2,
    // with no retries made, and it stops there.
    for (const [name, request] of Object.entries(ANY)) {
      const attemptsBeforeAsking = 1;
      const decisions = play(status(401), request);
      expect(decisions, name).toEqual(once('not_retryable_status'));
      expect(attemptsBeforeAsking + decisions.length, name).toBe(2);
    }
    // The refresh leaves the retry budget whole: a read answered 401, then 503
    // with the fresh token, still gets all three retries from the first backoff
    // (5 attempts in all).
    const after503 = play(status(503), READS['read (GET)']!);
    expect(after503).toEqual(retried('server_error', BACKOFF.mid));
    expect(1 + after503.length).toBe(5);
  });
});

describe('edges the client meets', () => {
  it('a Retry-After exactly at maxRetryAfterMs is honoured; one over it ends the retries', () => {
    const read = READS['read (GET)']!;
    expect(play(status(429, { 'retry-after': '60' }), read)).toEqual(
      retried('retry_after', [60_000, 60_000, 60_000]),
    );
    expect(play(status(429, { 'retry-after': '60.001' }), read)).toEqual(
      once('retry_after_too_long'),
    );
  });

  it('a Retry-After over maxRetryAfterMs after earlier retries ends them there', () => {
    const faults = [
      status(429, { 'retry-after': '1' }),
      status(429),
      status(429, { 'retry-after': '3600' }),
    ];
    expect(play(faults, CREATING['Onfido POST (applicants, checks, workflow runs)']!)).toEqual([
      { retry: true, delayMs: 1000, reason: 'retry_after' },
      { retry: true, delayMs: 450, reason: 'rate_limited' },
      { retry: false, reason: 'retry_after_too_long' },
    ]);
  });

  it('a Retry-After date already past means retry at once', () => {
    const past = new Date(NOW - 30_000).toUTCString();
    expect(play(status(429, { 'retry-after': past }), READS['read (GET)']!)).toEqual(
      retried('retry_after', [0, 0, 0]),
    );
  });

  it('maxRetryAfterMs 0 accepts only "Retry-After: 0"', () => {
    const read = READS['read (GET)']!;
    expect(play(status(429, { 'retry-after': '0' }), read, { maxRetryAfterMs: 0 })).toEqual(
      retried('retry_after', [0, 0, 0]),
    );
    expect(play(status(429, { 'retry-after': '1' }), read, { maxRetryAfterMs: 0 })).toEqual(
      once('retry_after_too_long'),
    );
  });

  it('maxRetries 0: one attempt for every fault', () => {
    const faults = [status(429), status(503), transport('ECONNREFUSED'), transport('ETIMEDOUT')];
    for (const fault of faults) {
      expect(play(fault, READS['read (GET)']!, { maxRetries: 0 })).toEqual(
        once('retries_exhausted'),
      );
    }
  });

  it('a longer retry budget: waits double up to the 10 s cap', () => {
    expect(play(status(503), READS['read (GET)']!, { maxRetries: 8 })).toEqual(
      retried('server_error', [225, 450, 900, 1800, 3600, 7200, 7500, 7500]),
    );
  });

  it('backoff base and cap are knobs', () => {
    expect(
      play(status(503), READS['read (GET)']!, {
        maxRetries: 4,
        backoff: { baseMs: 1000, capMs: 4000 },
        random: 0,
      }),
    ).toEqual(retried('server_error', [500, 1000, 2000, 2000]));
  });

  it('a status that is neither retried nor 4xx (501) is final, even for a read', () => {
    expect(play(status(501), READS['read (GET)']!)).toEqual(once('not_retryable_status'));
  });

  it('a POST marked idempotent is retried on 5xx and a broken connection like a read', () => {
    const marked = { method: 'POST', idempotent: true };
    expectBackoff(status(502), marked, 'server_error');
    expectBackoff(transport('ECONNRESET'), marked, 'connection_failed');
  });

  it('a GET marked not idempotent is treated as creating', () => {
    const marked = { method: 'GET', idempotent: false };
    expect(play(status(503), marked)).toEqual(once('may_have_acted'));
    expect(play(transport('ECONNREFUSED'), marked)).toEqual(retried('not_sent', BACKOFF.mid));
  });

  it('a transport code in neither list after the status line came is final', () => {
    expect(play(transport('ERR_SOMETHING_ELSE', true), READS['read (GET)']!)).toEqual(
      once('not_retryable_error'),
    );
    // Without a response it counts as a broken connection.
    expectBackoff(
      transport('ERR_SOMETHING_ELSE', false),
      READS['read (GET)']!,
      'connection_failed',
    );
  });

  it('a cancelled request and a failure that is not the transport are never retried', () => {
    for (const request of Object.values(ANY)) {
      expect(play({ kind: 'cancelled' }, request)).toEqual(once('cancelled'));
      expect(play({ kind: 'exception' }, request)).toEqual(once('exception'));
    }
  });

  it('reads the clock only when a decision needs it', () => {
    let nowReads = 0;
    let randomReads = 0;
    const options: RetryOptions = {
      maxRetries: 3,
      maxRetryAfterMs: 60_000,
      get now() {
        nowReads++;
        return NOW;
      },
      get random() {
        randomReads++;
        return 0.5;
      },
    };
    const read = { method: 'GET', retries: 0 } as const;
    const reads = (outcome: AttemptOutcome) => {
      nowReads = 0;
      randomReads = 0;
      const decision = decideRetry(outcome, options);
      return { decision, nowReads, randomReads };
    };
    expect(reads({ ...read, kind: 'status', status: 503 })).toEqual({
      decision: { retry: true, delayMs: 225, reason: 'server_error' },
      nowReads: 0,
      randomReads: 1,
    });
    expect(
      reads({ ...read, kind: 'status', status: 429, headers: { 'retry-after': '2' } }),
    ).toEqual({
      decision: { retry: true, delayMs: 2000, reason: 'retry_after' },
      nowReads: 1,
      randomReads: 0,
    });
    expect(reads({ ...read, kind: 'status', status: 404 })).toEqual({
      decision: { retry: false, reason: 'not_retryable_status' },
      nowReads: 0,
      randomReads: 0,
    });
    expect(reads({ ...read, retries: 3, kind: 'status', status: 429 })).toEqual({
      decision: { retry: false, reason: 'retries_exhausted' },
      nowReads: 0,
      randomReads: 0,
    });
    expect(
      reads({ ...read, retries: 3, kind: 'transport', code: 'ECONNRESET', responded: false }),
    ).toEqual({
      decision: { retry: false, reason: 'retries_exhausted' },
      nowReads: 0,
      randomReads: 0,
    });
  });
});
