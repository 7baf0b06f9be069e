/**
 * `idv-providers/frameworks/express`: a webhook route for Express (tested
 * with 5; Express 4's body-parser 1.x is recognised too), and for Connect or
 * any framework with `(req, res, next)` middleware.
 *
 * Mount it **before** `express.json()` (or any body parser): it streams the
 * body itself through the intake's bounded reader (the size limit, the body
 * deadline and the limit on bodies read at once of `toNodeListener`). Behind a
 * raw parser it uses the bytes that parser left: `express.raw({ type: () => true })`
 * gives a `Buffer`, `express.text()` a string. A body already parsed into an
 * object (`express.json()`, `express.urlencoded()`) cannot be verified: the
 * signature is over the bytes as sent. The route then passes a `ConfigError`
 * naming the parser to `next(error)`, so Express's error handler logs it and
 * answers 500; the provider retries, and nothing is lost once the route is
 * mounted right.
 *
 * Nothing of Express is imported, not even its types: the route is a plain
 * `(req, res, next)` function that `app.post()` takes as it is.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { toExpressHandler } from 'idv-providers/frameworks/express';
 *
 * const app = express();
 * app.post('/webhooks/onfido', toExpressHandler(onfidoWebhook)); // before the JSON parser
 * app.use(express.json()); // the rest of your API
 * ```
 *
 * @packageDocumentation
 * @module idv-providers/frameworks/express
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ConfigError,
  type NodeListenerOptions,
  toNodeListener,
  type WebhookRoute,
} from 'idv-providers';

/** Options of {@link toExpressHandler}: those of `toNodeListener` (`trustProxy`, `remoteAddress`, `bodyTimeoutMs`, ...). */
export type ExpressHandlerOptions = NodeListenerOptions;

/**
 * An Express route handler: `(req, res, next)`. It takes Express's own
 * request and response (they extend node's `IncomingMessage` and
 * `ServerResponse`), so `app.post(path, route)` accepts it as it is.
 */
export type ExpressWebhookHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

/** What a body parser may have left on the request. */
interface ParsedRequest extends IncomingMessage {
  body?: unknown;
  /** body-parser 1.x (Express 4) sets it once it has read the body. */
  _body?: unknown;
}

/** The parser a content type points at, as the message names it. */
function parserOf(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) return 'express.json()';
  if (type === 'application/x-www-form-urlencoded') return 'express.urlencoded()';
  return 'a body parser';
}

/**
 * The error for a request whose raw body is gone, or `undefined` when the
 * route can still read it (from the stream, or the `Buffer` or string a raw
 * parser left in `req.body`).
 */
function expressParsedBodyError(req: IncomingMessage): ConfigError | undefined {
  const { body, _body: flag } = req as ParsedRequest;
  if (body instanceof Uint8Array || typeof body === 'string') return undefined;
  const consumed = flag === true || req.readableEnded;
  if (!consumed) return undefined;
  const parser =
    body === undefined
      ? 'another middleware read the request body'
      : `${parserOf(req.headers['content-type'])} ran before this route`;
  return new ConfigError(
    `[idv] [express] ${parser}, so the raw body the signature is over is gone: mount the ` +
      `webhook route before it, or give the route express.raw({ type: '*/*', limit: '1mb' })`,
  );
}

/**
 * Turns a webhook route ({@link WebhookRoute}: a `createWebhookHandler` route, or a tenant route) into an Express route handler. Statuses are
 * the intake's (200, 401, 403, 413, ...); a body a parser already turned into
 * an object goes to `next` as a `ConfigError` naming that parser (answered
 * 500 by Express). Called without `next` (as a plain node listener), it
 * answers that case 500 `{"error":"raw_body_unavailable"}` itself and reports
 * the error to `options.onError`.
 *
 * The sender's address is the socket's, or behind proxies named in
 * `trustProxy` the rightmost `X-Forwarded-For` hop that is not one of them;
 * Express's own `trust proxy` setting is not read.
 *
 * @example
 * ```ts
 * app.post('/callbacks/jumio', toExpressHandler(jumioCallback, { trustProxy: ['127.0.0.1'] }));
 * ```
 */
export function toExpressHandler(
  handler: WebhookRoute,
  options: ExpressHandlerOptions = {},
): ExpressWebhookHandler {
  const listener = toNodeListener(handler, options);
  return (req, res, next) => {
    const refusal = expressParsedBodyError(req);
    if (refusal === undefined) {
      listener(req, res);
      return;
    }
    if (next !== undefined) {
      next(refusal);
      return;
    }
    try {
      options.onError?.(refusal);
    } catch {
      // The observer's failure must not change the answer.
    }
    res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: 'raw_body_unavailable' }));
  };
}
