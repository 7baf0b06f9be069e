/**
 * Injected failures: a queue of faults, each for a number of matching requests.
 *
 * Faults that replace the answer (a status, a reset connection, a delay) apply
 * before the request is handled. Faults that damage the answer (malformed JSON,
 * wrong content type, unexpected shape, truncated body) apply after it, so the
 * request still had its effect, as when a proxy garbles a real answer.
 *
 * @module
 */
import type { EmulatorFault, FaultScope } from 'idv-providers/testing';
import { delay, HttpResponse } from 'msw';
import { onfidoError } from './views';

interface QueuedFault {
  fault: EmulatorFault;
  remaining: number;
  method?: string | undefined;
  path?: RegExp | undefined;
}

/** The fault queue. */
export class FaultQueue {
  #queue: QueuedFault[] = [];

  add(fault: EmulatorFault, scope: FaultScope = {}): void {
    const times = scope.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new Error('fault times must be a positive integer');
    const queued: QueuedFault = { fault, remaining: times };
    if (scope.method !== undefined) queued.method = scope.method.toUpperCase();
    if (scope.path !== undefined) queued.path = scope.path;
    this.#queue.push(queued);
  }

  clear(): void {
    this.#queue = [];
  }

  /** Takes the first fault matching a request, counting it down. */
  take(method: string, pathname: string): EmulatorFault | undefined {
    const index = this.#queue.findIndex(
      (q) =>
        (q.method === undefined || q.method === method) &&
        (q.path === undefined || q.path.test(pathname)),
    );
    if (index === -1) return undefined;
    const queued = this.#queue[index] as QueuedFault;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.#queue.splice(index, 1);
    return queued.fault;
  }
}

function statusBody(status: number): { type: string; message: string } {
  if (status === 429) {
    return { type: 'rate_limit', message: 'Rate limit exceeded. Please try again later.' };
  }
  if (status >= 500) {
    return { type: 'internal_server_error', message: 'Something went wrong on our side' };
  }
  return { type: 'error', message: `Request failed with status ${status}` };
}

/**
 * Applies a fault that answers instead of the handler. Returns the answer, or
 * `undefined` to go on handling the request (after waiting, for a delay).
 */
export async function answerBefore(fault: EmulatorFault): Promise<Response | undefined> {
  switch (fault.kind) {
    case 'status': {
      const body = statusBody(fault.status);
      const headers: Record<string, string> =
        fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter };
      return onfidoError(fault.status, body.type, body.message, {}, headers);
    }
    case 'reset':
      return HttpResponse.error();
    case 'delay':
      await delay(fault.ms);
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Cuts an answer in half. A JSON body simply ends early; a binary body keeps
 * its full `Content-Length` and the connection closes after half of it, so the
 * client sees the transfer break off.
 */
async function truncate(answer: Response, headers: Record<string, string>): Promise<Response> {
  const type = headers['content-type'] ?? '';
  const total = Number.parseInt(headers['content-length'] ?? '', 10);
  const body = answer.body;
  if (body === null) return answer;
  if (/json/i.test(type) || !Number.isFinite(total)) {
    const bytes = new Uint8Array(await answer.arrayBuffer());
    return new HttpResponse(bytes.subarray(0, Math.floor(bytes.length / 2)), {
      status: answer.status,
      headers: { 'Content-Type': type },
    });
  }
  const limit = Math.floor(total / 2);
  const reader = body.getReader();
  let sent = 0;
  const half = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = sent < limit ? await reader.read() : { done: true as const, value: undefined };
      if (next.done) {
        await reader.cancel();
        controller.close();
        return;
      }
      const piece = next.value.subarray(0, limit - sent);
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
  return new HttpResponse(half, { status: answer.status, headers });
}

/** Applies a fault that damages the handler's answer. */
export async function damageAfter(fault: EmulatorFault, answer: Response): Promise<Response> {
  // A plain copy: MSW drops the headers of a response built from another one's Headers object.
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, key) => {
    headers[key] = value;
  });
  switch (fault.kind) {
    case 'malformed-json':
      return new HttpResponse('{"id": "3f1c", "status": ', {
        status: answer.status,
        headers: { 'Content-Type': 'application/json' },
      });
    case 'wrong-content-type':
      return new HttpResponse(
        '<html><body><h1>Service temporarily unavailable</h1></body></html>',
        {
          status: answer.status,
          headers: { 'Content-Type': 'text/html; charset=utf-8' },
        },
      );
    case 'unexpected-shape':
      return HttpResponse.json({ data: { object: 'unexpected' } }, { status: answer.status });
    case 'truncated-body':
      return truncate(answer, headers);
    default:
      return answer;
  }
}
