/**
 * The Jumio provider as the registry knows it: its option schema, regions and
 * hosts, and the lazy factory. The core's list of built-in providers
 * (`src/builtins.ts`) holds this definition, so configuration is validated,
 * and read from the environment, without loading the adapter; the adapter's
 * code loads from `idv-providers/jumio` on first use.
 *
 * Every environment variable is derived from the schema
 * (`clientSecret` → `IDV_JUMIO_CLIENT_SECRET`).
 *
 * @module
 */
import type { IdentityVerificationProvider, ProviderDefinition } from 'idv-providers';
import { z } from 'zod';
import {
  baseUrlOption,
  type CommonOptionsInput,
  checkBaseUrls,
  commonOptionsShape,
  httpUrl,
  nonEmpty,
} from '../../src/config/common';
import { loadModule } from '../../src/config/lazy';

/** Jumio's regions (docs/provider-facts.md#j-host-1). */
export const JUMIO_REGIONS = ['amer-1', 'emea-1', 'apac-1'] as const;
/** A Jumio region. */
export type JumioRegion = (typeof JUMIO_REGIONS)[number];

/** Jumio's API flavours: the KYX platform (default) or the legacy Netverify v4 initiate flow. */
export const JUMIO_MODES = ['kyx', 'netverify'] as const;
/** A Jumio API flavour. */
export type JumioMode = (typeof JUMIO_MODES)[number];

/** Hosts of one Jumio region on the KYX platform. */
export interface JumioHosts {
  /** OAuth2 token host. */
  auth: string;
  /** Account (transaction) host. */
  account: string;
  /** Retrieval host (results and images). */
  retrieval: string;
}

/** The KYX hosts of a region (docs/provider-facts.md#j-host-2). */
export function jumioHosts(region: JumioRegion): JumioHosts {
  return {
    auth: `https://auth.${region}.jumio.ai`,
    account: `https://account.${region}.jumio.ai`,
    retrieval: `https://retrieval.${region}.jumio.ai`,
  };
}

/** The Netverify data center serving each region in legacy mode (docs/provider-facts.md#j-nv-1). */
export const NETVERIFY_BASE_URLS: Readonly<Record<JumioRegion, string>> = {
  'amer-1': 'https://netverify.com',
  'emea-1': 'https://lon.netverify.com',
  'apac-1': 'https://core-sgp.jumio.com',
};

/**
 * Options of the Jumio provider, as a host writes them. (The schema below is
 * the one source of truth; a type test proves this documented interface
 * equals the schema's input type.)
 */
export interface JumioOptionsInput extends CommonOptionsInput {
  /** `kyx` (default): the KYX platform with OAuth2. `netverify`: the legacy v4 initiate flow with Basic auth. */
  mode?: JumioMode | undefined;
  /** OAuth2 client id (KYX) or API token (Netverify). Secret. */
  clientId: string;
  /** OAuth2 client secret (KYX) or API secret (Netverify). Secret. */
  clientSecret: string;
  /**
   * `amer-1` (default), `emea-1` or `apac-1`. In Netverify mode these select the
   * US (`netverify.com`), EU (`lon.netverify.com`) and Singapore data centers.
   */
  region?: JumioRegion | undefined;
  /** Overrides the OAuth2 host (proxies, emulators). */
  authBaseUrl?: string | undefined;
  /** Overrides the account host. */
  accountBaseUrl?: string | undefined;
  /** Overrides the retrieval host. */
  retrievalBaseUrl?: string | undefined;
  /** Overrides the Netverify host (legacy mode). */
  netverifyBaseUrl?: string | undefined;
  /**
   * Workflow definition key (KYX) or workflow id (Netverify, default 200).
   * KYX default 10011, the key Jumio documents for ID + selfie verification
   * (docs/provider-facts.md#j-wf-3); 10013 adds screening, proof of residency,
   * address validation and US driving licence checks
   * (docs/provider-facts.md#j-wf-4); 10163, the current table's ID + selfie
   * key, also needs supporting data uploaded (docs/provider-facts.md#j-wf-5).
   * The keys a tenant may use are enabled per tenant by Jumio.
   */
  workflowKey?: number | undefined;
  /** Where Jumio sends callbacks (at most 255 characters, docs/provider-facts.md#j-acc-4). */
  callbackUrl?: string | undefined;
  /** Where the customer's browser goes after a successful journey. */
  successUrl?: string | undefined;
  /** Where the customer's browser goes after a failed journey. */
  errorUrl?: string | undefined;
  /** Default locale of Jumio's pages (`en`, `de`, `en-GB`, ...). */
  locale?: string | undefined;
  /** How long the customer link lives, in minutes (5 to 86 400, that is 5m to 60d; default 30; docs/provider-facts.md#j-acc-4). */
  tokenLifetimeMinutes?: number | undefined;
  /**
   * Pace requests to Jumio's documented per-tenant rates (token 10/s, account
   * creation 1/s, retrieval 15/s; docs/provider-facts.md#j-rl-2), so a burst
   * waits its turn instead of ending in 429s. Default `true`; turn it off when
   * Jumio has raised your tenant's limits.
   */
  pacing?: boolean | undefined;
  /**
   * Refuse callbacks whose sender is not one of Jumio's published addresses for
   * the region (docs/provider-facts.md#j-cb-5; Jumio signs no callback,
   * #j-cb-4). Default `true`. Behind a proxy, tell the intake which proxies to
   * believe (`trustProxy`); set `false` only where something else vouches for
   * the sender.
   */
  verifyCallbackSource?: boolean | undefined;
}

const jumioShape = {
  ...commonOptionsShape,
  mode: z.enum(JUMIO_MODES).default('kyx'),
  clientId: nonEmpty,
  clientSecret: nonEmpty,
  region: z.enum(JUMIO_REGIONS).default('amer-1'),
  authBaseUrl: baseUrlOption.optional(),
  accountBaseUrl: baseUrlOption.optional(),
  retrievalBaseUrl: baseUrlOption.optional(),
  netverifyBaseUrl: baseUrlOption.optional(),
  workflowKey: z.number().int().positive().optional(),
  callbackUrl: httpUrl.max(255, { message: 'must be at most 255 characters' }).optional(),
  successUrl: httpUrl.max(2047).optional(),
  errorUrl: httpUrl.max(255).optional(),
  locale: z
    .string()
    .regex(/^[a-z]{2}([-_][A-Z]{2})?$/, { message: 'expected a locale such as "en" or "en-GB"' })
    .optional(),
  tokenLifetimeMinutes: z.number().int().min(5).max(86_400).default(30),
  pacing: z.boolean().default(true),
  verifyCallbackSource: z.boolean().default(true),
};

/** Schema of the Jumio options. */
export const jumioOptionsSchema = z.strictObject(jumioShape).superRefine(checkBaseUrls);

/** Schema of a Jumio config: the options plus `provider: "jumio"`. */
export const jumioConfigSchema = z
  .strictObject({ provider: z.literal('jumio'), ...jumioShape })
  .superRefine(checkBaseUrls);

/** Validated Jumio options (the schema's output). */
export type JumioOptions = z.output<typeof jumioOptionsSchema>;

/** Config for the Jumio provider: the options plus `provider: "jumio"`. */
export type JumioConfig = { provider: 'jumio' } & JumioOptionsInput;

/**
 * The address a connection check contacts first, from the options as given:
 * the OAuth2 host (KYX) or the Netverify data center.
 */
export function jumioCheckTarget(given: Readonly<Record<string, unknown>>): string | undefined {
  const text = (key: string) => (typeof given[key] === 'string' ? given[key] : undefined);
  const region = (text('region') ?? 'amer-1') as JumioRegion;
  if (!JUMIO_REGIONS.includes(region)) return undefined;
  return text('mode') === 'netverify'
    ? (text('netverifyBaseUrl') ?? NETVERIFY_BASE_URLS[region])
    : (text('authBaseUrl') ?? jumioHosts(region).auth);
}

type JumioEntry = typeof import('idv-providers/jumio');

/** The definition of the built-in Jumio provider; its code loads from `idv-providers/jumio` on first use. */
export const jumioDefinition: ProviderDefinition<JumioOptions, JumioOptionsInput, 'jumio'> = {
  name: 'jumio',
  optionsSchema: jumioOptionsSchema,
  describeTarget: jumioCheckTarget,
  emulator: async () =>
    (
      await loadModule(
        () => import('idv-providers/jumio/emulator'),
        () =>
          require('idv-providers/jumio/emulator') as typeof import('idv-providers/jumio/emulator'),
      )
    ).jumioEmulatorEntry,
  webhooks: {
    title: 'Jumio',
    instead: { how: 'it calls the callbackUrl each transaction names', option: 'callbackUrl' },
  },
  create: async (options): Promise<IdentityVerificationProvider> =>
    (
      await loadModule(
        () => import('idv-providers/jumio'),
        () => require('idv-providers/jumio') as JumioEntry,
      )
    ).jumio(options),
};
