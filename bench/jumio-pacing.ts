/**
 * Jumio's rate limits and the adapter's pacing: the rate a burst achieves
 * against the limit Jumio documents (docs/provider-facts.md#j-rl-3, #j-rl-4).
 *
 * The Jumio emulator is served over real HTTP on 127.0.0.1 with its rate
 * limits on, on real time (account requests 1 a second with bursts of 5,
 * retrieval 15 a second). One `jumio({...})` provider, on real time too,
 * then runs two bursts at once:
 * - STARTS concurrent `startVerification` calls (account requests);
 * - RESULTS queued finished transactions, each read with `getResult`,
 *   `listDocuments` and every image downloaded (5 retrieval calls each); the
 *   transactions are made beforehand straight through the emulator's API,
 *   with the limits off.
 *
 * Reported per class: the requests the emulator received, those it refused
 * (429) and the achieved rate, (requests - 1) / (last arrival - first
 * arrival), against the documented limit: the ratio, with a target of at
 * least 0.9x. Every call must complete (no RateLimitedError).
 *
 * Run: `npx tsx bench/jumio-pacing.ts` (JUMIO_PACING_STARTS=n, default 50;
 * JUMIO_PACING_RESULTS=n, default 150: about 50 s).
 */
import type { Readable } from 'node:stream';
import type { SessionRef } from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import {
  createJumioEmulator,
  type JumioEmulator,
  type JumioRecordedRequest,
  serveEmulators,
} from 'idv-providers/testing';
import { isMain } from './lib/child';
import { ms, num, table } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';

const count = (name: string, fallback: number) =>
  Math.max(2, Math.min(1000, Number(process.env[name] ?? fallback)));
const STARTS = count('JUMIO_PACING_STARTS', 50);
const RESULTS = count('JUMIO_PACING_RESULTS', 150);

/** Jumio's documented default limits (docs/provider-facts.md#j-rl-3, #j-rl-4). */
const LIMITS = { account: 1, retrieval: 15 } as const;

function achievedRate(requests: readonly JumioRecordedRequest[]): number {
  const first = requests[0]?.at ?? 0;
  const last = requests.at(-1)?.at ?? 0;
  return ((requests.length - 1) * 1000) / Math.max(1, last - first);
}

async function drain(stream: Readable): Promise<void> {
  for await (const _ of stream) {
    // bytes are only counted by the emulator
  }
}

/** `n` finished transactions, made straight through the emulator's API (not paced, limits off). */
async function seed(emulator: JumioEmulator, urls: Record<string, string>, n: number) {
  emulator.setRateLimits(false);
  const ua = { 'user-agent': 'idv-providers-bench/1.0' };
  const basic = Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64');
  const answer = await fetch(`${urls['auth']}/oauth2/token`, {
    method: 'POST',
    headers: {
      ...ua,
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await answer.json()) as { access_token: string };
  const sessions: SessionRef[] = [];
  for (let i = 0; i < n; i++) {
    const started = await fetch(`${urls['account']}/api/v1/accounts`, {
      method: 'POST',
      headers: { ...ua, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customerInternalReference: `bench-queued-${i}`,
        workflowDefinition: { key: 10011 },
      }),
    });
    const body = (await started.json()) as {
      account: { id: string };
      workflowExecution: { id: string };
    };
    const session = {
      provider: 'jumio',
      subjectId: body.account.id,
      attemptId: body.workflowExecution.id,
    };
    await emulator.completeCustomerJourney(session);
    sessions.push(session);
  }
  emulator.setRateLimits(true);
  return sessions;
}

/** Runs the Jumio pacing bench. */
export async function benchJumioPacing(): Promise<BenchResult> {
  let emulator: JumioEmulator | undefined;
  const server = await serveEmulators({ handlers: () => emulator?.handlers ?? [] });
  try {
    const urls = {
      auth: `${server.url}/jumio/auth`,
      account: `${server.url}/jumio/account`,
      retrieval: `${server.url}/jumio/retrieval`,
    };
    const e = createJumioEmulator({ baseUrls: urls, clock: { now: () => Date.now() } });
    emulator = e;
    const queued = await seed(e, urls, RESULTS);
    const seeded = e.requests().length;
    const idv = jumio({
      clientId: e.clientId,
      clientSecret: e.clientSecret,
      authBaseUrl: urls.auth,
      accountBaseUrl: urls.account,
      retrievalBaseUrl: urls.retrieval,
    });

    const began = performance.now();
    const starts = Promise.allSettled(
      Array.from({ length: STARTS }, (_, i) =>
        idv.startVerification({ identityReference: `bench-burst-${i}` }),
      ),
    );
    const fetches = Promise.allSettled(
      queued.map(async (session) => {
        await idv.getResult(session);
        for (const document of await idv.listDocuments(session)) {
          await drain((await idv.downloadDocument(document)).body);
        }
      }),
    );
    const settled = [...(await starts), ...(await fetches)];
    const wallMs = performance.now() - began;
    const failed = settled.filter((s) => s.status === 'rejected');
    if (failed.length > 0) {
      const first = (failed[0] as PromiseRejectedResult).reason as Error;
      throw new Error(
        `${failed.length} calls failed, the first with ${first.name}: ${first.message}`,
      );
    }

    const after = e.requests().slice(seeded);
    const classes = [
      {
        key: 'account' as const,
        what: `${num(STARTS)} concurrent starts`,
        requests: after.filter((r) => r.method === 'POST' && r.path === '/api/v1/accounts'),
      },
      {
        key: 'retrieval' as const,
        what: `${num(RESULTS)} queued results with images`,
        requests: after.filter((r) => r.method === 'GET' && r.url.startsWith(urls.retrieval)),
      },
    ].map((c) => ({
      ...c,
      refused: e.rateLimited().filter((r) => r.rateClass === c.key).length,
      rate: achievedRate(c.requests),
      limit: LIMITS[c.key],
    }));

    const details = [
      `one jumio() provider over HTTP on 127.0.0.1, the emulator's rate limits on, real time; ` +
        `both bursts at once, all calls completed in ${ms(wallMs)}; node ${process.version}`,
      table(
        ['class', 'burst', 'requests', 'refused (429, retried)', 'achieved/s', 'limit/s', 'ratio'],
        classes.map((c) => [
          c.key,
          c.what,
          num(c.requests.length),
          num(c.refused),
          num(c.rate, 3),
          num(c.limit),
          `${(c.rate / c.limit).toFixed(3)}x`,
        ]),
        new Set([2, 3, 4, 5, 6]),
      ),
      'token requests: 1 (one token for every call), far from the 10 a second limit',
    ].join('\n');
    const rows: SummaryRow[] = classes.map((c) => ({
      bench: `jumio pacing, ${c.what}`,
      metric: `${c.key} requests/s (higher better, up to the limit)`,
      subject: 'one jumio() provider',
      ours: c.rate,
      oursText: num(c.rate, 3),
      baseline: `Jumio's documented limit`,
      baselineValue: c.limit,
      baselineText: num(c.limit),
      target: '>= 0.9x',
      met: c.rate / c.limit >= 0.9,
    }));
    return { title: "Jumio pacing against Jumio's rate limits", details, rows };
  } finally {
    await server.close();
  }
}

if (isMain(import.meta.url)) {
  const result = await benchJumioPacing();
  console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
}
