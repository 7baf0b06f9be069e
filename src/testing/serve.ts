/**
 * Serves emulators over real HTTP, so that a backend in another process (or
 * another language) can be pointed at them with base-URL overrides, and so
 * that the demo's requests really travel over sockets.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { getResponse, type RequestHandler } from 'msw';

/** A running emulator server. */
export interface EmulatorServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The underlying server. */
  readonly server: Server;
  /** Stops it (open connections are closed). */
  close(): Promise<void>;
}

/** Settings of {@link serveEmulators}. */
export interface ServeEmulatorsOptions {
  /** The handlers of every emulator to serve; they must match `http://<host>:<port>/...` URLs. */
  handlers: () => readonly RequestHandler[];
  /** Port; default 0 (any free port). */
  port?: number | undefined;
  /** Address to bind; default `127.0.0.1`. */
  host?: string | undefined;
  /**
   * How much of a request body the server reads and discards when the answer
   * came without reading it (a 401 or 404 on an upload), so a kept-alive
   * connection can carry the next request; a longer rest closes the
   * connection after the answer (`Connection: close`). Default 32 MiB.
   */
  maxUnreadBodyBytes?: number | undefined;
}

/** The default of {@link ServeEmulatorsOptions.maxUnreadBodyBytes}. */
const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;
/** How long the server waits for the rest of such a body. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * A request body for the handlers: the socket's bytes as a web stream that
 * reads only as fast as it is read, and `drain`, which discards what no
 * handler read.
 */
interface RequestBody {
  stream: ReadableStream<Uint8Array>;
  /**
   * Reads the rest of the body and discards it: `true` once it ended within
   * `limit` bytes and the timeout, `false` when the connection must close.
   */
  drain(limit: number, timeoutMs: number): Promise<boolean>;
}

function requestBody(req: IncomingMessage): RequestBody {
  let draining = false;
  let open = true;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      pull: () => {
        req.resume();
      },
      cancel: () => {
        open = false;
        req.pause();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  req.on('data', (chunk: Buffer) => {
    if (draining || !open) return;
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  });
  req.once('end', () => {
    if (open && !draining) controller.close();
    open = false;
  });
  req.once('error', (error) => {
    if (open && !draining) controller.error(error);
    open = false;
  });
  req.pause();
  return {
    stream,
    drain(limit, timeoutMs) {
      if (req.readableEnded) return Promise.resolve(true);
      if (req.destroyed) return Promise.resolve(false);
      draining = true;
      return new Promise<boolean>((resolve) => {
        let seen = 0;
        const finish = (drained: boolean): void => {
          clearTimeout(timer);
          req.off('data', count);
          req.off('end', ended);
          req.off('error', failed);
          req.off('close', closed);
          if (!drained) req.pause();
          resolve(drained);
        };
        const count = (chunk: Buffer): void => {
          seen += chunk.length;
          if (seen > limit) finish(false);
        };
        const ended = (): void => finish(true);
        const failed = (): void => finish(false);
        const closed = (): void => finish(req.readableEnded);
        const timer = setTimeout(() => finish(false), timeoutMs);
        req.on('data', count);
        req.once('end', ended);
        req.once('error', failed);
        req.once('close', closed);
        req.resume();
      });
    },
  };
}

function toRequest(req: IncomingMessage, origin: string, body: RequestBody | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body: body.stream, duplex: 'half' }),
  } as RequestInit);
}

/**
 * Makes the connection ready for the next request once the answer is known:
 * a body no handler read to the end is read and discarded (up to `limit`
 * bytes), otherwise the answer says `Connection: close`
 * and the connection closes after it. Without this, a client that keeps the
 * connection alive would send its next request into the unread rest of this
 * one's body and see the connection reset.
 */
async function settleBody(
  body: RequestBody | undefined,
  res: ServerResponse,
  limit: number,
): Promise<void> {
  if (body === undefined) return;
  if (await body.drain(limit, DRAIN_TIMEOUT_MS)) return;
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  if (response.type === 'error') {
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(
    response.body as import('node:stream/web').ReadableStream<Uint8Array>,
  );
  body.on('error', () => res.socket?.destroy());
  body.pipe(res);
}

/**
 * Serves MSW handlers over HTTP on a local port. Requests no handler answers
 * get a 404 with a JSON body naming the method and path.
 *
 * @example
 * ```ts
 * const onfido = createOnfidoEmulator({ baseUrl: 'http://127.0.0.1:4010/onfido/v3.6' });
 * const server = await serveEmulators({ port: 4010, handlers: () => onfido.handlers });
 * ```
 */
export async function serveEmulators(options: ServeEmulatorsOptions): Promise<EmulatorServer> {
  const host = options.host ?? '127.0.0.1';
  const drainLimit = options.maxUnreadBodyBytes ?? DRAIN_LIMIT_BYTES;
  let origin = '';
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'HEAD' ? undefined : requestBody(req);
    const request = toRequest(req, origin, body);
    getResponse([...options.handlers()], request)
      .then(async (response) => {
        await settleBody(body, res, drainLimit);
        if (response === undefined) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: {
                type: 'not_found',
                message: `${request.method} ${new URL(request.url).pathname} is not emulated`,
              },
            }),
          );
          return;
        }
        await writeResponse(response, res);
      })
      .catch(async () => {
        if (!res.headersSent) {
          await settleBody(body, res, drainLimit);
          res.writeHead(500, { 'content-type': 'application/json' });
        }
        res.end(
          JSON.stringify({ error: { type: 'emulator_error', message: 'the emulator failed' } }),
        );
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
