import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, type Served, serveBoth } from './helpers';

let served: Served;
let dir: string;

beforeAll(async () => {
  served = await serveBoth();
  dir = await mkdtemp(join(tmpdir(), 'idv-cli-webhooks-'));
});
afterEach(() => {
  served.onfido.reset();
});
afterAll(async () => {
  await served.server.close();
  await rm(dir, { recursive: true, force: true });
});

const URL_ = 'https://cas.example.com/serverapi/apiv1/identity-check/onfidowh';

interface ListedWebhook {
  url: string;
  token: string;
  events: string[] | null;
}

/** The webhook the emulator holds for a URL (read through its own API, as Onfido's dashboard shows it). */
async function registered(url: string): Promise<ListedWebhook> {
  const list = await fetch(`${served.server.url}/onfido/v3.6/webhooks`, {
    headers: { authorization: `Token token=${served.onfido.apiToken}` },
  });
  const { webhooks } = (await list.json()) as { webhooks: ListedWebhook[] };
  const hook = webhooks.find((w) => w.url === url);
  if (hook === undefined) throw new Error(`no webhook for ${url}`);
  return hook;
}

const registeredToken = async (url: string): Promise<string> => (await registered(url)).token;

describe('webhooks register', () => {
  it('creates the webhook, then finds it on a second run, never printing the token unasked', async () => {
    const first = await cli(['webhooks', 'register', '--url', URL_], served.onfidoEnv);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('✔ webhook created');
    expect(first.stdout).toMatch(/id\s+[0-9a-f-]{36}\n/);
    expect(first.stdout).toContain(`url  ${URL_}`);
    expect(first.stdout).toContain("store the webhook's signing token as IDV_ONFIDO_WEBHOOK_TOKEN");
    expect(first.stdout).toContain('--token-file <path>');
    expect(first.stderr).toContain(`… registering ${URL_} with onfido`);
    expect(served.onfido.requestCount('POST', /\/webhooks$/)).toBe(1);

    const token = await registeredToken(URL_);
    const second = await cli(['webhooks', 'register', '--url', URL_], served.onfidoEnv);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('✔ webhook found: this URL was already registered');
    expect(served.onfido.requestCount('POST', /\/webhooks$/)).toBe(1);
    const id = /id\s+([0-9a-f-]{36})/.exec(first.stdout)?.[1];
    expect(second.stdout).toContain(`id   ${id}`);
    for (const run of [first, second]) {
      expect(run.stdout + run.stderr).not.toContain(token);
      expect(run.stdout + run.stderr).not.toContain(served.onfido.apiToken);
    }
  });

  it('writes the token to --token-file with mode 0600, and not to the terminal', async () => {
    const file = join(dir, 'onfido-webhook-token');
    const run = await cli(
      ['webhooks', 'register', '--url', URL_, '--token-file', file],
      served.onfidoEnv,
    );
    expect(run.code).toBe(0);
    const token = await registeredToken(URL_);
    expect(await readFile(file, 'utf8')).toBe(`${token}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(run.stdout).toContain(`✔ signing token written to ${file} (mode 0600)`);
    expect(run.stdout + run.stderr).not.toContain(token);
  });

  it('tightens an existing token file to 0600', async () => {
    const file = join(dir, 'loose-token');
    await writeFile(file, 'old\n', { mode: 0o644 });
    const run = await cli(
      ['webhooks', 'register', '--url', URL_, '--token-file', file],
      served.onfidoEnv,
    );
    expect(run.code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`${await registeredToken(URL_)}\n`);
  });

  it('prints the token once on stdout, marked as a secret, only with --show-token', async () => {
    const run = await cli(
      ['webhooks', 'register', '--url', URL_, '--show-token'],
      served.onfidoEnv,
    );
    expect(run.code).toBe(0);
    const token = await registeredToken(URL_);
    expect(run.stdout).toContain('the signing token (SECRET):');
    expect(run.stdout.split(token).length - 1).toBe(1);
    expect(run.stdout).toContain(`IDV_ONFIDO_WEBHOOK_TOKEN=${token}\n`);
    expect(run.stderr).not.toContain(token);
  });

  it('subscribes to the given events when creating', async () => {
    const url = 'https://cas.example.com/events-only';
    const run = await cli(
      ['webhooks', 'register', '--url', url, '--events', 'check.completed, workflow_run.completed'],
      served.onfidoEnv,
    );
    expect(run.code).toBe(0);
    expect((await registered(url)).events).toEqual(['check.completed', 'workflow_run.completed']);
    const again = await cli(
      ['webhooks', 'register', '--url', url, '--events', 'check.started'],
      served.onfidoEnv,
    );
    expect(again.stdout).toContain('--events applies when a webhook is created');
  });

  it('says whether the configured IDV_ONFIDO_WEBHOOK_TOKEN matches', async () => {
    await cli(['webhooks', 'register', '--url', URL_], served.onfidoEnv);
    const token = await registeredToken(URL_);
    const matching = await cli(['webhooks', 'register', '--url', URL_], {
      ...served.onfidoEnv,
      IDV_ONFIDO_WEBHOOK_TOKEN: token,
    });
    expect(matching.stdout).toContain(
      "✔ IDV_ONFIDO_WEBHOOK_TOKEN already holds this webhook's token",
    );
    const stale = await cli(['webhooks', 'register', '--url', URL_], {
      ...served.onfidoEnv,
      IDV_ONFIDO_WEBHOOK_TOKEN: 'an-old-token-from-another-webhook',
    });
    expect(stale.code).toBe(0);
    expect(stale.stdout).toContain('IDV_ONFIDO_WEBHOOK_TOKEN holds another token');
    for (const run of [matching, stale]) {
      expect(run.stdout + run.stderr).not.toContain(token);
      expect(run.stdout + run.stderr).not.toContain('an-old-token-from-another-webhook');
    }
  });
});

describe('webhooks register: refusals', () => {
  it('is for Onfido only, and says what Jumio does instead (exit 2)', async () => {
    const run = await cli(['webhooks', 'register', '--url', URL_], served.jumioEnv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[idv] [jumio] webhooks register is for Onfido only');
    expect(run.stderr).toContain('IDV_JUMIO_CALLBACK_URL');
    expect(served.jumio.tokenRequests()).toBe(0);
  });

  it('needs --url, and an https one', async () => {
    const missing = await cli(['webhooks', 'register'], served.onfidoEnv);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('option --url is required');
    const plain = await cli(
      ['webhooks', 'register', '--url', 'http://cas.example.com/onfidowh'],
      served.onfidoEnv,
    );
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('option --url must be an https URL');
    const relative = await cli(['webhooks', 'register', '--url', '/onfidowh'], served.onfidoEnv);
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain('option --url must be an absolute URL');
    expect(served.onfido.requestCount('GET', /\/webhooks$/)).toBe(0);
  });

  it('reports a refused API token with exit 3', async () => {
    const wrong = 'api_sandbox.definitely-not-the-token-42';
    const run = await cli(['webhooks', 'register', '--url', URL_], {
      ...served.onfidoEnv,
      IDV_ONFIDO_API_TOKEN: wrong,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('✖ onfido refused the credentials (HTTP 401)');
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });

  it('reports an unwritable token file with exit 1, after registering', async () => {
    const run = await cli(
      ['webhooks', 'register', '--url', URL_, '--token-file', join(dir, 'no', 'such', 'dir')],
      served.onfidoEnv,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✔ webhook created');
    expect(run.stderr).toContain('the token could not be written to');
    expect(run.stderr).toContain('(ENOENT)');
  });
});
