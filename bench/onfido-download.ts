/**
 * Peak memory of a large Onfido document download (50 MiB unless told
 * otherwise), streamed through the adapter, against the same download
 * buffered whole.
 *
 * Contenders, each in its own fresh child process (so that one cannot warm
 * or fill the other's heap), measuring only the client:
 * - ours: `onfido().downloadDocument`, its stream consumed chunk by chunk and
 *   hashed, as a host writing the file to storage would.
 * - floor: a bare `node:http` GET of the same URL, consumed the same way: what
 *   any streaming consumer costs in Node. Chunks read from the socket are
 *   garbage once hashed, but V8 frees their memory only at its next
 *   collection, which it schedules by its own heuristics; the floor shows how
 *   much of the peak that accounts for.
 * - buffered: the same adapter download, every chunk kept and then
 *   concatenated (what a host gets by collecting the stream).
 * - official: `@onfido/api` `downloadDocument` (with `responseType:
 *   'arraybuffer'`, which its `FileTransfer` needs for binary files), which
 *   hands back the whole file in one `Buffer`.
 * - ours again with a file four times larger: a stream's peak should not
 *   follow the size.
 *
 * The API host is a node:http server in the parent process on 127.0.0.1,
 * serving random bytes with real socket backpressure; it hashes what it
 * sends, and every child's SHA-256 must match. (The MSW emulator is not used
 * here: its mock socket reads a mocked body without backpressure, so the body
 * queues in the test process whatever the consumer does, and the figure would
 * measure the harness, not the adapter.)
 *
 * Each child first downloads 1 MiB the same way (warm-up), collects garbage,
 * then samples `process.memoryUsage()` every millisecond (and after every
 * chunk) during the large download. Reported: the peak growth of RSS, heap and
 * external memory over the moment the download started; medians over REPS
 * runs per contender, the contenders taking turns.
 *
 * Run: `npx tsx bench/onfido-download.ts [sizeMiB]` (DOWNLOAD_REPS=n, default 5).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Configuration, DefaultApi, type FileTransfer } from '@onfido/api';
import type { DocumentInfo } from 'idv-providers';
import { onfido } from 'idv-providers/onfido';
import { argValue, isMain, jsonResult, runChild, tsxArgs } from './lib/child';
import { MIB, mib, ms, num, table, times } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';
import { median, range } from './lib/stats';

const REPS = Math.max(1, Math.min(15, Number(process.env['DOWNLOAD_REPS'] ?? 5)));
/**
 * The target: at the floor, within the spread of repeated runs (at most 1.10x
 * a bare `node:http` stream's peak). An earlier brief asked for under 32 MB
 * (decimal); the floor itself is about that on a 2-CPU machine, so that
 * figure is printed beside the floor's rather than judged alone.
 */
const TARGET_VS_FLOOR = 1.1;
const EARLIER_TARGET_BYTES = 32_000_000;
const API_TOKEN = 'bench-api-token';

type Mode = 'stream' | 'floor' | 'buffer' | 'official';

const LABELS: Readonly<Record<Mode, string>> = {
  stream: 'ours: onfido().downloadDocument, streamed',
  floor: 'floor: bare node:http GET, streamed',
  buffer: 'buffered whole: the same download collected',
  official: '@onfido/api downloadDocument (whole Buffer)',
};

interface Measurement {
  mode: Mode;
  bytes: number;
  ms: number;
  sha256: string;
  peakRss: number;
  peakHeap: number;
  peakExternal: number;
}

// ---- the child: one measured download -------------------------------------

function sampler() {
  const base = process.memoryUsage();
  const peak = { rss: 0, heap: 0, external: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss - base.rss);
    peak.heap = Math.max(peak.heap, now.heapUsed - base.heapUsed);
    peak.external = Math.max(peak.external, now.external - base.external);
  };
  const timer = setInterval(sample, 1);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** Downloads document `id` the way `mode` says; returns the byte count and SHA-256. */
type Download = (id: string, sample: () => void) => Promise<{ bytes: number; sha256: string }>;

/** Hashes a stream chunk by chunk, keeping none. */
async function hashStream(body: AsyncIterable<unknown>) {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

function downloader(mode: Mode, baseUrl: string, maxBytes: number): Download {
  if (mode === 'floor') {
    return (id) =>
      new Promise((resolve, reject) => {
        get(
          `${baseUrl}/documents/${id}/download`,
          { headers: { Authorization: `Token token=${API_TOKEN}` } },
          (response) => {
            if (response.statusCode !== 200) reject(new Error(`HTTP ${response.statusCode}`));
            else hashStream(response).then(resolve, reject);
          },
        ).on('error', reject);
      });
  }
  if (mode === 'official') {
    const api = new DefaultApi(new Configuration({ apiToken: API_TOKEN, basePath: baseUrl }));
    return async (id, sample) => {
      const answer = await api.downloadDocument(id, { responseType: 'arraybuffer' });
      const file = answer.data as FileTransfer;
      sample();
      return {
        bytes: file.buffer.length,
        sha256: createHash('sha256').update(file.buffer).digest('hex'),
      };
    };
  }
  const idv = onfido({
    apiToken: API_TOKEN,
    baseUrl,
    verificationSiteUrl: 'https://verify.example.com/',
    maxDownloadBytes: maxBytes,
  });
  return async (id, sample) => {
    const doc: DocumentInfo = {
      id,
      kind: 'document',
      downloadUrl: `${baseUrl}/documents/${id}/download`,
    };
    const { body } = await idv.downloadDocument(doc);
    if (mode === 'stream') return hashStream(body);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const whole = Buffer.concat(chunks);
    sample();
    return { bytes: whole.length, sha256: createHash('sha256').update(whole).digest('hex') };
  };
}

async function child(mode: Mode, baseUrl: string, size: number, id: string): Promise<void> {
  const download = downloader(mode, baseUrl, size + MIB);
  await download(`warm-${id}`, () => {});
  (globalThis as { gc?: () => void }).gc?.();
  const memory = sampler();
  const began = performance.now();
  const { bytes, sha256 } = await download(id, memory.sample);
  const elapsed = performance.now() - began;
  const peak = memory.stop();
  const result: Measurement = {
    mode,
    bytes,
    ms: elapsed,
    sha256,
    peakRss: peak.rss,
    peakHeap: peak.heap,
    peakExternal: peak.external,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---- the parent: the API host and the runs --------------------------------

/**
 * The API host: `/documents/{id}/download` answers random bytes to a request
 * carrying the token: `n` of them for an id `large-<n>-...`, 1 MiB otherwise.
 */
async function apiHost() {
  const served = new Map<string, string>();
  const server = createServer((request, response) => {
    if (request.headers.authorization !== `Token token=${API_TOKEN}`) {
      response.writeHead(401).end();
      return;
    }
    const id = /\/documents\/([^/]+)\/download$/.exec(request.url ?? '')?.[1] ?? '';
    const length = Number(/^large-(\d+)-/.exec(id)?.[1] ?? MIB);
    response.writeHead(200, {
      'Content-Type': 'application/pdf',
      'Content-Length': String(length),
    });
    const hash = createHash('sha256');
    let sent = 0;
    new Readable({
      read() {
        if (sent >= length) {
          served.set(id, hash.digest('hex'));
          this.push(null);
          return;
        }
        const piece = randomBytes(Math.min(64 * 1024, length - sent));
        hash.update(piece);
        sent += piece.length;
        this.push(piece);
      },
    }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v3.6`,
    served: (id: string) => served.get(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A contender of the table: a mode at a size. */
interface Contender {
  label: string;
  mode: Mode;
  size: number;
}

/** Runs the download memory bench for a document of `sizeMiB`. */
export async function benchOnfidoDownload(sizeMiB = 50): Promise<BenchResult> {
  const size = sizeMiB * MIB;
  const host = await apiHost();
  const script = fileURLToPath(import.meta.url);
  const contenders: Contender[] = (['stream', 'floor', 'buffer', 'official'] as const).map(
    (mode) => ({ label: LABELS[mode], mode, size }),
  );
  // The same streamed download of a file four times larger: the growth should not follow.
  contenders.push({
    label: `${LABELS.stream}, ${sizeMiB * 4} MiB`,
    mode: 'stream',
    size: size * 4,
  });
  const runs = new Map<Contender, Measurement[]>(contenders.map((c) => [c, []]));
  try {
    for (let r = 0; r < REPS; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(r + k) % contenders.length]!;
        const id = `large-${c.size}-${c.mode}-${r}`;
        const run = await runChild(
          tsxArgs(
            script,
            [`--child=${c.mode}`, `--base-url=${host.baseUrl}`, `--size=${c.size}`, `--id=${id}`],
            ['--expose-gc'],
          ),
          { timeoutMs: 120_000 },
        );
        const m = jsonResult<Measurement>(run, `the ${c.label} download`);
        if (m.bytes !== c.size || m.sha256 !== host.served(id)) {
          throw new Error(`the ${c.label} download did not receive the bytes served`);
        }
        runs.get(c)!.push(m);
      }
    }
  } finally {
    await host.close();
  }
  const stats = contenders.map((c) => {
    const list = runs.get(c)!;
    return {
      c,
      rss: median(list.map((m) => m.peakRss)),
      rssRange: range(list.map((m) => m.peakRss)),
      heap: median(list.map((m) => m.peakHeap)),
      external: median(list.map((m) => m.peakExternal)),
      ms: median(list.map((m) => m.ms)),
    };
  });
  const [ours, floor, buffered, official] = stats as [
    (typeof stats)[0],
    (typeof stats)[0],
    (typeof stats)[0],
    (typeof stats)[0],
  ];
  const details = [
    `${sizeMiB} MiB document (and ${sizeMiB * 4} MiB streamed) over HTTP on 127.0.0.1, ` +
      `SHA-256 checked; ${REPS} runs per ` +
      `contender in fresh processes, taking turns; medians; node ${process.version}`,
    table(
      [
        'contender',
        'peak RSS growth',
        'range',
        'peak heap',
        'peak external',
        'time',
        'RSS vs ours',
      ],
      stats.map((s) => [
        s.c.label,
        mib(s.rss),
        `${num(s.rssRange.min / MIB, 1)}-${num(s.rssRange.max / MIB, 1)}`,
        mib(s.heap),
        mib(s.external),
        ms(s.ms),
        times(s.rss, ours.rss),
      ]),
      new Set([1, 2, 3, 4, 5, 6]),
    ),
    `target: streamed peak RSS growth at most ${TARGET_VS_FLOOR.toFixed(2)}x the floor's; ` +
      `under 32 MB (${num(EARLIER_TARGET_BYTES / MIB, 1)} MiB, an earlier brief's figure): ` +
      `ours ${ours.rss < EARLIER_TARGET_BYTES ? 'yes' : 'no'}, the floor ${floor.rss < EARLIER_TARGET_BYTES ? 'yes' : 'no'}`,
  ].join('\n');
  const common = {
    bench: `download ${sizeMiB} MiB document`,
    metric: 'peak RSS growth (lower better)',
    subject: 'onfido().downloadDocument streamed',
    ours: ours.rss,
    oursText: mib(ours.rss),
  };
  const rows: SummaryRow[] = [
    {
      ...common,
      baseline: 'same download buffered whole',
      baselineValue: buffered.rss,
      baselineText: mib(buffered.rss),
    },
    {
      ...common,
      baseline: '@onfido/api downloadDocument',
      baselineValue: official.rss,
      baselineText: mib(official.rss),
    },
    {
      ...common,
      baseline: 'floor: bare node:http GET streamed',
      baselineValue: floor.rss,
      baselineText: mib(floor.rss),
      target: `<= ${TARGET_VS_FLOOR.toFixed(2)}x`,
      met: ours.rss <= floor.rss * TARGET_VS_FLOOR,
    },
  ];
  return { title: `peak memory of a ${sizeMiB} MiB Onfido document download`, details, rows };
}

if (isMain(import.meta.url)) {
  const mode = argValue('child') as Mode | undefined;
  if (mode !== undefined) {
    await child(mode, argValue('base-url')!, Number(argValue('size')), argValue('id')!);
  } else {
    const sizeMiB = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 50);
    const result = await benchOnfidoDownload(sizeMiB);
    console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
  }
}
