/**
 * Mounts a {@link WebhookHandler} on node:http, Express, Connect or any
 * framework with node-style `(req, res)` handlers. The body is streamed from
 * the request into the same bounded reader the Web handler uses: a declared
 * `Content-Length` over the limit is refused before reading, and a chunked body
 * is given up at the limit (the connection is then closed rather than drained).
 *
 * Slow senders are bounded: a body must arrive within `bodyTimeoutMs` (10 s;
 * else 408 and the connection is closed), and at most `maxConcurrentBodies`
 * (64) requests are read at once (more are answered 503 at once and closed).
 * Node's own `server.headersTimeout` (60 s) and `server.requestTimeout` (300 s)
 * still govern the headers: lower them on the server (see the README).
 *
 * Mount it before any body parser. When a parser already ran, a raw body it left
 * as a `Buffer` or string in `req.body` (Express's `express.raw()` or
 * `express.text()`) is used; a body parsed into an object (`express.json()`
 * mounted with `app.use` before the route) cannot be verified and is answered
 * 500 with `raw_body_unavailable`, and `onError` receives a `ConfigError`
 * naming `express.json()`.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../errors';
import { type BodyReadResult, BoundedCollector } from './body';
import { compileTrustProxy, type TrustProxy } from './client-address';
import { BodyTimeoutError, type IntakeAnswer, type WebhookRoute } from './handler';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * Proxies in front of the server whose `X-Forwarded-For` is believed, e.g.
   * `['127.0.0.1']` for an NGINX on the same host or `['10.0.0.0/8']` for a
   * load balancer (see `TrustProxy`). The sender is the rightmost hop that is
   * not one of them, and only when the socket's peer is one of them. Replaces
   * the handler's `trustProxy`. Default: the handler's (none: the socket address).
   */
  trustProxy?: TrustProxy | undefined;
  /**
   * The address of the direct peer. Default `req.socket.remoteAddress`.
   * `X-Forwarded-For` is then read as `trustProxy` says.
   */
  remoteAddress?: ((req: IncomingMessage) => string | undefined) | undefined;
  /** How long a request body may take to arrive, milliseconds; then 408 and the connection is closed. Default 10 000. */
  bodyTimeoutMs?: number | undefined;
  /** Requests whose body is read at once; more are answered 503 at once (and closed). Default 64. */
  maxConcurrentBodies?: number | undefined;
  /** Told about a failure that was answered 500 (never throws into the request). */
  onError?: ((error: unknown) => void) | undefined;
}

/** A node-style request listener. `next` is accepted for Express compatibility and never called. */
export type NodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/**
 * Reads a node request body within `limit` bytes, pausing it once over; gives
 * up with a `BodyTimeoutError` when it has not ended after `timeoutMs`.
 */
export function readNodeBody(
  req: IncomingMessage,
  limit: number,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<BodyReadResult> {
  return new Promise((resolve, reject) => {
    const collector = new BoundedCollector(limit);
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          cleanup();
          req.pause();
          reject(new BodyTimeoutError(`the body did not arrive within ${timeoutMs} ms`));
        }, timeoutMs)
      : undefined;
    timer?.unref?.();
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (!collector.push(bytes)) {
        cleanup();
        req.pause();
        resolve({ ok: false, reason: 'too_large' });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, bytes: collector.bytes() });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the request closed before its body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function parsedBody(req: IncomingMessage): { present: boolean; raw: Uint8Array | undefined } {
  const body = (req as IncomingMessage & { body?: unknown }).body;
  if (body instanceof Uint8Array) return { present: true, raw: body };
  if (typeof body === 'string') return { present: true, raw: Buffer.from(body, 'utf8') };
  const consumed = req.readableEnded || (req as { _body?: unknown })._body === true;
  return { present: consumed, raw: undefined };
}

function write(res: ServerResponse, result: IntakeAnswer, close: boolean): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string> = { ...result.headers };
  if (close) headers['connection'] = 'close';
  res.writeHead(result.status, headers);
  res.end(JSON.stringify(result.body));
}

/**
 * Turns a {@link WebhookHandler} into a node-style `(req, res)` listener.
 *
 * @example
 * ```ts
 * const listener = toNodeListener(createWebhookHandler({ provider: idv, store, processor }));
 * http.createServer((req, res) => (req.url === '/webhooks/onfido' ? listener(req, res) : notFound(res)));
 * // Express: app.post('/webhooks/onfido', listener);
 * ```
 */
export function toNodeListener(
  handler: WebhookRoute,
  options: NodeListenerOptions = {},
): NodeListener {
  const addressOf = options.remoteAddress ?? ((req: IncomingMessage) => req.socket.remoteAddress);
  if (options.trustProxy !== undefined) compileTrustProxy(options.trustProxy);
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  const maxConcurrentBodies = options.maxConcurrentBodies ?? 64;
  for (const [name, value] of [
    ['bodyTimeoutMs', bodyTimeoutMs],
    ['maxConcurrentBodies', maxConcurrentBodies],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`[idv] [intake] option "${name}" must be a positive number`, {
        option: name,
      });
    }
  }
  let reading = 0;
  const fail = (res: ServerResponse, error: unknown, token: string) => {
    try {
      options.onError?.(error);
    } catch {
      // The observer's failure must not change the answer.
    }
    write(
      res,
      { status: 500, headers: { 'content-type': 'application/json' }, body: { error: token } },
      true,
    );
  };

  return (req, res) => {
    const body = parsedBody(req);
    let finished = body.present;
    if (!body.present && reading >= maxConcurrentBodies) {
      // Slow senders already hold every reading slot: refuse at once rather than queue.
      write(
        res,
        {
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '5' },
          body: { error: 'too_many_pending_bodies' },
        },
        true,
      );
      res.once('finish', () => req.socket?.destroy());
      return;
    }
    let timedOut = false;
    const run = async () => {
      if (body.present && body.raw === undefined) {
        fail(
          res,
          new ConfigError(
            '[idv] [intake] the request body was already parsed into an object by a body parser ' +
              '(express.json(), bodyParser.json() or express.urlencoded() ran before this route): ' +
              'the signature covers the raw bytes, so mount the webhook route before any body parser, ' +
              "or give it express.raw({ type: '*/*' })",
          ),
          'raw_body_unavailable',
        );
        return;
      }
      const result = await handler.receive({
        method: req.method ?? 'GET',
        headers: req.headers,
        remoteAddress: addressOf(req),
        ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
        url: req.url,
        readBody: async (limit) => {
          if (body.raw !== undefined) {
            const collector = new BoundedCollector(limit);
            return collector.push(body.raw)
              ? { ok: true, bytes: body.raw }
              : { ok: false, reason: 'too_large' };
          }
          reading += 1;
          try {
            const read = await readNodeBody(req, limit, bodyTimeoutMs);
            finished = read.ok;
            return read;
          } catch (error) {
            if (error instanceof BodyTimeoutError) timedOut = true;
            throw error;
          } finally {
            reading -= 1;
          }
        },
      });
      write(res, result, !finished);
      // A sender too slow to finish its body does not keep the connection either.
      if (timedOut || result.status === 408) res.once('finish', () => req.socket?.destroy());
    };
    run().catch((error: unknown) => fail(res, error, 'internal_error'));
  };
}
