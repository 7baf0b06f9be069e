/**
 * The Jumio emulator served over plain HTTP on 127.0.0.1 (`serveEmulators`),
 * spoken to with `fetch` as a backend in any language would: base URLs laid
 * out as the command line serves them, a manual test clock, and small
 * helpers for tokens, accounts and JSON answers.
 */
import {
  createJumioEmulator,
  createTestClock,
  type EmulatorServer,
  type JumioEmulator,
  type JumioEmulatorOptions,
  serveEmulators,
  type TestClock,
} from 'idv-providers/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** The served base URLs. */
export interface Hosts {
  auth: string;
  account: string;
  retrieval: string;
  status: string;
  control: string;
}

/** The served emulator of a test file. */
export interface ServedJumio {
  readonly emulator: JumioEmulator;
  readonly clock: TestClock;
  readonly hosts: Hosts;
}

export const UA = { 'user-agent': 'EmulatorApiTest/1.0' } as const;
export const CALLBACK_URL = 'https://backend.example/callbacks/jumio';

/** Serves a Jumio emulator for the test file; its state is forgotten after every test. */
export function serveJumio(options: Omit<JumioEmulatorOptions, 'baseUrls' | 'clock'> = {}) {
  const clock = createTestClock();
  let server: EmulatorServer | undefined;
  let emulator: JumioEmulator | undefined;
  let hosts: Hosts | undefined;
  beforeAll(async () => {
    server = await serveEmulators({ handlers: () => emulator?.handlers ?? [] });
    const h: Hosts = {
      auth: `${server.url}/jumio/auth`,
      account: `${server.url}/jumio/account`,
      retrieval: `${server.url}/jumio/retrieval`,
      status: `${server.url}/jumio/status`,
      control: `${server.url}/jumio/_control`,
    };
    hosts = h;
    emulator = createJumioEmulator({
      ...options,
      clock,
      baseUrls: { auth: h.auth, account: h.account, retrieval: h.retrieval, status: h.status },
      controlBaseUrl: h.control,
    });
  });
  afterEach(() => emulator?.reset());
  afterAll(() => server?.close());
  return {
    get emulator() {
      return emulator as JumioEmulator;
    },
    clock,
    get hosts() {
      return hosts as Hosts;
    },
  } satisfies ServedJumio;
}

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/** `POST /oauth2/token` with the emulator's credentials. */
export function tokenRequest(
  served: ServedJumio,
  init: { secret?: string; clientId?: string; body?: string } = {},
): Promise<Response> {
  const { emulator, hosts } = served;
  return fetch(`${hosts.auth}/oauth2/token`, {
    method: 'POST',
    headers: {
      ...UA,
      ...FORM,
      authorization: basic(
        init.clientId ?? emulator.clientId,
        init.secret ?? emulator.clientSecret,
      ),
    },
    body: init.body ?? 'grant_type=client_credentials',
  });
}

/** A fresh access token. */
export async function bearer(served: ServedJumio): Promise<string> {
  const answer = await tokenRequest(served);
  if (answer.status !== 200) throw new Error(`token request answered ${answer.status}`);
  return ((await answer.json()) as { access_token: string }).access_token;
}

/** A request with a bearer token (and a JSON body when given). */
export function call(
  token: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<Response> {
  return fetch(url, {
    method,
    headers: {
      ...UA,
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The body of a start request, with the callback URL. */
export const startBody = (reference = 'ref-1') => ({
  customerInternalReference: reference,
  workflowDefinition: { key: 10011 },
  callbackUrl: CALLBACK_URL,
});

/** What an account answer holds (the fields the tests read). */
export interface AccountAnswer {
  timestamp: string;
  account: { id: string };
  web: { href: string };
  sdk: { token: string };
  workflowExecution: {
    id: string;
    credentials: Array<{ id: string; category: string; allowedChannels: string[] }>;
  };
}

/** Starts a transaction (`POST /api/v1/accounts`). */
export async function start(
  served: ServedJumio,
  token: string,
  reference = 'ref-1',
): Promise<AccountAnswer> {
  const answer = await call(
    token,
    'POST',
    `${served.hosts.account}/api/v1/accounts`,
    startBody(reference),
  );
  if (answer.status !== 200) throw new Error(`start answered ${answer.status}`);
  return (await answer.json()) as AccountAnswer;
}

/** The retrieval URL of a workflow execution. */
export const executionUrl = (served: ServedJumio, account: string, execution: string): string =>
  `${served.hosts.retrieval}/api/v1/accounts/${account}/workflow-executions/${execution}`;

/** A JSON answer's status, content type and body. */
export async function json(answer: Response): Promise<{
  status: number;
  type: string | null;
  body: unknown;
}> {
  return {
    status: answer.status,
    type: answer.headers.get('content-type'),
    body: await answer.json(),
  };
}
