/**
 * Mounts a {@link WebhookHandler} on node:http, Express, Connect or any
 * framework with node-style `(req, res)` handlers. The body is streamed from
 * the request into the same bounded reader the Web handler uses: a declared
 * `Content-Length` over the limit is refused before reading, and a chunked body
 * is given up at the limit (the connection is then closed rather than drained).
 *
 * Mount it before any body parser. When a parser already ran, a raw body it left
 * as a `Buffer` or string in `req.body` (Express's `express.raw()` or
 * `express.text()`) is used; a body parsed into an object cannot be verified and
 * is answered 500 with `raw_body_unavailable`.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../errors';
import { type BodyReadResult, BoundedCollector } from './body';
import type { IntakeAnswer, WebhookHandler } from './handler';

/** Options of {@link toNodeListener}. */
export interface NodeListenerOptions {
  /**
   * The sender's address. Default `req.socket.remoteAddress`. Behind a proxy you
   * trust, return the address it reports (e.g. from `X-Forwarded-For`).
   */
  remoteAddress?: ((req: IncomingMessage) => string | undefined) | undefined;
  /** Told about a failure that was answered 500 (never throws into the request). */
  onError?: ((error: unknown) => void) | undefined;
}

/** A node-style request listener. `next` is accepted for Express compatibility and never called. */
export type NodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/** Reads a node request body within `limit` bytes, pausing it once over. */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<BodyReadResult> {
  return new Promise((resolve, reject) => {
    const collector = new BoundedCollector(limit);
    const cleanup = () => {
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
  handler: WebhookHandler,
  options: NodeListenerOptions = {},
): NodeListener {
  const addressOf = options.remoteAddress ?? ((req: IncomingMessage) => req.socket.remoteAddress);
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
    const run = async () => {
      if (body.present && body.raw === undefined) {
        fail(
          res,
          new ConfigError(
            '[idv] [intake] the request body was already parsed: mount the webhook route before ' +
              'any body parser, or use a raw body parser (express.raw())',
          ),
          'raw_body_unavailable',
        );
        return;
      }
      const result = await handler.receive({
        method: req.method ?? 'GET',
        headers: req.headers,
        remoteAddress: addressOf(req),
        readBody: async (limit) => {
          if (body.raw !== undefined) {
            const collector = new BoundedCollector(limit);
            return collector.push(body.raw)
              ? { ok: true, bytes: body.raw }
              : { ok: false, reason: 'too_large' };
          }
          const read = await readNodeBody(req, limit);
          finished = read.ok;
          return read;
        },
      });
      write(res, result, !finished);
    };
    run().catch((error: unknown) => fail(res, error, 'internal_error'));
  };
}
