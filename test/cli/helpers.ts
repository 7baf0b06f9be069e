import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  type EmulatorServer,
  type JumioEmulator,
  type OnfidoEmulator,
  serveEmulators,
} from 'idv-providers/testing';
import { type CliIO, runCli } from '../../src/cli/main';

/** What one in-process run of the CLI printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A buffer standing in for a terminal or a pipe. */
export class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs the CLI in-process with `env` as its whole environment. */
export async function cli(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
  extra: Partial<CliIO> = {},
): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env, ...extra });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Both emulators served on a local port, laid out as the CLI's emulator command lays them out. */
export interface Served {
  server: EmulatorServer;
  onfido: OnfidoEmulator;
  jumio: JumioEmulator;
  onfidoEnv: Record<string, string>;
  jumioEnv: Record<string, string>;
}

export async function serveBoth(): Promise<Served> {
  let onfido: OnfidoEmulator | undefined;
  let jumio: JumioEmulator | undefined;
  const server = await serveEmulators({
    host: '127.0.0.1',
    handlers: () => [...(onfido?.handlers ?? []), ...(jumio?.handlers ?? [])],
  });
  onfido = createOnfidoEmulator({ baseUrl: `${server.url}/onfido/v3.6` });
  jumio = createJumioEmulator({
    baseUrls: {
      auth: `${server.url}/jumio/auth`,
      account: `${server.url}/jumio/account`,
      retrieval: `${server.url}/jumio/retrieval`,
    },
  });
  return {
    server,
    onfido,
    jumio,
    onfidoEnv: {
      IDV_PROVIDER: 'onfido',
      IDV_ONFIDO_API_TOKEN: onfido.apiToken,
      IDV_ONFIDO_BASE_URL: `${server.url}/onfido/v3.6`,
      IDV_ONFIDO_VERIFICATION_SITE_URL: 'https://verify.example.com/onfido/',
      IDV_MAX_RETRIES: '0',
    },
    jumioEnv: {
      IDV_PROVIDER: 'jumio',
      IDV_JUMIO_CLIENT_ID: jumio.clientId,
      IDV_JUMIO_CLIENT_SECRET: jumio.clientSecret,
      IDV_JUMIO_AUTH_BASE_URL: `${server.url}/jumio/auth`,
      IDV_JUMIO_ACCOUNT_BASE_URL: `${server.url}/jumio/account`,
      IDV_JUMIO_RETRIEVAL_BASE_URL: `${server.url}/jumio/retrieval`,
      IDV_MAX_RETRIES: '0',
    },
  };
}

/** A request a {@link Receiver} got. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A backend stand-in that records every request and answers `status`. */
export interface Receiver {
  url: string;
  received: Received[];
  status: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, status: 200 } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Waits until `probe` answers something other than `undefined`. */
export async function waitFor<T>(
  probe: () => T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ESC = String.fromCharCode(27);

/** True when `text` carries ANSI escape sequences. */
export const hasAnsi = (text: string): boolean => text.includes(`${ESC}[`);

/** `text` without ANSI colour sequences. */
export const stripAnsi = (text: string): string =>
  text.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
