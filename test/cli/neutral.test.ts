/**
 * The command line names no provider: what it serves, which flags it takes,
 * what it prints and which provider may register webhooks all come from the
 * providers' definitions. Proved two ways: its source holds no provider name
 * outside comments and the help prose about the built-ins, and a provider it
 * has never heard of, registered with an emulator entry, is served, checked
 * and registered like the built-ins.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  ConfigError,
  createRegistry,
  type IdentityVerificationProvider,
  type IdvConfig,
  ProviderApiError,
  type ProviderDefinition,
  ProviderRegistry,
} from 'idv-providers';
import type {
  AdvanceableClock,
  EmulatorDelivery,
  EmulatorModule,
  EmulatorServing,
  ProviderEmulator,
} from 'idv-providers/emulator-kit';
import { jumioEmulatorEntry } from 'idv-providers/jumio/emulator';
import { commonOptionsShape } from 'idv-providers/kit';
import { onfidoEmulatorEntry } from 'idv-providers/onfido/emulator';
import { getResponse, HttpResponse, http } from 'msw';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../../src/cli/main';
import { Capture, type Receiver, startReceiver, waitFor } from './helpers';

const root = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(root, path)).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The help texts that are prose about the built-in providers (their examples
 * name them, as docs/cli.md does). Everything else in src/cli, the emulator's
 * help included, is built from the definitions.
 */
const PROSE = new Set([
  'CONFIG_FLAGS',
  'MAIN_USAGE',
  'CHECK_USAGE',
  'WEBHOOKS_USAGE',
  'WEBHOOKS_REGISTER_USAGE',
]);

/** Every identifier and string or template text of a file (comments are not in the tree), by the constant it is in. */
function wordsOf(
  file: string,
): Array<{ text: string; line: number; constant: string | undefined }> {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const words: Array<{ text: string; line: number; constant: string | undefined }> = [];
  const visit = (node: ts.Node, constant: string | undefined): void => {
    const inside =
      ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) ? node.name.text : constant;
    if (
      ts.isIdentifier(node) ||
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isRegularExpressionLiteral(node)
    ) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      words.push({ text: node.getText(source), line: line + 1, constant: inside });
    }
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(source, undefined);
  return words;
}

describe('the command line names no provider', () => {
  const files = filesUnder('src/cli');

  it('reads every file of src/cli', () => {
    expect(files).toEqual(
      expect.arrayContaining(['src/cli/emulator.ts', 'src/cli/webhooks.ts', 'src/cli/usage.ts']),
    );
  });

  it('has no provider name in its code: no literal, identifier, import, flag or URL', () => {
    const offenders = files.flatMap((file) =>
      wordsOf(file)
        .filter(({ text, constant }) => /onfido|jumio/i.test(text) && !PROSE.has(constant ?? ''))
        .map(
          ({ text, line }) => `${relative(root, join(root, file))}:${line} ${text.slice(0, 60)}`,
        ),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the exemption honest: the prose constants exist, in usage.ts only', () => {
    const found = new Set(
      files.flatMap((file) =>
        wordsOf(file)
          .filter(({ constant }) => constant !== undefined && PROSE.has(constant))
          .map(({ constant }) => `${file}:${constant}`),
      ),
    );
    expect([...found].sort()).toEqual([...PROSE].map((c) => `src/cli/usage.ts:${c}`).sort());
  });
});

// ---------------------------------------------------------------------------
// A provider the command line has never heard of.

interface AcmeEmulator extends ProviderEmulator {
  readonly apiKey: string;
  readonly baseUrl: string;
}

/** What the served Acme emulators were given, for assertions. */
const given: Array<{
  clock: AdvanceableClock;
  flags: Readonly<Record<string, string | undefined>>;
}> = [];

function createAcmeEmulator(options: {
  baseUrl: string;
  apiKey: string;
  callbackUrl: string;
  deliver: (delivery: EmulatorDelivery) => Promise<number | undefined>;
}): AcmeEmulator {
  const verdicts = new Map<string, string>();
  const sent: EmulatorDelivery[] = [];
  let requests: string[] = [];
  const handlers = [
    http.get(`${options.baseUrl}/me`, ({ request }) => {
      requests.push('GET /me');
      return request.headers.get('x-api-key') === options.apiKey
        ? HttpResponse.json({ ok: true })
        : HttpResponse.json({ error: 'unauthorized' }, { status: 401 });
    }),
  ];
  return {
    provider: 'acme',
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    handlers,
    config: (overrides = {}) =>
      ({
        provider: 'acme',
        apiKey: options.apiKey,
        baseUrl: options.baseUrl,
        ...overrides,
      }) as IdvConfig,
    setVerdict(subjectId, verdict) {
      if (!subjectId.startsWith('acme-'))
        throw new Error(`[acme emulator] no subject ${subjectId}`);
      verdicts.set(subjectId, verdict.reason);
    },
    async completeCustomerJourney(session) {
      const subjectId = session.subjectId ?? '';
      const delivery: EmulatorDelivery = {
        url: options.callbackUrl,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subjectId, reason: verdicts.get(subjectId) ?? 'CLEAR' }),
      };
      sent.push(delivery);
      delivery.answeredStatus = await options.deliver(delivery);
    },
    deliveries: () => [...sent],
    fail: () => undefined,
    servedBytes: () => undefined,
    requestCount: (method, path) =>
      requests.filter((r) => r.startsWith(`${method} `) && path.test(r.slice(method.length + 1)))
        .length,
    reset() {
      verdicts.clear();
      sent.length = 0;
      requests = [];
    },
    invalidCredentials: () => ({ apiKey: `${options.apiKey}-revoked` }),
  };
}

const acmeServing: EmulatorServing = {
  displayName: 'Acme',
  title: 'Acme (test API v1)',
  flags: [
    { name: 'api-key', value: '<k>', description: 'the API key Acme accepts (default: acme-key)' },
    {
      name: 'callback-url',
      value: '<url>',
      description: ['where Acme calls back', '(default: a reserved example host)'],
      url: true,
    },
  ],
  mounts: [{ label: 'Acme API v1', path: '/acme/v1' }],
  deliveries: "Acme's callbacks (--acme-callback-url)",
  journey: 'Acme then calls back at once',
  serve({ origin, clock, deliver, flags }) {
    given.push({ clock, flags });
    const emulator = createAcmeEmulator({
      baseUrl: `${origin}/acme/v1`,
      apiKey: flags['api-key'] ?? 'acme-key',
      callbackUrl: flags['callback-url'] ?? 'https://backend.example.com/acme',
      deliver,
    });
    return {
      emulator,
      info: { baseUrl: emulator.baseUrl, apiKey: emulator.apiKey },
      banner: [
        ['base URL', emulator.baseUrl],
        ['API key', emulator.apiKey],
      ],
      environment: [
        ['baseUrl', emulator.baseUrl],
        ['apiKey', emulator.apiKey],
      ],
      note: 'and point your callback endpoint at --acme-callback-url',
    };
  },
};

const acmeEntry: EmulatorModule = {
  createEmulator: () =>
    createAcmeEmulator({
      baseUrl: 'https://api.acme.test/v1',
      apiKey: 'acme-key',
      callbackUrl: 'https://backend.example.com/acme',
      deliver: async () => undefined,
    }),
  serving: acmeServing,
};

const acmeSchema = z.strictObject({
  ...commonOptionsShape,
  apiKey: z.string().min(1),
  baseUrl: z.string().url(),
  signingSecret: z.string().min(1).optional(),
});
type AcmeOptions = z.output<typeof acmeSchema>;

/** What the fake registration was asked, for assertions. */
const registrations: Array<{ url: string; events: readonly string[] | undefined }> = [];

function acmeProvider(options: AcmeOptions): IdentityVerificationProvider {
  return {
    name: 'acme',
    async checkConnection() {
      const started = Date.now();
      const response = await fetch(`${options.baseUrl}/me`, {
        headers: { 'x-api-key': options.apiKey },
      });
      if (!response.ok) {
        throw new ProviderApiError(
          `[idv] [acme] the API key was refused (HTTP ${response.status})`,
          {
            status: response.status,
            provider: 'acme',
            request: { method: 'GET', url: `${options.baseUrl}/me` },
          },
        );
      }
      return {
        provider: 'acme',
        ok: true,
        baseUrl: options.baseUrl,
        latencyMs: Date.now() - started,
        detail: 'GET /me',
      };
    },
  } as unknown as IdentityVerificationProvider;
}

const acmeDefinition: ProviderDefinition<AcmeOptions, z.input<typeof acmeSchema>, 'acme'> = {
  name: 'acme',
  optionsSchema: acmeSchema,
  describeTarget: (g) => (typeof g['baseUrl'] === 'string' ? g['baseUrl'] : undefined),
  emulator: async () => acmeEntry,
  webhooks: {
    title: 'Acme',
    tokenOption: 'signingSecret',
    async register(_provider, registration) {
      registrations.push({ url: registration.url, events: registration.events });
      return {
        id: 'hook-1',
        url: registration.url,
        token: 'acme-signing-secret-1234',
        created: true,
      };
    },
  },
  create: acmeProvider,
};

/** A provider with no emulator and no webhooks at all. */
const plainDefinition: ProviderDefinition = {
  name: 'plain',
  optionsSchema: z.strictObject({ ...commonOptionsShape, key: z.string() }),
  create: () => {
    throw new ConfigError('[idv] [plain] not for this test');
  },
};

function acmeOnly(): ProviderRegistry {
  return new ProviderRegistry().register(acmeDefinition).register(plainDefinition);
}

interface RunningCli {
  url: string;
  stdout: Capture;
  stderr: Capture;
  stop(): Promise<number>;
}

async function startEmulatorCli(
  registry: ProviderRegistry,
  args: readonly string[],
): Promise<RunningCli> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stop = new AbortController();
  let ended: number | undefined;
  const done = runCli(
    ['emulator', '--port', '0', ...args],
    { stdout, stderr, env: {}, signal: stop.signal },
    { registry },
  ).then((code) => {
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
    stop: () => {
      stop.abort();
      return done;
    },
  };
}

async function run(
  registry: ProviderRegistry,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env }, { registry });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** What the control endpoints answer (the fields these tests read). */
interface ControlJson {
  error: { message: string };
  deliveries: unknown[];
}

async function post(url: string, body: unknown): Promise<{ status: number; json: ControlJson }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('a provider the command line has never heard of', () => {
  it('is served by `emulator` with its own flags, banner, variables and control endpoints', async () => {
    const receiver: Receiver = await startReceiver();
    const emulator = await startEmulatorCli(acmeOnly(), [
      '--acme-api-key',
      'acme-key-42',
      '--acme-callback-url',
      `${receiver.url}/acme/callback`,
      '--quiet',
    ]);
    try {
      const { url } = emulator;
      const out = emulator.stdout.text;
      expect(out).toContain(
        `Acme (test API v1)\n  base URL  ${url}/acme/v1\n  API key   acme-key-42\n`,
      );
      expect(out).toContain(
        [
          'A backend using Acme:',
          '  export IDV_PROVIDER=acme',
          `  export IDV_ACME_BASE_URL=${url}/acme/v1`,
          '  export IDV_ACME_API_KEY=acme-key-42',
          '  # and point your callback endpoint at --acme-callback-url',
        ].join('\n'),
      );
      expect(out).not.toMatch(/onfido|jumio/i);
      // The emulator got its flags by their own names, and real time.
      const last = given[given.length - 1];
      expect(last?.flags).toEqual({
        'api-key': 'acme-key-42',
        'callback-url': `${receiver.url}/acme/callback`,
      });
      expect(Math.abs((last?.clock.now() ?? 0) - Date.now())).toBeLessThan(60_000);

      // Its API answers on the shared port.
      const me = await fetch(`${url}/acme/v1/me`, { headers: { 'x-api-key': 'acme-key-42' } });
      expect(me.status).toBe(200);

      const info = (await (await fetch(`${url}/_emulator`)).json()) as Record<string, unknown>;
      expect(Object.keys(info)).toEqual(['acme', 'reasons', 'reasonsByProvider', 'endpoints']);
      expect(info['acme']).toEqual({ baseUrl: `${url}/acme/v1`, apiKey: 'acme-key-42' });

      expect(
        await post(`${url}/_emulator/verdict`, {
          provider: 'acme',
          subjectId: 'acme-1',
          reason: 'CAUTION_DATA_COMPARISON',
        }),
      ).toEqual({
        status: 200,
        json: {
          ok: true,
          provider: 'acme',
          subjectId: 'acme-1',
          reason: 'CAUTION_DATA_COMPARISON',
        },
      });
      const refused = await post(`${url}/_emulator/verdict`, {
        provider: 'onfido',
        subjectId: 'acme-1',
        reason: 'CLEAR',
      });
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toBe('unknown provider "onfido": expected "acme"');

      const journey = await post(`${url}/_emulator/journey`, {
        provider: 'acme',
        session: { subjectId: 'acme-1' },
      });
      expect(journey.json.deliveries).toMatchObject([
        { provider: 'acme', url: `${receiver.url}/acme/callback`, status: 200 },
      ]);
      expect(receiver.received[0]?.body).toBe(
        JSON.stringify({ subjectId: 'acme-1', reason: 'CAUTION_DATA_COMPARISON' }),
      );
      expect(await post(`${url}/_emulator/reset`, {})).toEqual({
        status: 200,
        json: { ok: true, reset: ['acme'] },
      });

      // `check` reaches it with the printed variables.
      const checked = await run(acmeOnly(), ['check'], {
        IDV_PROVIDER: 'acme',
        IDV_ACME_BASE_URL: `${url}/acme/v1`,
        IDV_ACME_API_KEY: 'acme-key-42',
      });
      expect(checked.stdout).toContain('✔ acme accepted the credentials');
      expect(checked.code).toBe(0);
    } finally {
      expect(await emulator.stop()).toBe(0);
      await receiver.close();
    }
  });

  it('refuses a bad value of its URL flag, naming the flag', async () => {
    const run_ = await run(acmeOnly(), ['emulator', '--acme-callback-url', 'not a url']);
    expect(run_.code).toBe(2);
    expect(run_.stderr).toContain('option --acme-callback-url must be an absolute http(s) URL');
    const unknown = await run(acmeOnly(), ['emulator', '--onfido-api-token', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --onfido-api-token for "emulator"');
  });

  it("lists its flags and paths in the emulator's help, after the built-ins'", async () => {
    const registry = createRegistry().register(acmeDefinition);
    const help = await run(registry, ['emulator', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Serves the Onfido, Jumio and Acme emulators on one port');
    expect(help.stdout).toContain('  Acme API v1         http://<host>:<port>/acme/v1\n');
    expect(help.stdout).toMatch(
      /--jumio-client-secret <s> {3}the client secret[^\n]*\n {2}--jumio-no-rate-limits {6}turn off[^\n]*\n {30}[^\n]*\n {2}--acme-api-key <k> {10}the API key Acme accepts/,
    );
    expect(help.stdout).toContain('provider is "onfido", "jumio" or "acme"):');
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      "Onfido's webhooks (POST /webhooks, or --onfido-webhook-url), Jumio's callbackUrl from the account request and Acme's callbacks (--acme-callback-url).",
    );
    const only = await run(acmeOnly(), ['help', 'emulator']);
    expect(only.stdout).toContain('Serves the Acme emulators on one port');
    expect(only.stdout).not.toMatch(/onfido|jumio/i);
  });

  it('registers its webhook through its definition, naming its token variable', async () => {
    const env = {
      IDV_PROVIDER: 'acme',
      IDV_ACME_BASE_URL: 'https://api.acme.test/v1',
      IDV_ACME_API_KEY: 'k',
    };
    const url = 'http://backend.acme.test/hooks';
    const registered = await run(
      acmeOnly(),
      ['webhooks', 'register', '--url', url, '--events', 'a,b', '--show-token'],
      env,
    );
    expect(registered.code).toBe(0);
    expect(registrations).toContainEqual({ url, events: ['a', 'b'] });
    expect(registered.stderr).toContain(`… registering ${url} with acme`);
    expect(registered.stdout).toContain('IDV_ACME_SIGNING_SECRET=acme-signing-secret-1234\n');

    const plain = await run(acmeOnly(), ['webhooks', 'register', '--url', url], {
      IDV_PROVIDER: 'plain',
      IDV_PLAIN_KEY: 'k',
    });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain(
      '[idv] [plain] webhooks register is for Acme only: provider "plain" has no webhook registration here',
    );
  });
});

describe('emulator, where the emulators cannot load', () => {
  const missing = (): ProviderRegistry =>
    new ProviderRegistry().register({
      ...plainDefinition,
      emulator: async () => {
        throw Object.assign(new Error("Cannot find package 'msw'"), {
          code: 'ERR_MODULE_NOT_FOUND',
        });
      },
    });

  it('says msw is needed, exit 1', async () => {
    const served = await run(missing(), ['emulator']);
    expect(served.code).toBe(1);
    expect(served.stderr).toContain('✖ the emulators need the optional package msw');
  });

  it('still prints its help, without the emulators, and says why', async () => {
    const help = await run(missing(), ['emulator', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Serves the emulators on one port');
    expect(help.stdout).toContain('--deliver-to <origin>');
    expect(help.stderr).toContain('the emulators need the optional package msw');
  });
});

describe("the built-in emulators' serving parts", () => {
  it('are found through the definitions, in registry order', () => {
    expect(onfidoEmulatorEntry.serving?.flags.map((f) => f.name)).toEqual([
      'api-token',
      'webhook-url',
      'workflow',
    ]);
    expect(jumioEmulatorEntry.serving?.flags.map((f) => f.name)).toEqual([
      'client-id',
      'client-secret',
      'no-rate-limits',
    ]);
  });

  it('hand the clock they are given to their emulator (Jumio too: its time runs)', async () => {
    let now = Date.now();
    const clock: AdvanceableClock = {
      now: () => now,
      sleep: async () => undefined,
      random: () => 0.5,
      advance: (ms) => {
        now += ms;
      },
    };
    const serve = (entry: EmulatorModule) =>
      entry.serving?.serve({
        origin: 'http://127.0.0.1:1',
        clock,
        deliver: async () => undefined,
        flags: {},
      });
    expect(serve(onfidoEmulatorEntry)?.emulator.config()['clock']).toBe(clock);

    // Jumio's access tokens expire on the clock it is given: an hour later they are refused.
    const jumio = serve(jumioEmulatorEntry);
    if (jumio === undefined) throw new Error('no Jumio serving');
    const info = jumio.info as Record<string, string>;
    const basic = Buffer.from(`${info['clientId']}:${info['clientSecret']}`).toString('base64');
    const tokenAnswer = await getResponse(
      [...jumio.emulator.handlers],
      new Request(`${info['authBaseUrl']}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'user-agent': 'idv-test',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      }),
    );
    if (tokenAnswer === undefined) throw new Error('the token request was not answered');
    const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
    const read = async () =>
      (
        await getResponse(
          [...jumio.emulator.handlers],
          new Request(`${info['accountBaseUrl']}/api/v1/accounts/a/workflow-executions/e`, {
            headers: { authorization: `Bearer ${token}`, 'user-agent': 'idv-test' },
          }),
        )
      )?.status;
    expect(await read()).toBe(404);
    clock.advance(2 * 3600 * 1000);
    expect(await read()).toBe(401);
  });
});
