/**
 * Failures the emulator injects: statuses (429 with Jumio's own body),
 * connection resets, delays, and answers that are broken in one way or another.
 *
 * @module
 */
import type { EmulatorFault, FaultScope } from 'idv-providers/testing';
import { HttpResponse } from 'msw';

interface PendingFault {
  fault: EmulatorFault;
  remaining: number;
  method?: string | undefined;
  path?: RegExp | undefined;
}

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Jumio's problem body (`{"title", "status", "detail"}`). */
export function problem(status: number, detail: string, headers: Record<string, string> = {}) {
  return HttpResponse.json(
    { title: STATUS_TITLES[status] ?? 'Error', status, detail },
    { status, headers },
  );
}

/** The queue of injected faults. */
export class FaultQueue {
  #pending: PendingFault[] = [];

  add(fault: EmulatorFault, scope: FaultScope = {}): void {
    this.#pending.push({
      fault,
      remaining: scope.times ?? 1,
      ...(scope.method === undefined ? {} : { method: scope.method.toUpperCase() }),
      ...(scope.path === undefined ? {} : { path: scope.path }),
    });
  }

  /** Takes the first fault matching the request, if any. */
  take(method: string, path: string): EmulatorFault | undefined {
    const match = this.#pending.find(
      (p) =>
        p.remaining > 0 &&
        (p.method === undefined || p.method === method) &&
        (p.path === undefined || p.path.test(path)),
    );
    if (match === undefined) return undefined;
    match.remaining--;
    this.#pending = this.#pending.filter((p) => p.remaining > 0);
    return match.fault;
  }

  clear(): void {
    this.#pending = [];
  }
}

/** The answer a fault gives before the request is handled, if it replaces the answer outright. */
export function faultAnswer(fault: EmulatorFault): Response | undefined {
  switch (fault.kind) {
    case 'reset':
      return HttpResponse.error();
    case 'status': {
      const headers: Record<string, string> =
        fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter };
      const detail =
        fault.status === 429
          ? 'Rate limit exceeded, please retry later'
          : 'The emulator was told to fail this request';
      return problem(fault.status, detail, headers);
    }
    default:
      return undefined;
  }
}

/** Spoils an answer after it was built (broken JSON, wrong type, wrong shape, cut-off body). */
export async function spoil(fault: EmulatorFault, response: Response): Promise<Response> {
  switch (fault.kind) {
    case 'malformed-json': {
      const text = await response.text();
      return new HttpResponse(`${text.slice(0, Math.floor(text.length / 2))}{"`, {
        status: response.status,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    case 'wrong-content-type':
      return new HttpResponse(
        '<html><body><h1>Service temporarily unavailable</h1></body></html>',
        {
          status: 200,
          headers: { 'Content-Type': 'text/html; charset=utf-8' },
        },
      );
    case 'unexpected-shape':
      return HttpResponse.json({ result: 'ok', items: [] }, { status: response.status });
    case 'truncated-body': {
      const bytes = new Uint8Array(await response.arrayBuffer());
      const half = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
      // The connection closes after half the announced Content-Length, as a dropped socket does.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          controller.close();
        },
      });
      return new HttpResponse(stream, {
        status: response.status,
        headers: {
          'Content-Type': response.headers.get('Content-Type') ?? 'application/octet-stream',
          'Content-Length': String(bytes.length),
        },
      });
    }
    default:
      return response;
  }
}
