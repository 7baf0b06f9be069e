/**
 * Jumio OAuth2 token requests for 1,000 concurrent starts.
 *
 * The Jumio emulator is served over real HTTP on 127.0.0.1 (`serveEmulators`)
 * and counts the requests that reach its token endpoint (`tokenRequests()`).
 * - ours: one `jumio({...})` provider; 1,000 `startVerification` calls at
 *   once. Its token source fetches one token however many calls wait for it.
 * - baseline: a provider per start (1,000 `jumio({...})` instances, one start
 *   each), which is what a host without a shared token cache does: every start
 *   pays for its own token.
 * Every round uses a fresh emulator (no token issued yet) and checks that all
 * 1,000 starts returned distinct sessions. Reported: medians over ROUNDS
 * rounds of the token requests and of the time until all starts answered.
 *
 * What is measured is the token cache, not Jumio's rate limits: the emulator
 * runs with its limits off (1,000 providers of one tenant would be refused
 * above 10 token requests a second), and the providers' clock is a manual
 * test clock, so the adapter's pacing (account requests a second apart, as
 * Jumio allows) takes no real time. `bench/jumio-pacing.ts` measures the
 * pacing against the limits.
 *
 * Run: `npx tsx bench/jumio-tokens.ts` (JUMIO_ROUNDS=n, default 3).
 */
import type { IdentityVerificationProvider, VerificationSession } from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import {
  createJumioEmulator,
  createTestClock,
  type JumioEmulator,
  serveEmulators,
} from 'idv-providers/testing';
import { isMain } from './lib/child';
import { ms, num, table, times } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';
import { median, range } from './lib/stats';

const STARTS = 1000;
const ROUNDS = Math.max(1, Math.min(9, Number(process.env['JUMIO_ROUNDS'] ?? 3)));

type Mode = 'shared' | 'per-start';

const LABELS: Readonly<Record<Mode, string>> = {
  shared: 'ours: one jumio() provider',
  'per-start': 'baseline: a jumio() provider per start',
};

interface Round {
  tokenRequests: number;
  wallMs: number;
}

/** Runs the Jumio token bench. */
export async function benchJumioTokens(): Promise<BenchResult> {
  /**
   * One round on its own server (a new port), so that no keep-alive socket
   * from an earlier round is reused as the server times it out.
   */
  async function round(mode: Mode, r: number): Promise<Round> {
    let emulator: JumioEmulator | undefined;
    const server = await serveEmulators({ handlers: () => emulator?.handlers ?? [] });
    try {
      const hosts = {
        auth: `${server.url}/auth`,
        account: `${server.url}/account`,
        retrieval: `${server.url}/retrieval`,
      };
      const callbackUrl = 'https://idv-host.example/callbacks/jumio';
      const e = createJumioEmulator({ baseUrls: hosts, callbackUrl, rateLimits: false });
      emulator = e;
      const clock = createTestClock();
      const provider = (): IdentityVerificationProvider =>
        jumio({
          clientId: e.clientId,
          clientSecret: e.clientSecret,
          authBaseUrl: hosts.auth,
          accountBaseUrl: hosts.account,
          retrievalBaseUrl: hosts.retrieval,
          callbackUrl,
          clock,
        });
      const shared = provider();
      const began = performance.now();
      const sessions: VerificationSession[] = await Promise.all(
        Array.from({ length: STARTS }, (_, i) =>
          (mode === 'shared' ? shared : provider()).startVerification({
            identityReference: `bench-${mode}-${r}-${i}`,
          }),
        ),
      );
      const wallMs = performance.now() - began;
      const attempts = new Set(sessions.map((s) => s.session.attemptId));
      if (attempts.size !== STARTS) {
        throw new Error(`${mode}: expected ${STARTS} distinct sessions, got ${attempts.size}`);
      }
      return { tokenRequests: e.tokenRequests(), wallMs };
    } finally {
      await server.close();
    }
  }

  const modes: readonly Mode[] = ['shared', 'per-start'];
  const rounds = new Map<Mode, Round[]>(modes.map((m) => [m, []]));
  await round('shared', -1);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(r + k) % modes.length]!;
      rounds.get(mode)!.push(await round(mode, r));
    }
  }
  const stats = modes.map((mode) => {
    const list = rounds.get(mode)!;
    return {
      mode,
      tokens: median(list.map((x) => x.tokenRequests)),
      tokenRange: range(list.map((x) => x.tokenRequests)),
      wallMs: median(list.map((x) => x.wallMs)),
      wallRange: range(list.map((x) => x.wallMs)),
    };
  });
  const [ours, base] = stats as [(typeof stats)[0], (typeof stats)[0]];
  const details = [
    `${num(STARTS)} concurrent startVerification calls over HTTP on 127.0.0.1 against the ` +
      `Jumio emulator (fresh each round); ${ROUNDS} rounds per contender; node ${process.version}`,
    table(
      [
        'contender',
        'token requests (median)',
        'range',
        'all answered (median)',
        'range',
        'time vs ours',
      ],
      stats.map((s) => [
        LABELS[s.mode],
        num(s.tokens),
        `${num(s.tokenRange.min)}-${num(s.tokenRange.max)}`,
        ms(s.wallMs),
        `${num(s.wallRange.min)}-${num(s.wallRange.max)}`,
        times(s.wallMs, ours.wallMs),
      ]),
      new Set([1, 2, 3, 4, 5]),
    ),
  ].join('\n');
  const bench = `jumio ${num(STARTS)} concurrent starts`;
  const rows: SummaryRow[] = [
    {
      bench,
      metric: 'token requests (lower better)',
      subject: 'one jumio() provider',
      ours: ours.tokens,
      oursText: num(ours.tokens),
      baseline: 'a jumio() provider per start',
      baselineValue: base.tokens,
      baselineText: num(base.tokens),
      target: '= 1',
      met: ours.tokenRange.max === 1,
    },
    {
      bench,
      metric: 'time to all answered (lower better)',
      subject: 'one jumio() provider',
      ours: ours.wallMs,
      oursText: ms(ours.wallMs),
      baseline: 'a jumio() provider per start',
      baselineValue: base.wallMs,
      baselineText: ms(base.wallMs),
    },
  ];
  return { title: `Jumio token requests for ${num(STARTS)} concurrent starts`, details, rows };
}

if (isMain(import.meta.url)) {
  const result = await benchJumioTokens();
  console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
}
