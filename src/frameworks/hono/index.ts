/**
 * `idv-providers/frameworks/hono`: a webhook route for Hono (4), on Node.js
 * (`@hono/node-server`), Bun, Deno or any runtime Hono runs on.
 *
 * The intake's handler is a Web handler already; this route hands it Hono's
 * own `Request` (`c.req.raw`), whose body nothing has read, and the sender's
 * address from the runtime (Hono's `Request` does not carry it). Behind
 * middleware that read the body through Hono's cache, the cached raw text or
 * bytes are used (`c.req.text()`, `c.req.arrayBuffer()`, `c.req.parseBody()`,
 * and `c.req.json()`, which caches the text it parses; text is re-encoded as
 * UTF-8, exact for the JSON the providers send). A body read otherwise
 * (`c.req.formData()`, or `c.req.raw` read directly) cannot be verified: the
 * route throws a `ConfigError` naming the call, which Hono's error handler
 * logs and answers 500 (the provider retries).
 *
 * Nothing of Hono is imported, not even its types.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { serve } from '@hono/node-server';
 * import { toHonoHandler } from 'idv-providers/frameworks/hono';
 *
 * const app = new Hono();
 * app.post('/webhooks/onfido', toHonoHandler(onfidoWebhook));
 * serve({ fetch: app.fetch, port: 8080 });
 * ```
 *
 * @packageDocumentation
 * @module idv-providers/frameworks/hono
 */
import { ConfigError, type WebhookRoute } from 'idv-providers';

/** The members of Hono's `Context` the route reads. */
export interface HonoContextLike {
  /** Hono's request: its Web `Request` and the cache of bodies its helpers read. */
  req: {
    /** The Web `Request`. */
    raw: Request;
    /** Hono's body cache (`text`, `arrayBuffer`, `json`, ... as promises). */
    bodyCache?: object | undefined;
  };
  /**
   * What the runtime passed beside the request: `{ incoming, outgoing }`
   * with `@hono/node-server`, the `Server` on Bun, the `ServeHandlerInfo` on
   * Deno, the bindings on Cloudflare Workers.
   */
  env?: unknown;
}

/** Options of {@link toHonoHandler}. */
export interface HonoHandlerOptions<C extends HonoContextLike = HonoContextLike> {
  /**
   * The address of the direct peer. Default: the socket's, on
   * `@hono/node-server` (`c.env.incoming.socket`), Bun
   * (`c.env.requestIP(request)`) and Deno (`c.env.remoteAddr`); `undefined`
   * elsewhere. On Cloudflare Workers read Cloudflare's header:
   * `(c: Context) => c.req.header('cf-connecting-ip')` (`Context` from
   * `hono`: annotated, the callback sees Hono's whole context). Behind proxies named in the
   * handler's `trustProxy`, the sender is then read from `X-Forwarded-For`.
   */
  remoteAddress?: ((c: C) => string | undefined) | undefined;
}

/** A Hono route handler, as `app.post(path, handler)` takes it. */
export type HonoWebhookHandler<C extends HonoContextLike = HonoContextLike> = (
  c: C,
) => Promise<Response>;

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The socket address the runtime gives beside the request: node-server's
 * `incoming`, Bun's `requestIP()`, Deno's `remoteAddr`. The same places
 * Hono's `getConnInfo` helpers read.
 */
function runtimeAddress(c: HonoContextLike): string | undefined {
  const env = c.env;
  const bindings = field(env, 'server') ?? env;
  const node = text(field(field(field(bindings, 'incoming'), 'socket'), 'remoteAddress'));
  if (node !== undefined) return node;
  const requestIP = field(env, 'requestIP');
  if (typeof requestIP === 'function') {
    try {
      const bun = text(
        field((requestIP as (r: Request) => unknown).call(env, c.req.raw), 'address'),
      );
      if (bun !== undefined) return bun;
    } catch {
      // Not Bun's server after all.
    }
  }
  return text(field(field(env, 'remoteAddr'), 'hostname'));
}

/** The raw bytes Hono's cache still holds, or `undefined` when it holds none. */
async function cachedBytes(
  cache: object | undefined,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const bytes = field(cache, 'arrayBuffer');
  if (bytes !== undefined) return new Uint8Array(await (bytes as Promise<ArrayBuffer>));
  const blob = field(cache, 'blob');
  if (blob !== undefined)
    return new Uint8Array(await (await (blob as Promise<Blob>)).arrayBuffer());
  const raw = field(cache, 'text');
  if (raw !== undefined) return new TextEncoder().encode(await (raw as Promise<string>));
  return undefined;
}

function readerOf(cache: object | undefined): string {
  if (field(cache, 'parsedBody') !== undefined) return 'c.req.parseBody()';
  if (field(cache, 'formData') !== undefined) return 'c.req.formData()';
  if (field(cache, 'json') !== undefined) return 'c.req.json()';
  return 'a middleware reading c.req.raw';
}

/**
 * Turns a webhook route ({@link WebhookRoute}: a `createWebhookHandler` route, or a tenant route) into a Hono route handler. Statuses are the
 * intake's (200, 401, 403, 413, ...).
 *
 * @example
 * ```ts
 * app.post('/callbacks/jumio', toHonoHandler(jumioCallback)); // the handler's trustProxy applies
 * // Cloudflare Workers:
 * app.post('/callbacks/jumio', toHonoHandler(jumioCallback, {
 *   remoteAddress: (c: Context) => c.req.header('cf-connecting-ip'),
 * }));
 * ```
 */
export function toHonoHandler<C extends HonoContextLike = HonoContextLike>(
  handler: WebhookRoute,
  options: HonoHandlerOptions<C> = {},
): HonoWebhookHandler<C> {
  const addressOf: (c: C) => string | undefined = options.remoteAddress ?? runtimeAddress;
  return async (c) => {
    const request = c.req.raw;
    const remoteAddress = addressOf(c);
    if (!request.bodyUsed) return handler(request, { remoteAddress });
    const bytes = await cachedBytes(c.req.bodyCache);
    if (bytes === undefined) {
      throw new ConfigError(
        `[idv] [hono] ${readerOf(c.req.bodyCache)} read the body before this route, so the raw ` +
          'body the signature is over is gone: mount the webhook route before that middleware, ' +
          'or read the body with c.req.text() or c.req.arrayBuffer(), which keep it',
      );
    }
    const copy = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: bytes,
    });
    return handler(copy, { remoteAddress });
  };
}
