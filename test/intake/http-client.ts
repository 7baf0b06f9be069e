/**
 * A tiny node:http client for intake tests: sends one request to a local
 * server and collects the answer.
 */
import { request } from 'node:http';

/** A completed answer. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What to send. `body` may be a string, or a function that writes the body itself. */
export interface HttpSend {
  port: number;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | ((write: (chunk: Buffer) => boolean, end: () => void) => void);
  agent?: import('node:http').Agent | false;
}

/** Sends a request to 127.0.0.1 and resolves with the answer (even if the body was not all sent). */
export function send(options: HttpSend): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path ?? '/webhooks/fake',
        method: options.method ?? 'POST',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    // Writing after the server answered and closed may fail; the answer is what matters.
    req.on('error', (error) => {
      if (!(req as unknown as { res?: unknown }).res) reject(error);
    });
    const body = options.body;
    if (typeof body === 'function') {
      req.flushHeaders();
      body(
        (chunk) => req.write(chunk),
        () => req.end(),
      );
    } else {
      req.end(body);
    }
  });
}
