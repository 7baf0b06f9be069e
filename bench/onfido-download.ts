/**
 * Memory of a large Onfido document download (50 MiB unless told otherwise):
 * streamed through the adapter (hashed chunk by chunk, as a host writing it to
 * storage would) against the baseline of buffering the same download whole
 * (all chunks kept, then concatenated). Each run is its own child process so
 * one cannot warm the other's heap; the numbers are peak growth over the
 * moment the download started, sampled every millisecond.
 *
 * Two sources:
 * - `local-http`: a node:http server on 127.0.0.1 standing in for the API
 *   host. A real socket applies backpressure, so this is what a host sees in
 *   production: streaming stays flat (about the same peak for 50 and 200 MiB),
 *   buffering grows with the size.
 * - `msw-emulator`: the same download from the MSW emulator. MSW's mock socket
 *   reads the mocked body as fast as it can without backpressure, so the body
 *   queues in memory whatever the consumer does; the figures measure the test
 *   harness, not the adapter, and are printed to show that.
 *
 * Run: npx tsx bench/onfido-download.ts [sizeMiB]
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createProvider, type DocumentInfo } from 'idv-providers';
import { createOnfidoEmulator } from 'idv-providers/testing';
import { setupServer } from 'msw/node';

type Mode = 'stream' | 'buffer';
type Source = 'local-http' | 'msw-emulator';

interface Measurement {
  source: Source;
  mode: Mode;
  bytes: number;
  ms: number;
  sha256Matches: boolean;
  peakRssGrowth: number;
  peakHeapGrowth: number;
  peakExternalGrowth: number;
}

const MIB = 1024 * 1024;

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

/** Consumes a download as the mode says; returns the byte count and SHA-256. */
async function consume(mode: Mode, body: AsyncIterable<unknown>, sample: () => void) {
  const hash = createHash('sha256');
  let bytes = 0;
  if (mode === 'stream') {
    for await (const chunk of body) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const whole = Buffer.concat(chunks);
    sample();
    hash.update(whole);
    bytes = whole.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * A local HTTP server standing in for the API host: serves random bytes for
 * `/documents/{id}/download` (`size` of them for the id `large`, 1 MiB
 * otherwise), with real socket backpressure, to a request carrying the token.
 */
async function localHost(size: number, token: string) {
  let servedHex = '';
  const server = createServer((request, response) => {
    if (request.headers.authorization !== `Token token=${token}`) {
      response.writeHead(401).end();
      return;
    }
    const length = request.url?.includes('/large/') ? size : MIB;
    response.writeHead(200, {
      'Content-Type': 'application/pdf',
      'Content-Length': String(length),
    });
    const served = createHash('sha256');
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= length) {
          servedHex = served.digest('hex');
          this.push(null);
          return;
        }
        const piece = randomBytes(Math.min(64 * 1024, length - sent));
        served.update(piece);
        sent += piece.length;
        this.push(piece);
      },
    });
    source.pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v3.6`,
    /** SHA-256 of the last body served. */
    servedSha256: () => servedHex,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function measureLocal(mode: Mode, size: number): Promise<Measurement> {
  const token = 'bench-api-token';
  const host = await localHost(size, token);
  try {
    const idv = await createProvider({
      provider: 'onfido',
      apiToken: token,
      baseUrl: host.baseUrl,
      verificationSiteUrl: 'https://verify.example.com/',
      maxDownloadBytes: size + MIB,
    });
    const doc = (id: string): DocumentInfo => ({
      id,
      kind: 'document',
      downloadUrl: `${host.baseUrl}/documents/${id}/download`,
    });
    // Warm up the whole path first.
    await consume('stream', (await idv.downloadDocument(doc('warm-up'))).body, () => {});
    (globalThis as { gc?: () => void }).gc?.();
    const memory = sampler();
    const began = performance.now();
    const download = await idv.downloadDocument(doc('large'));
    const { bytes, sha256 } = await consume(mode, download.body, memory.sample);
    const ms = performance.now() - began;
    const peak = memory.stop();
    return result('local-http', mode, bytes, ms, sha256 === host.servedSha256(), peak);
  } finally {
    await host.close();
  }
}

async function measureEmulator(mode: Mode, size: number): Promise<Measurement> {
  const emulator = createOnfidoEmulator();
  const server = setupServer(...emulator.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  try {
    const idv = await createProvider(emulator.config({ maxDownloadBytes: size + MIB }));
    const started = await idv.startVerification({
      identityReference: 'bench',
      person: { firstName: 'Ada', lastName: 'Lovelace' },
    });
    await emulator.completeCustomerJourney(started.session);
    const largeId = emulator.addLargeDocument(started.session.subjectId, size);
    const documents = await idv.listDocuments(started.session);
    const small = documents.find((d) => d.id !== largeId)!;
    await consume('stream', (await idv.downloadDocument(small)).body, () => {});
    const large = documents.find((d) => d.id === largeId)!;
    const expected = emulator.servedSha256(largeId);
    (globalThis as { gc?: () => void }).gc?.();
    const memory = sampler();
    const began = performance.now();
    const download = await idv.downloadDocument(large);
    const { bytes, sha256 } = await consume(mode, download.body, memory.sample);
    const ms = performance.now() - began;
    const peak = memory.stop();
    return result('msw-emulator', mode, bytes, ms, sha256 === expected, peak);
  } finally {
    server.close();
  }
}

function result(
  source: Source,
  mode: Mode,
  bytes: number,
  ms: number,
  sha256Matches: boolean,
  peak: { rss: number; heap: number; external: number },
): Measurement {
  return {
    source,
    mode,
    bytes,
    ms: Math.round(ms),
    sha256Matches,
    peakRssGrowth: peak.rss,
    peakHeapGrowth: peak.heap,
    peakExternalGrowth: peak.external,
  };
}

const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;

function runChild(source: Source, mode: Mode, sizeMiB: number): Measurement {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      '--expose-gc',
      script,
      `--source=${source}`,
      `--mode=${mode}`,
      String(sizeMiB),
    ],
    { encoding: 'utf8', maxBuffer: 1024 * 1024 },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    throw new Error(`the ${source} ${mode} run failed:\n${child.stderr}\n${child.stdout}`);
  }
  return JSON.parse(line) as Measurement;
}

const ratio = (a: number, b: number) => (a <= 0 ? 'n/a' : `${(b / a).toFixed(1)}x`);

async function main(): Promise<void> {
  const arg = (name: string) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizeMiB = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 50);
  const mode = arg('mode') as Mode | undefined;
  const source = arg('source') as Source | undefined;
  if (mode !== undefined && source !== undefined) {
    const run = source === 'local-http' ? measureLocal : measureEmulator;
    process.stdout.write(`${JSON.stringify(await run(mode, sizeMiB * MIB))}\n`);
    return;
  }
  console.log(`Onfido document download of ${sizeMiB} MiB, node ${process.version}`);
  console.log(
    'source        mode    time      peak RSS growth  peak heap growth  peak external (buffers)  sha256',
  );
  for (const src of ['local-http', 'msw-emulator'] as const) {
    const stream = runChild(src, 'stream', sizeMiB);
    const buffer = runChild(src, 'buffer', sizeMiB);
    for (const m of [stream, buffer]) {
      console.log(
        `${m.source.padEnd(13)} ${m.mode.padEnd(7)} ${`${m.ms} ms`.padEnd(9)} ${mib(m.peakRssGrowth).padEnd(16)} ${mib(m.peakHeapGrowth).padEnd(17)} ${mib(m.peakExternalGrowth).padEnd(24)} ${m.sha256Matches && m.bytes === sizeMiB * MIB ? 'ok' : 'MISMATCH'}`,
      );
    }
    console.log(
      `${src}: buffering / streaming = ${ratio(stream.peakRssGrowth, buffer.peakRssGrowth)} RSS, ${ratio(stream.peakExternalGrowth, buffer.peakExternalGrowth)} external`,
    );
  }
}

await main();
