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
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
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
  let origin = '';
  const server = createServer((req, res) => {
    const request = toRequest(req, origin);
    getResponse([...options.handlers()], request)
      .then(async (response) => {
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
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
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
