/**
 * `idv-providers/frameworks/fastify`: a webhook route for Fastify (tested
 * with 5; it uses only APIs Fastify 4 has too).
 *
 * {@link toFastifyPlugin} is a plugin (register it with `app.register`) that
 * adds one `POST` route in a scope of its own, where every body, whatever
 * its content type, is parsed as a `Buffer` (Fastify's JSON parser is removed
 * there and only there). The signature is checked on those bytes; the rest
 * of your application keeps its parsers. Fastify's own `bodyLimit` is set to
 * the handler's `maxBodyBytes`, so a larger body is refused by Fastify with
 * 413 before it is read whole.
 *
 * {@link toFastifyRoute} is the bare route handler, for a scope you set up
 * yourself with a raw parser. Given a body Fastify already parsed into an
 * object, it throws a `ConfigError` naming Fastify's parser; Fastify's error
 * handler logs it and answers 500 (the provider retries).
 *
 * Nothing of Fastify is imported, not even its types: the plugin and the
 * route take the few members of Fastify's instance, request and reply they
 * use, so a project without Fastify loads and type-checks this entry too.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { toFastifyPlugin } from 'idv-providers/frameworks/fastify';
 *
 * const app = Fastify({ requestTimeout: 15_000 });
 * await app.register(toFastifyPlugin(onfidoWebhook, { path: '/webhooks/onfido' }));
 * ```
 *
 * @packageDocumentation
 * @module idv-providers/frameworks/fastify
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ConfigError, type TrustProxy, type WebhookRoute } from 'idv-providers';

/** The members of a Fastify request the route reads. */
export interface FastifyRequestLike {
  /** HTTP method. */
  method: string;
  /** Request headers. */
  headers: IncomingHttpHeaders;
  /** The parsed body: a `Buffer` or string for a raw parser, `undefined` for none. */
  body?: unknown;
  /** Node's request, for the socket address. */
  raw: IncomingMessage;
}

/** The members of a Fastify reply the route uses. */
export interface FastifyReplyLike {
  /** Sets the status. */
  code(statusCode: number): FastifyReplyLike;
  /** Sets response headers. */
  headers(values: Record<string, string>): FastifyReplyLike;
  /** Sends the body. */
  send(payload: string): FastifyReplyLike;
}

/** A Fastify route handler, as `app.post(path, handler)` takes it. */
export type FastifyWebhookRoute = (
  request: FastifyRequestLike,
  reply: FastifyReplyLike,
) => Promise<FastifyReplyLike>;

/** The members of a Fastify instance the plugin uses. */
export interface FastifyScope {
  /** Removes every content-type parser of this scope. */
  removeAllContentTypeParsers(): void;
  /** Adds a content-type parser to this scope. */
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (
      request: FastifyRequestLike,
      body: Buffer,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): void;
  /** Adds a route to this scope. */
  route(options: {
    method: 'POST';
    url: string;
    bodyLimit: number;
    handler: FastifyWebhookRoute;
  }): unknown;
}

/** A Fastify plugin, as `app.register(plugin)` takes it. */
export type FastifyWebhookPlugin = (
  instance: FastifyScope,
  options: unknown,
  done: (error?: Error) => void,
) => void;

/** Options of {@link toFastifyRoute}. */
export interface FastifyRouteOptions {
  /**
   * The address of the direct peer. Default the socket's
   * (`request.raw.socket.remoteAddress`); behind proxies named in the
   * handler's `trustProxy`, the sender is then read from `X-Forwarded-For`.
   * Fastify's own `trustProxy` setting (and so `request.ip`) is not read.
   */
  remoteAddress?: ((request: FastifyRequestLike) => string | undefined) | undefined;
  /** Proxies whose `X-Forwarded-For` is believed; replaces the handler's `trustProxy`. */
  trustProxy?: TrustProxy | undefined;
}

/** Options of {@link toFastifyPlugin}. */
export interface FastifyPluginOptions extends FastifyRouteOptions {
  /** The route's path, e.g. `/webhooks/onfido` (under the prefix of the scope it is registered in). */
  path: string;
}

function bytesOf(body: unknown): Uint8Array | undefined {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return undefined;
}

/**
 * The bare route handler: the body must already be a `Buffer` (or string) in
 * `request.body`, as a raw parser leaves it. A body parsed into an object
 * throws a `ConfigError` naming Fastify's parser.
 *
 * @example
 * ```ts
 * app.register(async (scope) => {
 *   scope.removeAllContentTypeParsers(); // the JSON parser would still take application/json
 *   scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
 *   scope.addHook('onRequest', yourAuditHook);
 *   scope.post('/webhooks/onfido', toFastifyRoute(onfidoWebhook));
 * });
 * ```
 */
export function toFastifyRoute(
  handler: WebhookRoute,
  options: FastifyRouteOptions = {},
): FastifyWebhookRoute {
  const addressOf =
    options.remoteAddress ?? ((request: FastifyRequestLike) => request.raw.socket?.remoteAddress);
  return async (request, reply) => {
    const bytes = bytesOf(request.body);
    if (bytes === undefined) {
      const type = request.headers['content-type'] ?? 'application/json';
      throw new ConfigError(
        `[idv] [fastify] Fastify's body parser for "${type}" ran before this route, so the raw ` +
          'body the signature is over is gone: register the route with toFastifyPlugin(handler, ' +
          '{ path }), or in its scope call removeAllContentTypeParsers() and then ' +
          "addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => done(null, body))",
      );
    }
    const answer = await handler.receive({
      method: request.method,
      headers: request.headers,
      remoteAddress: addressOf(request),
      ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
      url: request.raw?.url,
      readBody: async (limit) =>
        bytes.byteLength > limit ? { ok: false, reason: 'too_large' } : { ok: true, bytes },
    });
    return reply.code(answer.status).headers(answer.headers).send(JSON.stringify(answer.body));
  };
}

/**
 * A Fastify plugin that adds `POST options.path` for the handler, in a scope
 * whose only content-type parser reads every body as a `Buffer` of at most the
 * handler's `maxBodyBytes`. Register one per provider.
 *
 * @example
 * ```ts
 * await app.register(toFastifyPlugin(onfidoWebhook, { path: '/webhooks/onfido' }));
 * await app.register(toFastifyPlugin(jumioCallback, { path: '/callbacks/jumio' }));
 * ```
 */
export function toFastifyPlugin(
  handler: WebhookRoute,
  options: FastifyPluginOptions,
): FastifyWebhookPlugin {
  if (typeof options?.path !== 'string' || !options.path.startsWith('/')) {
    throw new ConfigError('[idv] [fastify] option "path" must be a path starting with "/"', {
      option: 'path',
    });
  }
  const route = toFastifyRoute(handler, options);
  const bodyLimit = handler.maxBodyBytes;
  return (instance, _options, done) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, next) =>
      next(null, body),
    );
    instance.route({ method: 'POST', url: options.path, bodyLimit, handler: route });
    done();
  };
}
