/**
 * Injected failures, one implementation for every emulator: a queue of
 * faults, each for a number of matching requests, and what each kind does to
 * an answer. The provider-specific parts (the error body of an injected
 * status, a shape the provider never answers) come from the emulator.
 *
 * Faults that replace the answer (a status, a reset connection) answer before
 * the request is handled; a delay waits, then lets it be handled. Faults that
 * damage the answer (malformed JSON, wrong content type, unexpected shape,
 * truncated body) apply after it, so the request still had its effect, as when
 * a proxy garbles a real answer.
 *
 * A damaged answer keeps the handler's status, `wrong-content-type` included
 * (an HTML page where JSON was expected, with the status the API gave). The
 * built-in emulators once differed here (Jumio's forced 200); keeping the
 * status makes every damage fault test one thing, the body, while `status`
 * faults test statuses.
 *
 * @module
 */
import { delay, HttpResponse } from 'msw';
import type { EmulatorFault, FaultScope } from './contract';

/** What an emulator tells its {@link FaultQueue} about its provider. */
export interface FaultAnswers {
  /**
   * The provider's answer to an injected `status` fault: its own error body
   * (429 with its rate-limit body), with `headers` (a `Retry-After`, when the
   * fault has one).
   */
  status(status: number, headers: Record<string, string>): Response;
  /**
   * The JSON body of an `unexpected-shape` answer: valid JSON that is not what
   * the provider's API answers. Default `{"result": "ok", "items": []}`.
   */
  unexpectedShape?: unknown;
  /**
   * What `truncated-body` does to a JSON answer. `connection-drops` (default):
   * the connection closes after half the announced `Content-Length`, and the
   * client sees the transfer break off. `ends-early`: the body simply ends
   * after half, and the client reads malformed JSON. Any other answer (a
   * binary download) always drops its connection.
   */
  truncatedJson?: 'connection-drops' | 'ends-early' | undefined;
}

interface QueuedFault {
  fault: EmulatorFault;
  remaining: number;
  method?: string | undefined;
  path?: RegExp | undefined;
}

/** The headers of an answer as a plain object (MSW drops headers copied as a `Headers` object). */
function headersOf(answer: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return headers;
}

/** Half of `body`, announced as `total` bytes: the connection closes after half of them. */
function dropAfterHalf(
  body: ReadableStream<Uint8Array>,
  total: number,
  status: number,
  headers: Record<string, string>,
): Response {
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
  return new HttpResponse(half, {
    status,
    headers: { ...headers, 'content-length': String(total) },
  });
}

async function truncate(answer: Response, mode: FaultAnswers['truncatedJson']): Promise<Response> {
  const headers = headersOf(answer);
  const type = headers['content-type'] ?? '';
  const announced = Number.parseInt(headers['content-length'] ?? '', 10);
  if (answer.body === null) return answer;
  if (mode === 'ends-early' && (/json/i.test(type) || !Number.isFinite(announced))) {
    const bytes = new Uint8Array(await answer.arrayBuffer());
    return new HttpResponse(bytes.subarray(0, Math.floor(bytes.length / 2)), {
      status: answer.status,
      headers: { 'Content-Type': type },
    });
  }
  if (Number.isFinite(announced)) {
    return dropAfterHalf(answer.body, announced, answer.status, headers);
  }
  // No Content-Length to break: announce the whole body's length, then send half.
  const bytes = new Uint8Array(await answer.arrayBuffer());
  const whole = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return dropAfterHalf(whole, bytes.length, answer.status, headers);
}

/** Applies a fault that damages the handler's answer. */
async function damage(
  fault: EmulatorFault,
  answer: Response,
  answers: FaultAnswers,
): Promise<Response> {
  switch (fault.kind) {
    case 'malformed-json': {
      // The first half of the real answer, then the start of a key: never valid JSON.
      const text = await answer.text();
      return new HttpResponse(`${text.slice(0, Math.floor(text.length / 2))}{"`, {
        status: answer.status,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    case 'wrong-content-type':
      return new HttpResponse(
        '<html><body><h1>Service temporarily unavailable</h1></body></html>',
        { status: answer.status, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
      );
    case 'unexpected-shape':
      return HttpResponse.json(answers.unexpectedShape ?? { result: 'ok', items: [] }, {
        status: answer.status,
      });
    case 'truncated-body':
      return truncate(answer, answers.truncatedJson);
    default:
      return answer;
  }
}

/**
 * The faults an emulator was told to inject, oldest first. A request gets the
 * first fault whose scope matches it, which then counts down.
 *
 * @example
 * ```ts
 * const faults = new FaultQueue({ status: (status, headers) => myError(status, headers) });
 * // in the MSW handler:
 * return faults.answer(request.method, url.pathname, () => route(request));
 * ```
 */
export class FaultQueue {
  readonly #answers: FaultAnswers;
  #queue: QueuedFault[] = [];

  /** A queue answering injected statuses (and the other provider-specific parts) as `answers` says. */
  constructor(answers: FaultAnswers) {
    this.#answers = answers;
  }

  /**
   * Queues a fault for the next `scope.times` requests matching `scope`.
   *
   * @throws Error when `times` is not a positive integer.
   */
  add(fault: EmulatorFault, scope: FaultScope = {}): void {
    const times = scope.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error('fault times must be a positive integer');
    }
    this.#queue.push({
      fault,
      remaining: times,
      ...(scope.method === undefined ? {} : { method: scope.method.toUpperCase() }),
      ...(scope.path === undefined ? {} : { path: scope.path }),
    });
  }

  /** Forgets every queued fault. */
  clear(): void {
    this.#queue = [];
  }

  /** Takes the first fault matching a request, counting it down. */
  take(method: string, path: string): EmulatorFault | undefined {
    const wanted = method.toUpperCase();
    const index = this.#queue.findIndex(
      (q) =>
        (q.method === undefined || q.method === wanted) &&
        (q.path === undefined || q.path.test(path)),
    );
    if (index === -1) return undefined;
    const queued = this.#queue[index] as QueuedFault;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.#queue.splice(index, 1);
    return queued.fault;
  }

  /**
   * Answers one request through the queue: with the matching fault's answer,
   * or with what `handle` answers, waited for or damaged as the fault says.
   * `path` is what {@link FaultScope.path} is matched against.
   */
  async answer(
    method: string,
    path: string,
    handle: () => Response | Promise<Response>,
  ): Promise<Response> {
    const fault = this.take(method, path);
    if (fault === undefined) return handle();
    switch (fault.kind) {
      case 'status':
        return this.#answers.status(
          fault.status,
          fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter },
        );
      case 'reset':
        return HttpResponse.error();
      case 'delay':
        await delay(fault.ms);
        return handle();
      default:
        return damage(fault, await handle(), this.#answers);
    }
  }
}
