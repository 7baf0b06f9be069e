/**
 * Jumio's rate limits per tenant as the emulator applies them over plain HTTP
 * (docs/provider-facts.md#j-rl-1 to #j-rl-4): token requests 10 a second,
 * account requests that start a transaction 1 a second with bursts of 5 (the
 * burst size is the emulator's choice: Jumio tolerates "short bursts" without
 * a number), retrieval 15 a second, each on the emulator's clock and answered
 * 429 with the documented body and no `Retry-After` (Jumio documents none);
 * the switches that turn them off, in the emulator and on the command line.
 */
import { JUMIO_DEFAULT_RATE_LIMITS } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { Capture, waitFor } from '../cli/helpers';
import {
  bearer,
  call,
  executionUrl,
  json,
  serveJumio,
  start,
  startBody,
  tokenRequest,
  UA,
} from './http-harness';

const served = serveJumio();

/** The documented 429 (docs/provider-facts.md#j-rl-3). */
const TOO_MANY = { title: 'Too Many Requests', status: 429, detail: 'Request limit exceeded' };

async function expectRateLimited(answer: Response): Promise<void> {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('retry-after')).toBeNull();
  expect(await answer.json()).toEqual(TOO_MANY);
}

const statuses = (answers: Response[]) => answers.map((a) => a.status);

describe('the documented defaults', () => {
  it('are the facts: 10/s tokens, 1/s accounts (bursts of 5), 15/s retrieval', () => {
    expect(served.emulator.rateLimits()).toEqual({
      enabled: true,
      limits: {
        token: { perSecond: 10, burst: 10 },
        account: { perSecond: 1, burst: 5 },
        retrieval: { perSecond: 15, burst: 15 },
      },
    });
    expect(JUMIO_DEFAULT_RATE_LIMITS).toEqual(served.emulator.rateLimits().limits);
  });
});

describe('token requests: 10 a second (docs/provider-facts.md#j-rl-2)', () => {
  it('answers the 11th request within a second 429, and one more after 100 ms', async () => {
    const answers = await Promise.all(Array.from({ length: 11 }, () => tokenRequest(served)));
    expect(statuses(answers).filter((s) => s === 200)).toHaveLength(10);
    await expectRateLimited(answers.find((a) => a.status === 429) as Response);
    served.clock.advance(99);
    await expectRateLimited(await tokenRequest(served));
    served.clock.advance(1);
    expect((await tokenRequest(served)).status).toBe(200);
    expect(served.emulator.tokenRequests()).toBe(13);
    expect(served.emulator.rateLimited().map((r) => [r.rateClass, r.method, r.path])).toEqual([
      ['token', 'POST', '/oauth2/token'],
      ['token', 'POST', '/oauth2/token'],
    ]);
  });

  it('counts a wrong secret against the client it names, and nothing against an unknown one', async () => {
    const unknown = await Promise.all(
      Array.from({ length: 12 }, () => tokenRequest(served, { clientId: 'someone-else' })),
    );
    expect(new Set(statuses(unknown))).toEqual(new Set([401]));
    const wrong = await Promise.all(
      Array.from({ length: 10 }, () => tokenRequest(served, { secret: 'wrong' })),
    );
    expect(new Set(statuses(wrong))).toEqual(new Set([401]));
    await expectRateLimited(await tokenRequest(served));
  });
});

describe('account requests: 1 a second with short bursts (docs/provider-facts.md#j-rl-3)', () => {
  it('takes a burst of 5 starts, then 1 a second; PUT counts as a start', async () => {
    const token = await bearer(served);
    const url = `${served.hosts.account}/api/v1/accounts`;
    const burst = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(token, 'POST', url, startBody(`ref-${i}`))),
    );
    expect(statuses(burst).filter((s) => s === 200)).toHaveLength(5);
    await expectRateLimited(burst.find((a) => a.status === 429) as Response);
    served.clock.advance(999);
    await expectRateLimited(await call(token, 'POST', url, startBody()));
    served.clock.advance(1);
    const { account } = (await (burst.find((a) => a.status === 200) as Response).json()) as {
      account: { id: string };
    };
    expect((await call(token, 'PUT', `${url}/${account.id}`, startBody())).status).toBe(200);
    await expectRateLimited(await call(token, 'PUT', `${url}/${account.id}`, startBody()));
    // A refused request took no token: one second later exactly one more goes.
    served.clock.advance(1000);
    expect((await call(token, 'POST', url, startBody())).status).toBe(200);
    expect(served.emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(8);
    expect(served.emulator.rateLimited().map((r) => r.rateClass)).toEqual([
      'account',
      'account',
      'account',
    ]);
  });

  it('refuses nothing once the limits are off (rateLimits: false, setRateLimits(false))', async () => {
    served.emulator.setRateLimits(false);
    const token = await bearer(served);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call(token, 'POST', `${served.hosts.account}/api/v1/accounts`, startBody(`ref-${i}`)),
      ),
    );
    expect(new Set(statuses(answers))).toEqual(new Set([200]));
    expect(served.emulator.rateLimits().enabled).toBe(false);
    expect(served.emulator.rateLimited()).toEqual([]);
  });

  it('takes the limits a test sets (Jumio Support can raise the burst), until reset', async () => {
    served.emulator.setRateLimits({ account: { burst: 20 } });
    const token = await bearer(served);
    const url = `${served.hosts.account}/api/v1/accounts`;
    const answers = await Promise.all(
      Array.from({ length: 21 }, (_, i) => call(token, 'POST', url, startBody(`ref-${i}`))),
    );
    expect(statuses(answers).filter((s) => s === 200)).toHaveLength(20);
    expect(() => served.emulator.setRateLimits({ token: { perSecond: 0 } })).toThrow(
      /rateLimits.token needs perSecond > 0/,
    );
    served.emulator.reset();
    expect(served.emulator.rateLimits().limits.account).toEqual({ perSecond: 1, burst: 5 });
  });
});

describe('retrieval: 15 a second (docs/provider-facts.md#j-rl-4)', () => {
  it('counts status, details and parts alike; the 16th within a second is 429', async () => {
    const token = await bearer(served);
    const { account, workflowExecution } = await start(served, token);
    await served.emulator.completeCustomerJourney({ provider: 'jumio', subjectId: account.id });
    const url = executionUrl(served, account.id, workflowExecution.id);
    const credential = served.emulator
      .execution(workflowExecution.id)
      ?.credentials.find((c) => c.category === 'ID')?.id;
    const part = `${served.hosts.retrieval}/api/v1/accounts/${account.id}/credentials/${credential}/parts/FRONT`;
    const targets = Array.from({ length: 15 }, (_, i) => [url, `${url}/status`, part][i % 3]!);
    const answers = await Promise.all(targets.map((target) => call(token, 'GET', target)));
    expect(new Set(statuses(answers))).toEqual(new Set([200]));
    await expectRateLimited(await call(token, 'GET', `${url}/status`));
    // 1/15 s later one more (67 ms: 66 is not quite enough).
    served.clock.advance(66);
    await expectRateLimited(await call(token, 'GET', `${url}/status`));
    served.clock.advance(1);
    expect((await call(token, 'GET', `${url}/status`)).status).toBe(200);
  });

  it('limits what the tenant asks, after authentication: a bad token is 401, not counted', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('bad', 'GET', `${served.hosts.retrieval}/api/v1/accounts/a/workflow-executions/w`),
      ),
    );
    expect(new Set(statuses(answers))).toEqual(new Set([401]));
    expect(served.emulator.rateLimited()).toEqual([]);
  });

  it('leaves the health check unlimited', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => fetch(served.hosts.status, { headers: UA })),
    );
    expect(new Set(statuses(answers))).toEqual(new Set([200]));
  });
});

describe('the control side: /jumio/_control/rate-limits', () => {
  it('reads and changes the limits over HTTP', async () => {
    const control = `${served.hosts.control}/rate-limits`;
    const put = (body: unknown) =>
      fetch(control, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await json(await fetch(control))).toMatchObject({
      status: 200,
      body: { enabled: true, limits: JUMIO_DEFAULT_RATE_LIMITS, refused: [] },
    });
    expect(await json(await put({ enabled: 'no' }))).toMatchObject({
      status: 400,
      body: { error: { message: '"enabled" must be true or false' } },
    });
    expect(await json(await put({ retrieval: { perSecond: 30 } }))).toMatchObject({
      status: 200,
      body: { enabled: true, limits: { retrieval: { perSecond: 30, burst: 15 } } },
    });
    expect(await json(await put({ enabled: false }))).toMatchObject({
      status: 200,
      body: { enabled: false },
    });
    expect(served.emulator.rateLimits().enabled).toBe(false);
  });
});

describe('idv-providers emulator --jumio-no-rate-limits', () => {
  async function served(args: readonly string[]) {
    const stdout = new Capture();
    const stderr = new Capture();
    const stop = new AbortController();
    const done = runCli(['emulator', '--port', '0', '--quiet', ...args], {
      stdout,
      stderr,
      env: {},
      signal: stop.signal,
    });
    const url = await waitFor(
      () => /emulators listening on (http:\/\/\S+)/.exec(stdout.text)?.[1],
      'the emulator to listen',
    );
    return {
      url,
      stdout,
      stop: async () => {
        stop.abort();
        return done;
      },
    };
  }

  async function burstOfStarts(url: string, count: number): Promise<number[]> {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const credentials = Buffer.from(
      'idv-emulator-jumio-client-id:idv-emulator-jumio-client-secret',
    ).toString('base64');
    const answer = await fetch(`${url}/jumio/auth/oauth2/token`, {
      method: 'POST',
      headers: { ...UA, ...form, authorization: `Basic ${credentials}` },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = (await answer.json()) as { access_token: string };
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        call(token, 'POST', `${url}/jumio/account/api/v1/accounts`, startBody(`cli-${i}`)),
      ),
    );
    return statuses(answers);
  }

  it('serves with the limits on by default, on real time', async () => {
    const cli = await served([]);
    try {
      expect(cli.stdout.text).toMatch(/rate limits +on \(--jumio-no-rate-limits turns them off\)/);
      const info = (await (await fetch(`${cli.url}/_emulator`)).json()) as {
        jumio: Record<string, unknown>;
      };
      expect(info.jumio['rateLimits']).toBe(true);
      expect(info.jumio['controlBaseUrl']).toBe(`${cli.url}/jumio/_control`);
      const answers = await burstOfStarts(cli.url, 8);
      expect(answers.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });

  it('turns them off', async () => {
    const cli = await served(['--jumio-no-rate-limits']);
    try {
      expect(cli.stdout.text).toMatch(/rate limits +off\n/);
      const limits = (await (await fetch(`${cli.url}/jumio/_control/rate-limits`)).json()) as {
        enabled: boolean;
      };
      expect(limits.enabled).toBe(false);
      expect(new Set(await burstOfStarts(cli.url, 12))).toEqual(new Set([200]));
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  });
});
