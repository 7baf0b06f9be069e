/**
 * Three tenants on the emulators, each with secrets of its own: `org-a`
 * (Onfido EU), `org-b` (Onfido, another account) and `org-j` (Jumio). Every
 * emulator answers on hosts of its own, so a request with the wrong tenant's
 * credentials is refused as it would be by the real provider. Deliveries go
 * to whichever route the test installs, by path.
 */
import { inspect } from 'node:util';
import {
  createRegistry,
  type IdentityVerificationProvider,
  type ProviderDefinition,
  type ProviderRegistry,
} from 'idv-providers';
import {
  createJumioEmulator,
  createOnfidoEmulator,
  createTestClock,
  type EmulatorDelivery,
} from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** The receiving host of the tests (the CAS server behind its TLS proxy). */
export const HOST = 'https://cas.test';
/** One of Jumio's published amer-1 callback addresses (docs/provider-facts.md#j-cb-5). */
export const JUMIO_SENDER = '34.202.241.227';

/** `${NAME}`, a reference to an environment variable, written without a template string's placeholder. */
export const ref = (name: string): string => ['$', '{', name, '}'].join('');

/** Distinct secrets per tenant: any one found in another tenant's error is a leak. */
export const SECRETS = {
  'org-a': { apiToken: 'api_sandbox.SECRET-org-a-onfido-7d1e93c2b8' },
  'org-b': { apiToken: 'api_sandbox.SECRET-org-b-onfido-4a6f0e5d21' },
  'org-j': {
    clientId: 'SECRET-org-j-jumio-id-93b1c0',
    clientSecret: 'SECRET-org-j-jumio-secret-5e2d8a7f',
  },
} as const;

export const clock = createTestClock();

export const onfidoA = createOnfidoEmulator({
  apiToken: SECRETS['org-a'].apiToken,
  baseUrl: 'https://org-a.onfido.test/v3.6',
  region: 'EU',
  webhookUrl: `${HOST}/onfidowh/org-a`,
  clock,
  deliver: (delivery) => deliver(delivery),
});
export const onfidoB = createOnfidoEmulator({
  apiToken: SECRETS['org-b'].apiToken,
  baseUrl: 'https://org-b.onfido.test/v3.6',
  webhookUrl: `${HOST}/onfidowh/org-b`,
  clock,
  deliver: (delivery) => deliver(delivery),
});
export const jumioJ = createJumioEmulator({
  clientId: SECRETS['org-j'].clientId,
  clientSecret: SECRETS['org-j'].clientSecret,
  callbackUrl: `${HOST}/jumiocb/org-j`,
  baseUrls: {
    auth: 'https://org-j-auth.jumio.test',
    account: 'https://org-j-account.jumio.test',
    retrieval: 'https://org-j-retrieval.jumio.test',
  },
  rateLimits: false,
  clock,
  deliver: (delivery) => deliver(delivery),
});

/** Every secret in play: the configured ones, the webhook tokens and the access tokens issued. */
export function allSecrets(): string[] {
  return [
    SECRETS['org-a'].apiToken,
    SECRETS['org-b'].apiToken,
    SECRETS['org-j'].clientId,
    SECRETS['org-j'].clientSecret,
    onfidoA.webhookToken,
    onfidoB.webhookToken,
    ...jumioJ.issuedTokens(),
  ];
}

/** The config of one emulator's tenant, as a tenants document holds it (no clock: the set shares one). */
function tenantConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { clock: _clock, ...rest } = config;
  return rest;
}

/** A tenants document for the three tenants; `overrides` replace options per tenant. */
export function tenantsDocument(
  overrides: Partial<Record<'org-a' | 'org-b' | 'org-j', Record<string, unknown>>> = {},
): Record<string, Record<string, unknown>> {
  return {
    'org-a': tenantConfig({ ...onfidoA.config(), ...overrides['org-a'] }),
    'org-b': tenantConfig({ ...onfidoB.config(), ...overrides['org-b'] }),
    'org-j': tenantConfig({ ...jumioJ.config(), ...overrides['org-j'] }),
  };
}

/** Where deliveries go: the route installed for a path prefix (`/onfidowh`, `/jumiocb`). */
export const routes = new Map<
  string,
  (request: Request, context?: { remoteAddress?: string | undefined }) => Promise<Response>
>();

/** Sends one delivery to the installed route its URL's path names; answers its status. */
export async function deliver(delivery: EmulatorDelivery): Promise<number | undefined> {
  const url = new URL(delivery.url);
  const prefix = `/${url.pathname.split('/')[1] ?? ''}`;
  const route = routes.get(prefix);
  if (route === undefined) return 503;
  const response = await route(
    new Request(delivery.url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
    }),
    { remoteAddress: prefix === '/jumiocb' ? JUMIO_SENDER : '198.51.100.20' },
  );
  await response.arrayBuffer();
  return response.status;
}

/** Sends a delivery to another URL than the one it was made for (a tenant's webhook posted to another's route). */
export function redirected(delivery: EmulatorDelivery, url: string): EmulatorDelivery {
  return { ...delivery, url };
}

/** Serves the three emulators for the test file; forgets their state and the routes after every test. */
export function useEmulators(): void {
  const server = setupServer(...onfidoA.handlers, ...onfidoB.handlers, ...jumioJ.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    routes.clear();
    server.resetHandlers();
    onfidoA.reset();
    onfidoB.reset();
    jumioJ.reset();
  });
  afterAll(() => server.close());
}

/** Counts of providers created, by provider name, through {@link countingRegistry}. */
export interface Creations {
  count: Record<string, number>;
  /** Every provider created, in order, with the options' base URL or region for telling them apart. */
  made: IdentityVerificationProvider[];
}

/**
 * A registry of the built-in providers whose definitions count what they
 * create; `wrap` may stand in front of each provider made (to observe or
 * delay its calls).
 */
export function countingRegistry(
  wrap?: (provider: IdentityVerificationProvider) => IdentityVerificationProvider,
): { registry: ProviderRegistry; creations: Creations } {
  const registry = createRegistry();
  const creations: Creations = { count: {}, made: [] };
  for (const name of ['onfido', 'jumio']) {
    const definition = registry.get(name);
    registry.register(
      {
        ...definition,
        async create(options: unknown) {
          creations.count[name] = (creations.count[name] ?? 0) + 1;
          const made = await definition.create(options);
          const provider = wrap === undefined ? made : wrap(made);
          creations.made.push(provider);
          return provider;
        },
      } as ProviderDefinition<unknown>,
      { replace: true },
    );
  }
  return { registry, creations };
}

/**
 * A provider standing in front of another: `overrides` replace some of its
 * methods (each gets the original, bound), the rest are the provider's own.
 */
export function intercept(
  provider: IdentityVerificationProvider,
  overrides: Partial<{
    [K in keyof IdentityVerificationProvider]: (
      original: IdentityVerificationProvider[K],
    ) => IdentityVerificationProvider[K];
  }>,
): IdentityVerificationProvider {
  // Adapters are frozen objects of their own methods: a copy, not a Proxy (which must answer as the target does).
  const copy: Record<string, unknown> = { ...provider };
  for (const [key, override] of Object.entries(overrides)) {
    const original = (provider as unknown as Record<string, unknown>)[key];
    copy[key] = (override as (o: unknown) => unknown)(
      typeof original === 'function' ? original.bind(provider) : original,
    );
  }
  return copy as unknown as IdentityVerificationProvider;
}

/** The ways an error reaches a log: `String`, its stack, `JSON.stringify`, `util.inspect` (everything). */
export function renderings(value: unknown): string[] {
  const out = [
    String(value),
    JSON.stringify(value) ?? '',
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  ];
  if (value instanceof Error) out.push(value.stack ?? '');
  return out;
}

/** A secret as it could be printed: itself, Base64 (a Basic header), Base64url, URL-encoded. */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    encodeURIComponent(secret),
  ];
}

/** Asserts that nothing a log could print of `value` holds any form of any of `secrets`. */
export function expectNoSecret(value: unknown, secrets: readonly string[] = allSecrets()): void {
  const forms = secrets.flatMap(formsOf);
  for (const text of renderings(value)) {
    for (const form of forms) {
      if (text.includes(form)) {
        expect.fail(`a secret (${form.slice(0, 14)}…) leaked into:\n${text.slice(0, 2000)}`);
      }
    }
  }
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
