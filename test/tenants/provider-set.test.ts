/**
 * The provider set on its own: built from code, from JSON text with `${ENV}`
 * references and from the file `IDV_TENANTS_FILE` names; validated whole;
 * providers created on first use, once; reloads that add, remove and change
 * tenants while calls hold the provider they started with.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  createProviderSet,
  type IdentityVerificationProvider,
  ProviderApiError,
  providerSetFromEnv,
  readTenantsFile,
  TENANTS_FILE_ENV,
} from 'idv-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clock,
  countingRegistry,
  expectNoSecret,
  jumioJ,
  onfidoA,
  onfidoB,
  ref,
  rejectionOf,
  SECRETS,
  tenantsDocument,
  useEmulators,
} from './helpers';

useEmulators();

/** The document with `${ENV}` references in place of every secret, and the environment that holds them. */
function withReferences() {
  const document = tenantsDocument({
    'org-a': { apiToken: ref('ORG_A_ONFIDO_TOKEN'), webhookToken: ref('ORG_A_WEBHOOK_TOKEN') },
    'org-j': { clientId: ref('ORG_J_ID'), clientSecret: `SECRET-${ref('ORG_J_SECRET_TAIL')}` },
  });
  const env = {
    ORG_A_ONFIDO_TOKEN: SECRETS['org-a'].apiToken,
    ORG_A_WEBHOOK_TOKEN: onfidoA.webhookToken,
    ORG_J_ID: SECRETS['org-j'].clientId,
    ORG_J_SECRET_TAIL: SECRETS['org-j'].clientSecret.slice('SECRET-'.length),
  };
  return { document, env };
}

describe('a provider set built from code', () => {
  it('names its tenants and their providers, and creates none until one is used', async () => {
    const { registry, creations } = countingRegistry();
    const set = createProviderSet(tenantsDocument(), { registry, clock });
    expect(set.tenants()).toEqual(['org-a', 'org-b', 'org-j']);
    expect(set.has('org-b')).toBe(true);
    expect(set.has('org-x')).toBe(false);
    expect(set.providerName('org-j')).toBe('jumio');
    expect(creations.count).toEqual({});

    const jumio = await set.provider('org-j');
    expect(jumio.name).toBe('jumio');
    expect(creations.count).toEqual({ jumio: 1 });
    expect(await set.provider('org-j')).toBe(jumio);
    expect((await jumio.checkConnection()).ok).toBe(true);
    expect(creations.count).toEqual({ jumio: 1 });
  });

  it('creates a provider once however many ask for it at the same moment', async () => {
    const { registry, creations } = countingRegistry();
    const set = createProviderSet(tenantsDocument(), { registry, clock });
    const asked = await Promise.all(Array.from({ length: 10 }, () => set.provider('org-a')));
    expect(new Set(asked).size).toBe(1);
    expect(creations.count).toEqual({ onfido: 1 });
  });

  it("gives each tenant a provider of its own account: org-a's talks to org-a's emulator only", async () => {
    const set = createProviderSet(tenantsDocument(), { clock });
    const a = await set.provider('org-a');
    const b = await set.provider('org-b');
    expect(a).not.toBe(b);
    const started = await a.startVerification({
      identityReference: 'identity-1',
      person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
    });
    expect(onfidoA.requestCount('POST', /\/applicants$/)).toBe(1);
    expect(onfidoB.requestCount('POST', /\/applicants$/)).toBe(0);
    // org-b's account does not know org-a's applicant.
    const error = await rejectionOf(b.getResult(started.session));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).fields).toEqual({ applicant_id: ['not found'] });
  });

  it('refuses a tenant not in the configuration with a ConfigError naming it', async () => {
    const set = createProviderSet(tenantsDocument(), { clock });
    const error = await rejectionOf(set.provider('org-x'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      '[idv] [tenants] unknown tenant "org-x": it is not in the configuration',
    );
    expect(() => set.providerName('org-x')).toThrow(/unknown tenant "org-x"/);
  });

  it('validates every tenant at once, naming each tenant at fault, and the option', () => {
    const document = tenantsDocument({ 'org-a': { apiToken: undefined } });
    delete (document['org-a'] as Record<string, unknown>)['apiToken'];
    (document['org-j'] as Record<string, unknown>)['clientSecretz'] = 'x';
    const error = (() => {
      try {
        createProviderSet(document, { clock });
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^\[idv\] \[tenants\] 2 tenants are misconfigured: /);
    expect((error as Error).message).toContain('tenant "org-a": [onfido]');
    expect((error as Error).message).toContain('"apiToken"');
    expect((error as Error).message).toContain(
      'tenant "org-j": [jumio] unknown option "clientSecretz"',
    );

    const one = tenantsDocument({ 'org-j': { region: 'mars-1' } });
    expect(() => createProviderSet(one, { clock })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /^\[idv\] \[tenants\] tenant "org-j": \[jumio\] invalid option "region"/,
        ),
        option: 'org-j.region',
      }),
    );
  });

  it('refuses documents of the wrong shape, and tenant ids that are not safe in a path', () => {
    expect(() => createProviderSet([] as never)).toThrow(/must be a JSON object of tenant ids/);
    expect(() => createProviderSet({ 'org a': { provider: 'onfido' } })).toThrow(
      /invalid tenant id "org a"/,
    );
    expect(() => createProviderSet({ '../etc': { provider: 'onfido' } })).toThrow(
      /invalid tenant id/,
    );
    expect(() => createProviderSet({ 'org-a': 'onfido' as never })).toThrow(
      /tenant "org-a" must be an object with a "provider" field/,
    );
    expect(() => createProviderSet({ 'org-a': { provider: 'sumsub' } })).toThrow(
      /tenant "org-a": unknown provider "sumsub": expected one of "onfido", "jumio"/,
    );
  });
});

describe('a provider set from JSON and the environment', () => {
  it('resolves ENV references in JSON text, also inside a longer value', async () => {
    const { document, env } = withReferences();
    const set = createProviderSet(JSON.stringify(document), { env, clock });
    expect((await (await set.provider('org-a')).checkConnection()).ok).toBe(true);
    expect((await (await set.provider('org-j')).checkConnection()).ok).toBe(true);
  });

  it('names the tenant, the option and the variable of a reference that is not set, never a value', () => {
    const { document, env } = withReferences();
    const { ORG_J_ID: _missing, ...rest } = env;
    const error = (() => {
      try {
        createProviderSet(JSON.stringify(document), { env: rest, clock });
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `[idv] [tenants] tenant "org-j": option "clientId" refers to ${ref('ORG_J_ID')}, which is not set in the environment`,
    );
    expect((error as ConfigError).option).toBe('org-j.clientId');
    expectNoSecret(error);
  });

  it('says JSON text is not valid without quoting it', () => {
    const text = `{ "org-a": { "provider": "onfido", "apiToken": "${SECRETS['org-a'].apiToken}", } }`;
    const error = (() => {
      try {
        createProviderSet(text);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a ConfigError');
    })();
    expect((error as Error).message).toBe('[idv] [tenants] the tenants document is not valid JSON');
    expectNoSecret(error);
  });

  describe('IDV_TENANTS_FILE', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'idv-tenants-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('builds the set from the file it names, with references read from the same environment', async () => {
      const { document, env } = withReferences();
      const path = join(dir, 'tenants.json');
      await writeFile(path, JSON.stringify(document, null, 2));
      const { registry, creations } = countingRegistry();
      const set = await providerSetFromEnv(
        { ...env, [TENANTS_FILE_ENV]: path },
        { registry, clock },
      );
      expect(set.tenants()).toEqual(['org-a', 'org-b', 'org-j']);
      expect(creations.count).toEqual({});
      expect((await (await set.provider('org-j')).checkConnection()).ok).toBe(true);

      // The file changed: a reload from it, without a restart.
      const next = { ...document };
      delete next['org-b'];
      await writeFile(path, JSON.stringify(next));
      expect(set.reload(await readTenantsFile(path))).toEqual({
        added: [],
        removed: ['org-b'],
        changed: [],
        unchanged: ['org-a', 'org-j'],
      });
    });

    it('says when the variable is not set, or the file cannot be read', async () => {
      await expect(providerSetFromEnv({})).rejects.toThrow(
        /^\[idv\] \[tenants\] IDV_TENANTS_FILE is not set: name a JSON file/,
      );
      const missing = join(dir, 'nope.json');
      await expect(providerSetFromEnv({ [TENANTS_FILE_ENV]: missing })).rejects.toThrow(
        `[idv] [tenants] tenants file ${missing}: no such file`,
      );
      await writeFile(join(dir, 'bad.json'), '{ "org-a": ');
      await expect(
        providerSetFromEnv({ [TENANTS_FILE_ENV]: join(dir, 'bad.json') }),
      ).rejects.toThrow(`tenants file ${join(dir, 'bad.json')} is not valid JSON`);
    });
  });
});

describe('reloading a provider set', () => {
  it('keeps the provider of a tenant whose config is the same, and makes a new one for a changed tenant', async () => {
    const { registry, creations } = countingRegistry();
    const set = createProviderSet(tenantsDocument(), { registry, clock });
    const a = await set.provider('org-a');
    const j = await set.provider('org-j');
    expect(creations.count).toEqual({ onfido: 1, jumio: 1 });

    const changes = set.reload(tenantsDocument({ 'org-a': { autoRegistration: true } }));
    expect(changes).toEqual({
      added: [],
      removed: [],
      changed: ['org-a'],
      unchanged: ['org-b', 'org-j'],
    });
    expect(await set.provider('org-j')).toBe(j);
    const a2 = await set.provider('org-a');
    expect(a2).not.toBe(a);
    expect(creations.count).toEqual({ onfido: 2, jumio: 1 });
  });

  it('refuses a removed tenant afterwards, naming it, and takes it back when it is added again', async () => {
    const set = createProviderSet(tenantsDocument(), { clock });
    await set.provider('org-b');
    const { 'org-b': b, ...rest } = tenantsDocument();
    expect(set.reload(rest).removed).toEqual(['org-b']);
    expect(set.has('org-b')).toBe(false);
    const error = await rejectionOf(set.provider('org-b'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      '[idv] [tenants] tenant "org-b" was removed from the configuration',
    );
    expectNoSecret(error);

    expect(set.reload({ ...rest, 'org-b': b! }).added).toEqual(['org-b']);
    expect((await (await set.provider('org-b')).checkConnection()).ok).toBe(true);
  });

  it('leaves the set as it was when the new document is invalid', async () => {
    const set = createProviderSet(tenantsDocument(), { clock });
    const a = await set.provider('org-a');
    expect(() =>
      set.reload({ ...tenantsDocument(), 'org-c': { provider: 'onfido', region: 'EU' } }),
    ).toThrow(/tenant "org-c": \[onfido\]/);
    expect(set.tenants()).toEqual(['org-a', 'org-b', 'org-j']);
    expect(await set.provider('org-a')).toBe(a);
    expect(set.has('org-c')).toBe(false);
  });

  it('lets a call that started before a reload finish with the provider it started with', async () => {
    const { registry } = countingRegistry();
    const set = createProviderSet(tenantsDocument(), { registry, clock });
    const before = set.provider('org-a'); // being created when the reload lands
    set.reload(tenantsDocument({ 'org-a': { autoRegistration: true } }));
    const old = await before;
    const now = await set.provider('org-a');
    expect(now).not.toBe(old);
    // The old provider still works with the account it was made for.
    expect((await old.checkConnection()).ok).toBe(true);
  });

  it('does not keep a failed creation: the next use tries again', async () => {
    let failures = 1;
    const { registry } = countingRegistry((provider: IdentityVerificationProvider) => {
      if (failures-- > 0) throw new ConfigError('[idv] [onfido] the adapter could not be loaded');
      return provider;
    });
    const set = createProviderSet(tenantsDocument(), { registry, clock });
    const error = await rejectionOf(set.provider('org-a'));
    expect((error as Error).message).toBe(
      '[idv] [tenants] tenant "org-a": its onfido provider could not be created: [onfido] the adapter could not be loaded',
    );
    expect((await set.provider('org-a')).name).toBe('onfido');
  });
});

describe('ready()', () => {
  it('checks every tenant and answers per tenant', async () => {
    const set = createProviderSet(tenantsDocument(), { clock });
    const ready = await set.ready();
    expect(ready.map((r) => [r.tenant, r.provider, r.connection.ok])).toEqual([
      ['org-a', 'onfido', true],
      ['org-b', 'onfido', true],
      ['org-j', 'jumio', true],
    ]);
  });

  it('names the tenant whose credentials are refused, with the provider error as the cause', async () => {
    const set = createProviderSet(
      tenantsDocument({ 'org-b': { apiToken: 'api_sandbox.SECRET-org-b-wrong-0c9d8e7f6a' } }),
      { clock },
    );
    const error = await rejectionOf(set.ready(['webhooks', 'results']));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^\[idv\] \[tenants\] not ready: tenant "org-b": \[onfido\]/,
    );
    expect((error as Error).cause).toBeInstanceOf(ProviderApiError);
    expectNoSecret(error, [
      'api_sandbox.SECRET-org-b-wrong-0c9d8e7f6a',
      SECRETS['org-a'].apiToken,
      SECRETS['org-j'].clientSecret,
    ]);
  });

  it('names a tenant lacking what a use needs', async () => {
    const set = createProviderSet(tenantsDocument({ 'org-a': { webhookToken: undefined } }), {
      clock,
    });
    await expect(set.ready(['webhooks'], { tenants: ['org-a', 'org-j'] })).rejects.toThrow(
      /not ready: tenant "org-a": \[intake\] ready\(\): the onfido provider is not ready for webhooks: .*"webhookToken"/,
    );
    expect((await set.ready(['webhooks'], { tenants: ['org-j'] })).map((r) => r.tenant)).toEqual([
      'org-j',
    ]);
    void jumioJ;
  });
});
