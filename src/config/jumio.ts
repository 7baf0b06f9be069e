/**
 * Options of the Jumio provider (validated here, in the core, so configuration
 * is checked without loading the adapter).
 *
 * @module
 */
import { z } from 'zod';
import {
  type CommonOptions,
  type CommonOptionsInput,
  commonOptionsShape,
  httpUrl,
  nonEmpty,
} from './common';

/** Jumio's regions. */
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

/** The KYX hosts of a region. */
export function jumioHosts(region: JumioRegion): JumioHosts {
  return {
    auth: `https://auth.${region}.jumio.ai`,
    account: `https://account.${region}.jumio.ai`,
    retrieval: `https://retrieval.${region}.jumio.ai`,
  };
}

/** The Netverify data center serving each region in legacy mode. */
export const NETVERIFY_BASE_URLS: Readonly<Record<JumioRegion, string>> = {
  'amer-1': 'https://netverify.com',
  'emea-1': 'https://lon.netverify.com',
  'apac-1': 'https://core-sgp.jumio.com',
};

/** Options of the Jumio provider, as a host writes them. */
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
  /** Workflow definition key (KYX, default 10013: ID + selfie) or workflow id (Netverify, default 200). */
  workflowKey?: number | undefined;
  /** Where Jumio sends callbacks (at most 255 characters). */
  callbackUrl?: string | undefined;
  /** Where the customer's browser goes after a successful journey. */
  successUrl?: string | undefined;
  /** Where the customer's browser goes after a failed journey. */
  errorUrl?: string | undefined;
  /** Default locale of Jumio's pages (`en`, `de`, `en-GB`, ...). */
  locale?: string | undefined;
  /** How long the customer link lives, in minutes (5 to 86 400; default 30). */
  tokenLifetimeMinutes?: number | undefined;
  /** Refuse callbacks whose sender is not one of Jumio's published addresses for the region. Default `false`. */
  verifyCallbackSource?: boolean | undefined;
}

/** Validated Jumio options. */
export interface JumioOptions extends CommonOptions {
  mode: JumioMode;
  clientId: string;
  clientSecret: string;
  region: JumioRegion;
  authBaseUrl?: string | undefined;
  accountBaseUrl?: string | undefined;
  retrievalBaseUrl?: string | undefined;
  netverifyBaseUrl?: string | undefined;
  workflowKey?: number | undefined;
  callbackUrl?: string | undefined;
  successUrl?: string | undefined;
  errorUrl?: string | undefined;
  locale?: string | undefined;
  tokenLifetimeMinutes: number;
  verifyCallbackSource: boolean;
}

const jumioShape = {
  ...commonOptionsShape,
  mode: z.enum(JUMIO_MODES).default('kyx'),
  clientId: nonEmpty,
  clientSecret: nonEmpty,
  region: z.enum(JUMIO_REGIONS).default('amer-1'),
  authBaseUrl: httpUrl.optional(),
  accountBaseUrl: httpUrl.optional(),
  retrievalBaseUrl: httpUrl.optional(),
  netverifyBaseUrl: httpUrl.optional(),
  workflowKey: z.number().int().positive().optional(),
  callbackUrl: httpUrl.max(255, { message: 'must be at most 255 characters' }).optional(),
  successUrl: httpUrl.max(2047).optional(),
  errorUrl: httpUrl.max(255).optional(),
  locale: z
    .string()
    .regex(/^[a-z]{2}([-_][A-Z]{2})?$/, { message: 'expected a locale such as "en" or "en-GB"' })
    .optional(),
  tokenLifetimeMinutes: z.number().int().min(5).max(86_400).default(30),
  verifyCallbackSource: z.boolean().default(false),
};

/** Schema of the Jumio options. */
export const jumioOptionsSchema = z.strictObject(jumioShape);

/** Schema of a Jumio config: the options plus `provider: "jumio"`. */
export const jumioConfigSchema = z.strictObject({ provider: z.literal('jumio'), ...jumioShape });
