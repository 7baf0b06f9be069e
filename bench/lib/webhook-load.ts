/**
 * Signed Onfido `check.completed` deliveries and the load generator that
 * fires them over HTTP at the intake benches' servers on 127.0.0.1: one
 * worker thread, every request at once, one connection each.
 *
 * @module
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { signOnfidoWebhook } from 'idv-providers/onfido';

/** The webhook token the intake benches' servers verify with. */
export const BENCH_WEBHOOK_TOKEN = 'bench-webhook-secret-0123456789abcdef';

/** One delivery: its body and headers, signed as Onfido signs them. */
export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** `count` distinct signed `check.completed` deliveries, their check ids starting with `prefix`. */
export function onfidoDeliveries(prefix: string, count: number): Delivery[] {
  return Array.from({ length: count }, (_, i) => {
    const body = JSON.stringify({
      payload: {
        resource_type: 'check',
        action: 'check.completed',
        object: {
          id: `${prefix}-${i}`,
          status: 'complete',
          completed_at_iso8601: '2026-01-01T00:00:00Z',
          href: `https://api.eu.onfido.com/v3.6/checks/${prefix}-${i}`,
        },
      },
    });
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'x-sha2-signature': signOnfidoWebhook(body, BENCH_WEBHOOK_TOKEN),
      },
    };
  });
}

/** The load generator, plain JavaScript for a worker thread: delivery i goes to ports[i % n]. */
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { ports, deliveries } = workerData;
const latencies = new Array(deliveries.length);
const statuses = {};
let done = 0;
const started = performance.now();
const finish = () => {
  if (++done === deliveries.length) {
    parentPort.postMessage({ latencies, statuses, wallMs: performance.now() - started });
  }
};
deliveries.forEach((d, i) => {
  const t0 = performance.now();
  const req = http.request({ host: '127.0.0.1', port: ports[i % ports.length],
    path: '/webhooks/onfido', method: 'POST', headers: d.headers, agent: false }, (res) => {
    res.resume();
    res.on('end', () => {
      latencies[i] = performance.now() - t0;
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      finish();
    });
  });
  req.on('error', (e) => {
    latencies[i] = performance.now() - t0;
    statuses[e.code || 'error'] = (statuses[e.code || 'error'] || 0) + 1;
    finish();
  });
  req.end(d.body);
});
`;

/** What one load round saw: each request's answer time, the answers by status, the round's wall time. */
export interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  wallMs: number;
}

/** Sends `batch` all at once, spread round-robin over `ports`, and waits for every answer. */
export async function fireWebhooks(
  ports: readonly number[],
  batch: Delivery[],
): Promise<LoadResult> {
  const worker = new Worker(LOAD, { eval: true, workerData: { ports, deliveries: batch } });
  const [result] = (await once(worker, 'message')) as [LoadResult];
  await worker.terminate();
  return result;
}
