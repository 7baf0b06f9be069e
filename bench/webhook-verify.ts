/**
 * Webhook verification throughput: Onfido `check.completed` deliveries
 * verified and parsed per second, measured side by side in one process.
 *
 * - ours: `verifyWebhook` of `onfido({ ..., webhookToken })`: header checks
 *   (present, a string, hex, 32 bytes), the size cap, HMAC-SHA256 over the raw
 *   body (keyed with a `KeyObject` made once per provider), constant-time
 *   compare, `JSON.parse`, the check of the event's shape (the same rules as
 *   its zod schema), reduction to a typed `WebhookEvent` (session ids, dedupe
 *   key, actionable, the variant's ids); a promise, as the interface answers.
 * - official: `new WebhookEventVerifier(token).readPayload(body, signature)`
 *   from `@onfido/api`: HMAC, `timingSafeEqual`, `JSON.parse`; no validation.
 * - floor: the same three steps written inline (`createHmac`,
 *   `timingSafeEqual`, `JSON.parse`): the least any verifier can do.
 *
 * Bodies are raw `Buffer`s, as a host's raw-body middleware hands them over,
 * in the shape Onfido sends, each with its own check id and time, signed with
 * `signOnfidoWebhook`. Every contender is first checked to accept them all and
 * to refuse a tampered one. Then, after a warm-up of WARM_UP deliveries each,
 * ROUNDS rounds: in each, every contender verifies BATCH deliveries in a row
 * (the order of contenders turns round by round), each answer awaited; the
 * rate is BATCH over the elapsed time.
 * Reported: the median rate over rounds and its range, and the ratios paired by
 * round: each round's ours / official (and ours / floor), both measured within
 * the same ~100 ms, and their median over rounds. A shared machine's speed
 * drifts by more than the contenders differ; short rounds taken in pairs cancel
 * most of that drift, where a ratio of two medians would keep it.
 *
 * Run: `npx tsx bench/webhook-verify.ts` (WEBHOOK_ROUNDS=n, WEBHOOK_BATCH=n).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { type WebhookEvent, WebhookEventVerifier } from '@onfido/api';
import { type OnfidoWebhookEvent, onfido, signOnfidoWebhook } from 'idv-providers/onfido';
import { isMain } from './lib/child';
import { num, table, times } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';
import { median, percentile, range } from './lib/stats';

const ROUNDS = Math.max(3, Math.min(401, Number(process.env['WEBHOOK_ROUNDS'] ?? 101)));
const BATCH = Math.max(1000, Math.min(1_000_000, Number(process.env['WEBHOOK_BATCH'] ?? 5000)));
const DISTINCT = 512;
/**
 * Deliveries each contender verifies before the rounds, whatever the batch:
 * enough for V8 to have optimised every contender's path (a longer path takes
 * more calls to get there).
 */
const WARM_UP = 20_000;
const TOKEN = 'bench-onfido-webhook-token-7c2e91d4a0b3';

interface Delivery {
  id: string;
  body: Buffer;
  signature: string;
  headers: Record<string, string>;
}

/** A `check.completed` delivery as Onfido sends it. */
function delivery(i: number): Delivery {
  const id = randomUUID();
  const completed = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().replace('.000', '');
  const body = Buffer.from(
    JSON.stringify({
      payload: {
        resource_type: 'check',
        action: 'check.completed',
        object: {
          id,
          status: 'complete',
          completed_at_iso8601: completed,
          href: `https://api.eu.onfido.com/v3.6/checks/${id}`,
        },
      },
    }),
  );
  const signature = signOnfidoWebhook(body, TOKEN);
  return {
    id,
    body,
    signature,
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'Onfido/1.0',
      'x-sha2-signature': signature,
    },
  };
}

/**
 * A contender: verifies one delivery, answering what its API answers (the
 * event, or a promise of it), and reads the check id from that answer. The id
 * is read outside `verify` so that no contender pays for a wrapper of the
 * bench's own (an `async` wrapper round an `async` API would add a promise and
 * a turn of the microtask queue that a host does not pay).
 */
interface Contender {
  label: string;
  verify(d: Delivery): unknown;
  idOf(answer: unknown): string;
}

function contenders(): Contender[] {
  const ours = onfido({
    apiToken: 'bench-api-token',
    verificationSiteUrl: 'https://verify.example.com/',
    webhookToken: TOKEN,
  });
  const official = new WebhookEventVerifier(TOKEN);
  return [
    {
      label: 'ours: onfido().verifyWebhook',
      verify: (d) => ours.verifyWebhook({ body: d.body, headers: d.headers }),
      idOf: (event) => (event as OnfidoWebhookEvent).session.attemptId ?? '',
    },
    {
      label: '@onfido/api WebhookEventVerifier',
      verify: (d) => official.readPayload(d.body, d.signature),
      idOf: (event) => (event as WebhookEvent).payload?.object?.id ?? '',
    },
    {
      label: 'floor: createHmac+timingSafeEqual+JSON.parse',
      verify(d) {
        const given = Buffer.from(d.signature, 'hex');
        const expected = createHmac('sha256', TOKEN).update(d.body).digest();
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new Error('bad signature');
        }
        return JSON.parse(d.body.toString('utf8'));
      },
      idOf: (event) => (event as { payload: { object: { id: string } } }).payload.object.id,
    },
  ];
}

/** Every contender accepts every delivery (returning its id) and refuses a tampered one. */
async function check(all: readonly Contender[], deliveries: readonly Delivery[]): Promise<void> {
  const first = deliveries[0]!;
  const tampered: Delivery = {
    ...first,
    body: Buffer.from(first.body.toString().replace('complete', 'c0mplete')),
  };
  for (const c of all) {
    for (const d of deliveries) {
      if (c.idOf(await c.verify(d)) !== d.id) {
        throw new Error(`${c.label} did not return the check id`);
      }
    }
    let refused = false;
    try {
      await c.verify(tampered);
    } catch {
      refused = true;
    }
    if (!refused) throw new Error(`${c.label} accepted a tampered body`);
  }
}

/** Verifies `count` deliveries in a row; returns deliveries per second. */
async function batch(c: Contender, deliveries: readonly Delivery[], count: number) {
  let sink = 0;
  const began = performance.now();
  for (let i = 0; i < count; i++) {
    // Every answer is awaited, a promise or not: a host's handler is async either way.
    const id = c.idOf(await c.verify(deliveries[i % DISTINCT]!));
    sink += id.length;
  }
  const elapsed = performance.now() - began;
  if (sink !== count * 36) throw new Error(`${c.label} returned unexpected ids`);
  return count / (elapsed / 1000);
}

/** The ratios of a pairing, summed up. */
interface Paired {
  median: number;
  q1: number;
  q3: number;
  /** Rounds in which ours was at least as fast. */
  above: number;
}

function pairedLine(baseline: string, p: Paired): string {
  return (
    `paired by round, ours / ${baseline}: median ${times(p.median, 1)}, ` +
    `quartiles ${times(p.q1, 1)}-${times(p.q3, 1)}, ours at least as fast in ${p.above} of ${ROUNDS} rounds`
  );
}

/** Runs the webhook verification bench. */
export async function benchWebhookVerify(): Promise<BenchResult> {
  const deliveries = Array.from({ length: DISTINCT }, (_, i) => delivery(i));
  const all = contenders();
  await check(all, deliveries);
  for (const c of all) await batch(c, deliveries, WARM_UP);
  // rates.get(c)[r]: contender c's rate in round r.
  const rates = new Map<Contender, number[]>(all.map((c) => [c, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < all.length; k++) {
      const c = all[(r + k) % all.length]!;
      rates.get(c)![r] = await batch(c, deliveries, BATCH);
    }
  }
  /** Each round's ours / `baseline`, and their median and quartiles. */
  const paired = (baseline: Contender): Paired => {
    const ours = rates.get(all[0]!)!;
    const theirs = rates.get(baseline)!;
    const ratios = ours.map((rate, r) => rate / theirs[r]!);
    return {
      median: median(ratios),
      q1: percentile(ratios, 25),
      q3: percentile(ratios, 75),
      above: ratios.filter((ratio) => ratio >= 1).length,
    };
  };
  const vsOfficial = paired(all[1]!);
  const vsFloor = paired(all[2]!);
  const stats = all.map((c) => ({
    c,
    median: median(rates.get(c)!),
    range: range(rates.get(c)!),
  }));
  const [ours, official, floor] = stats as [
    (typeof stats)[0],
    (typeof stats)[0],
    (typeof stats)[0],
  ];
  const bytes = median(deliveries.map((d) => d.body.length));
  const details = [
    `check.completed bodies of ${bytes} bytes (Buffer), ${DISTINCT} distinct; ` +
      `${ROUNDS} rounds of ${num(BATCH)} per contender, taking turns; node ${process.version}`,
    table(
      ['contender', 'verifications/s (median)', 'range', 'µs each', 'vs official', 'vs floor'],
      stats.map((s) => [
        s.c.label,
        num(s.median),
        `${num(s.range.min)}-${num(s.range.max)}`,
        num(1e6 / s.median, 2),
        times(s.median, official.median),
        times(s.median, floor.median),
      ]),
      new Set([1, 2, 3, 4, 5]),
    ),
    pairedLine('official', vsOfficial),
    pairedLine('floor', vsFloor),
  ].join('\n');
  const common = {
    bench: 'webhook verify+parse+validate',
    metric: 'verifications/s (higher better)',
    subject: 'onfido().verifyWebhook',
    ours: ours.median,
    oursText: num(ours.median),
  };
  const rows: SummaryRow[] = [
    {
      ...common,
      baseline: '@onfido/api WebhookEventVerifier',
      baselineValue: official.median,
      baselineText: num(official.median),
      ratio: vsOfficial.median,
      target: '>= 1.00x',
      met: vsOfficial.median >= 1,
    },
    {
      ...common,
      baseline: 'floor: createHmac+timingSafeEqual+JSON.parse',
      baselineValue: floor.median,
      baselineText: num(floor.median),
      ratio: vsFloor.median,
      target: '>= 0.50x',
      met: vsFloor.median >= 0.5,
    },
  ];
  return { title: 'webhook verification throughput (Onfido check.completed)', details, rows };
}

if (isMain(import.meta.url)) {
  const result = await benchWebhookVerify();
  console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
}
