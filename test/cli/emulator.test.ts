import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  configFromEnv,
  createProvider,
  type IdentityVerificationProvider,
  type VerificationSession,
} from 'idv-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/cli/emulator-deliver';
import { runCli } from '../../src/cli/main';
import { Capture, cli, type Receiver, startReceiver, waitFor } from './helpers';

/** The emulator command running in-process, stopped through its AbortSignal. */
interface RunningCli {
  url: string;
  stdout: Capture;
  stderr: Capture;
  onfidoEnv: Record<string, string>;
  jumioEnv: Record<string, string>;
  stop(): Promise<number>;
}

function exportsAfter(text: string, heading: string): Record<string, string> {
  const section = text.slice(text.indexOf(heading)).split('\n').slice(1);
  const env: Record<string, string> = {};
  for (const line of section) {
    const match = /^ {2}export (IDV_[A-Z_]+)=(\S+)$/.exec(line);
    if (match === null) break;
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

async function startEmulatorCli(args: readonly string[]): Promise<RunningCli> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stop = new AbortController();
  let ended: number | undefined;
  const done = runCli(['emulator', '--port', '0', ...args], {
    stdout,
    stderr,
    env: {},
    signal: stop.signal,
  }).then((code) => {
    ended = code;
    return code;
  });
  const url = await waitFor(() => {
    if (ended !== undefined) throw new Error(`the emulator ended with ${ended}: ${stderr.text}`);
    return /emulators listening on (http:\/\/\S+)/.exec(stdout.text)?.[1];
  }, 'the emulator to listen');
  return {
    url,
    stdout,
    stderr,
    onfidoEnv: exportsAfter(stdout.text, 'A backend using Onfido:'),
    jumioEnv: exportsAfter(stdout.text, 'A backend using Jumio:'),
    stop: () => {
      stop.abort();
      return done;
    },
  };
}

/** What the control endpoints answer (the fields these tests read). */
interface ControlJson {
  ok?: boolean;
  reset?: string[];
  deliveries: DeliveryRecord[];
  error: { type: string; message: string; endpoints?: string[] };
  onfido: Record<string, string>;
  jumio: Record<string, string>;
  reasons: string[];
  reasonsByProvider: Record<string, string[]>;
  endpoints: string[];
}

async function getJson(url: string): Promise<ControlJson> {
  return (await (await fetch(url)).json()) as ControlJson;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: ControlJson }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const PERSON = { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' };
const SITE = 'https://verify.example.com/onfido/';

describe('emulator: a backend in another process drives both providers over HTTP', () => {
  let receiver: Receiver;
  let emulator: RunningCli;
  let onfido: IdentityVerificationProvider;

  beforeAll(async () => {
    receiver = await startReceiver();
    emulator = await startEmulatorCli(['--onfido-webhook-url', `${receiver.url}/onfidowh`]);
    onfido = await createProvider(
      configFromEnv({ ...emulator.onfidoEnv, IDV_ONFIDO_VERIFICATION_SITE_URL: SITE }),
    );
  });
  afterAll(async () => {
    await emulator?.stop();
    await receiver?.close();
  });

  it('prints the base URLs, the fake credentials and the variables to export', () => {
    const { url, onfidoEnv, jumioEnv } = emulator;
    expect(onfidoEnv).toMatchObject({
      IDV_PROVIDER: 'onfido',
      IDV_ONFIDO_BASE_URL: `${url}/onfido/v3.6`,
      IDV_ONFIDO_API_TOKEN: 'api_sandbox.idv-emulator-token-0000000000000000',
    });
    expect(onfidoEnv['IDV_ONFIDO_WEBHOOK_TOKEN']).toMatch(/^[\w-]{20,}$/);
    expect(jumioEnv).toEqual({
      IDV_PROVIDER: 'jumio',
      IDV_JUMIO_AUTH_BASE_URL: `${url}/jumio/auth`,
      IDV_JUMIO_ACCOUNT_BASE_URL: `${url}/jumio/account`,
      IDV_JUMIO_RETRIEVAL_BASE_URL: `${url}/jumio/retrieval`,
      IDV_JUMIO_NETVERIFY_BASE_URL: `${url}/jumio/netverify`,
      IDV_JUMIO_CLIENT_ID: 'idv-emulator-jumio-client-id',
      IDV_JUMIO_CLIENT_SECRET: 'idv-emulator-jumio-client-secret',
      IDV_JUMIO_VERIFY_CALLBACK_SOURCE: 'off',
    });
    expect(emulator.stdout.text).toContain(`webhook        ${receiver.url}/onfidowh`);
    expect(emulator.stdout.text).toContain(`Control endpoints: ${url}/_emulator`);
  });

  it('GET /_emulator answers the same URLs and credentials', async () => {
    const info = await getJson(`${emulator.url}/_emulator`);
    expect(info.onfido).toEqual({
      baseUrl: emulator.onfidoEnv['IDV_ONFIDO_BASE_URL'],
      apiToken: emulator.onfidoEnv['IDV_ONFIDO_API_TOKEN'],
      webhookUrl: `${receiver.url}/onfidowh`,
      webhookToken: emulator.onfidoEnv['IDV_ONFIDO_WEBHOOK_TOKEN'],
    });
    expect(info.jumio.clientSecret).toBe(emulator.jumioEnv['IDV_JUMIO_CLIENT_SECRET']);
    expect(info.reasons).toContain('CAUTION_DATA_COMPARISON');
    // Each emulator says which codes it can produce; both produce the CAUTION they advertise.
    expect(info.reasonsByProvider['onfido']).toContain('CAUTION_DATA_COMPARISON');
    expect(info.reasonsByProvider['jumio']).toContain('CAUTION_DATA_COMPARISON');
    expect(info.reasonsByProvider['jumio']).not.toContain('SUSPECTED_POLICE_RECORD');
    expect(info.endpoints).toContain('GET /_emulator/deliveries?provider=');
  });

  it('passes check with the printed variables, for both providers and Netverify mode', async () => {
    const onfidoRun = await cli(['check'], {
      ...emulator.onfidoEnv,
      IDV_ONFIDO_VERIFICATION_SITE_URL: SITE,
    });
    expect(onfidoRun.code).toBe(0);
    const jumioRun = await cli(['check'], emulator.jumioEnv);
    expect(jumioRun.code).toBe(0);
    const netverifyRun = await cli(['check'], {
      ...emulator.jumioEnv,
      IDV_JUMIO_MODE: 'netverify',
    });
    expect(netverifyRun.code).toBe(0);
    expect(netverifyRun.stdout).toContain(`base URL  ${emulator.url}/jumio/netverify`);
  });

  it('Onfido: chooses the verdict, plays the customer, and POSTs the signed webhook to the backend', async () => {
    const started: VerificationSession = await onfido.startVerification({
      identityReference: 'cli-onfido-1',
      person: PERSON,
    });
    const subjectId = started.session.subjectId;
    const verdict = await post(`${emulator.url}/_emulator/verdict`, {
      provider: 'onfido',
      subjectId,
      reason: 'CAUTION_DATA_COMPARISON',
    });
    expect(verdict).toEqual({
      status: 200,
      json: { ok: true, provider: 'onfido', subjectId, reason: 'CAUTION_DATA_COMPARISON' },
    });
    const journey = await post(`${emulator.url}/_emulator/journey`, {
      provider: 'onfido',
      session: started.session,
    });
    expect(journey.status).toBe(200);

    const check = await onfido.completeCapture(started.session);
    const hook = await waitFor(
      () =>
        receiver.received.find(
          (r) => r.path === '/onfidowh' && r.body.includes('"check.completed"'),
        ),
      'the check.completed webhook',
    );
    expect(hook.method).toBe('POST');
    const event = await onfido.verifyWebhook({
      body: hook.body,
      headers: hook.headers as Record<string, string>,
    });
    expect(event).toMatchObject({ type: 'check.completed', actionable: true });
    expect(event.session.attemptId).toBe(check.attemptId);
    const result = await onfido.getResult(event.session);
    expect(result).toMatchObject({
      status: 'awaiting_registration',
      reason: 'CAUTION_DATA_COMPARISON',
    });

    const json = await getJson(`${emulator.url}/_emulator/deliveries?provider=onfido`);
    const completed = json.deliveries.find((d) => d.body.includes('"check.completed"'));
    expect(completed).toMatchObject({
      provider: 'onfido',
      url: `${receiver.url}/onfidowh`,
      sentTo: `${receiver.url}/onfidowh`,
      status: 200,
    });
    expect(completed?.headers['x-sha2-signature']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('Jumio: the journey finishes the transaction and POSTs the callback to its callbackUrl', async () => {
    const jumio = await createProvider(
      configFromEnv({
        ...emulator.jumioEnv,
        IDV_JUMIO_CALLBACK_URL: `${receiver.url}/jumio/callback`,
      }),
    );
    const started = await jumio.startVerification({ identityReference: 'cli-jumio-1' });
    const verdict = await post(`${emulator.url}/_emulator/verdict`, {
      provider: 'jumio',
      subjectId: started.session.subjectId,
      reason: 'SUSPECTED_FACE_COMPARISON',
    });
    expect(verdict.status).toBe(200);
    const journey = await post(`${emulator.url}/_emulator/journey`, {
      provider: 'jumio',
      session: { subjectId: started.session.subjectId },
    });
    expect(journey.status).toBe(200);
    expect(journey.json.deliveries).toHaveLength(1);
    expect(journey.json.deliveries[0]).toMatchObject({
      provider: 'jumio',
      url: `${receiver.url}/jumio/callback`,
      status: 200,
    });
    const callback = receiver.received.find((r) => r.path === '/jumio/callback');
    expect(callback?.headers['user-agent']).toBe('Jumio Callback');
    const event = await jumio.verifyWebhook({
      body: callback?.body ?? '',
      headers: callback?.headers as Record<string, string>,
    });
    const result = await jumio.getResult(event.session);
    expect(result).toMatchObject({ status: 'rejected', reason: 'SUSPECTED_FACE_COMPARISON' });
  });

  it('records a backend that answers an error status', async () => {
    receiver.status = 503;
    try {
      const jumio = await createProvider(
        configFromEnv({ ...emulator.jumioEnv, IDV_JUMIO_CALLBACK_URL: `${receiver.url}/down` }),
      );
      const started = await jumio.startVerification({ identityReference: 'cli-jumio-2' });
      const journey = await post(`${emulator.url}/_emulator/journey`, {
        provider: 'jumio',
        session: started.session,
      });
      expect(journey.json.deliveries[0]).toMatchObject({ status: 503 });
    } finally {
      receiver.status = 200;
    }
  });

  it('injects a fault through /_emulator/fault', async () => {
    const fault = await post(`${emulator.url}/_emulator/fault`, {
      provider: 'onfido',
      fault: { kind: 'status', status: 503 },
      times: 1,
      path: '/applicants',
    });
    expect(fault).toEqual({ status: 200, json: { ok: true, provider: 'onfido' } });
    const run = await cli(['check'], {
      ...emulator.onfidoEnv,
      IDV_ONFIDO_VERIFICATION_SITE_URL: SITE,
      IDV_MAX_RETRIES: '0',
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('HTTP 503');
    const after = await cli(['check'], {
      ...emulator.onfidoEnv,
      IDV_ONFIDO_VERIFICATION_SITE_URL: SITE,
    });
    expect(after.code).toBe(0);
  });

  it.each([
    [
      'verdict',
      { provider: 'sumsub', subjectId: 'x', reason: 'CLEAR' },
      'unknown provider "sumsub"',
    ],
    ['verdict', { provider: 'onfido', subjectId: 'x', reason: 'GREAT' }, '"reason" must be one of'],
    ['verdict', { provider: 'jumio', subjectId: 'nope', reason: 'CLEAR' }, 'no account'],
    ['verdict', '{not json', 'the body is not valid JSON'],
    ['journey', { provider: 'jumio', session: {} }, '"session" needs "subjectId"'],
    ['journey', { provider: 'onfido', session: { subjectId: 'no-such' } }, 'no applicant'],
    ['fault', { provider: 'jumio', fault: { kind: 'explode' } }, '"fault.kind" must be one of'],
    ['fault', { provider: 'jumio', fault: { kind: 'reset' }, path: '(' }, '"path" must be'],
  ])('refuses a bad %s request with a 400 that says why', async (endpoint, body, message) => {
    const { status, json } = await post(`${emulator.url}/_emulator/${endpoint}`, body);
    expect(status).toBe(400);
    expect(json.error.type).toBe('bad_request');
    expect(json.error.message).toContain(message);
  });

  it('answers 404 with the list of endpoints for an unknown control path', async () => {
    const response = await fetch(`${emulator.url}/_emulator/verdicts`);
    expect(response.status).toBe(404);
    const json = (await response.json()) as ControlJson;
    expect(json.error.endpoints).toContain('POST /_emulator/reset {provider?}');
  });

  it('resets one provider: its state and its deliveries', async () => {
    const before = await getJson(`${emulator.url}/_emulator/deliveries`);
    expect(before.deliveries.some((d) => d.provider === 'jumio')).toBe(true);
    const reset = await post(`${emulator.url}/_emulator/reset`, { provider: 'jumio' });
    expect(reset).toEqual({ status: 200, json: { ok: true, reset: ['jumio'] } });
    const after = await getJson(`${emulator.url}/_emulator/deliveries`);
    expect(after.deliveries.some((d) => d.provider === 'jumio')).toBe(false);
    expect(after.deliveries.some((d) => d.provider === 'onfido')).toBe(true);
  });
});

describe('emulator: where deliveries go', () => {
  it('records but does not send to reserved example hosts', async () => {
    const emulator = await startEmulatorCli(['--quiet']);
    try {
      const onfido = await createProvider(
        configFromEnv({ ...emulator.onfidoEnv, IDV_ONFIDO_VERIFICATION_SITE_URL: SITE }),
      );
      const started = await onfido.startVerification({ identityReference: 'r-1', person: PERSON });
      await post(`${emulator.url}/_emulator/journey`, {
        provider: 'onfido',
        session: started.session,
      });
      await onfido.completeCapture(started.session);
      const list = await waitFor(
        () => (emulator.stderr.text.includes('reserved') ? emulator.stderr.text : undefined),
        'the delivery log',
      );
      expect(list).toContain(
        'onfido POST https://backend.example.com/identity-check/onfidowh: not sent: the URL is on a reserved example host',
      );
      const { deliveries } = await getJson(`${emulator.url}/_emulator/deliveries`);
      expect(deliveries.length).toBeGreaterThan(0);
      for (const d of deliveries) {
        expect(d.sentTo).toBeUndefined();
        expect(d.error).toContain('reserved example host');
      }
    } finally {
      expect(await emulator.stop()).toBe(0);
    }
  });

  it('--deliver-to sends every delivery to one origin, keeping the path', async () => {
    const receiver = await startReceiver();
    const emulator = await startEmulatorCli(['--deliver-to', receiver.url]);
    try {
      // The backend registers its own https webhook, as in production.
      const url = 'https://cas.example.com/serverapi/apiv1/identity-check/onfidowh';
      const env = { ...emulator.onfidoEnv, IDV_ONFIDO_VERIFICATION_SITE_URL: SITE };
      const registered = await cli(['webhooks', 'register', '--url', url, '--show-token'], env);
      expect(registered.code).toBe(0);
      const token = /IDV_ONFIDO_WEBHOOK_TOKEN=(\S+)/.exec(registered.stdout)?.[1];
      expect(token).toBeDefined();

      const onfido = await createProvider(
        configFromEnv({ ...env, IDV_ONFIDO_WEBHOOK_TOKEN: token }),
      );
      const started = await onfido.startVerification({ identityReference: 'd-1', person: PERSON });
      await post(`${emulator.url}/_emulator/journey`, {
        provider: 'onfido',
        session: started.session,
      });
      await onfido.completeCapture(started.session);
      const hook = await waitFor(
        () =>
          receiver.received.find(
            (r) =>
              r.path === '/serverapi/apiv1/identity-check/onfidowh' &&
              r.body.includes('"check.completed"'),
          ),
        'the webhook at the registered path',
      );
      const event = await onfido.verifyWebhook({
        body: hook.body,
        headers: hook.headers as Record<string, string>,
      });
      expect(event.type).toBe('check.completed');
      // The webhook registered up front went to the same origin, under its own path.
      await waitFor(
        () => receiver.received.find((r) => r.path === '/identity-check/onfidowh'),
        'the up-front webhook',
      );
      expect(emulator.stderr.text).toContain(
        `onfido POST ${receiver.url}/serverapi/apiv1/identity-check/onfidowh → 200`,
      );
    } finally {
      expect(await emulator.stop()).toBe(0);
      await receiver.close();
    }
  });
});

describe('emulator: start and stop', () => {
  it('logs requests, stops on abort with exit 0, and frees the port', async () => {
    const emulator = await startEmulatorCli([]);
    const response = await fetch(`${emulator.url}/onfido/v3.6/applicants`);
    expect(response.status).toBe(401);
    await waitFor(
      () => (emulator.stderr.text.includes('GET /onfido/v3.6/applicants → 401') ? true : undefined),
      'the request log',
    );
    expect(await emulator.stop()).toBe(0);
    expect(emulator.stderr.text).toContain('✔ emulators stopped');
    await expect(fetch(`${emulator.url}/_emulator`)).rejects.toThrow();
  });

  it('uses the given credentials', async () => {
    const emulator = await startEmulatorCli([
      '--onfido-api-token',
      'api_sandbox.my-own-token',
      '--jumio-client-id',
      'my-client',
      '--jumio-client-secret',
      'my-secret',
      '--quiet',
    ]);
    try {
      expect(emulator.onfidoEnv['IDV_ONFIDO_API_TOKEN']).toBe('api_sandbox.my-own-token');
      expect(emulator.jumioEnv['IDV_JUMIO_CLIENT_ID']).toBe('my-client');
      const run = await cli(['check'], emulator.jumioEnv);
      expect(run.code).toBe(0);
      const wrong = await cli(['check'], {
        ...emulator.jumioEnv,
        IDV_JUMIO_CLIENT_SECRET: 'idv-emulator-jumio-client-secret',
      });
      expect(wrong.code).toBe(3);
    } finally {
      await emulator.stop();
    }
  });

  it('says the port is taken, exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const run = await cli(['emulator', '--port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`✖ port ${port} is already in use: choose another with --port`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it.each([
    [['--port', 'http'], 'option --port must be a whole number'],
    [['--port', '70000'], 'option --port must be between 0 and 65535'],
    [['--host', '::1'], 'option --host must be an IPv4 address or a host name'],
    [['--deliver-to', 'http://127.0.0.1:8080/base'], 'option --deliver-to must be an origin'],
    [['--onfido-webhook-url', 'not a url'], 'option --onfido-webhook-url must be an absolute'],
  ])('refuses %j with exit 2', async (args, message) => {
    const run = await cli(['emulator', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
