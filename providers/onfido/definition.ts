/**
 * The Onfido provider as the registry knows it: its option schema, regions
 * and the lazy factory. The core's list of built-in providers
 * (`src/builtins.ts`) holds this definition, so configuration is validated,
 * and read from the environment, without loading the adapter; the adapter's
 * code loads from `idv-providers/onfido` on first use.
 *
 * Every environment variable is derived from the schema
 * (`apiToken` → `IDV_ONFIDO_API_TOKEN`, `clientSecret` → `IDV_ONFIDO_CLIENT_SECRET`).
 *
 * Onfido authenticates with an API token or with OAuth2 client credentials
 * (docs/provider-facts.md#o-auth-1, #o-auth-3); exactly one of the two is
 * configured.
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
  nonEmpty,
  siteUrlOption,
  trimTrailingSlashes,
} from '../../src/config/common';
import { loadModule } from '../../src/config/lazy';

/** Onfido's regions. */
export const ONFIDO_REGIONS = ['EU', 'US', 'CA'] as const;
/** An Onfido region. */
export type OnfidoRegion = (typeof ONFIDO_REGIONS)[number];

/** Onfido's API base URL for each region (API v3.6, docs/provider-facts.md#o-auth-2). */
export const ONFIDO_BASE_URLS: Readonly<Record<OnfidoRegion, string>> = {
  EU: 'https://api.eu.onfido.com/v3.6',
  US: 'https://api.us.onfido.com/v3.6',
  CA: 'https://api.ca.onfido.com/v3.6',
};

/**
 * Onfido's own domains: its API and dashboard (`api.eu.onfido.com`,
 * docs/provider-facts.md#o-auth-2) and its hosted capture links
 * (`eu.onfido.app`). A verification site there is a mistake: the customer's
 * link would lead to Onfido's host, and the SDK token would name it as referrer.
 */
export const ONFIDO_DOMAINS = ['onfido.com', 'onfido.app'] as const;

/** The reports a check runs unless configured otherwise. */
export const DEFAULT_ONFIDO_REPORTS = ['document', 'facial_similarity_photo'] as const;

/**
 * Options of the Onfido provider, as a host writes them. (The schema below is
 * the one source of truth; a type test proves this documented interface
 * equals the schema's input type.)
 */
export interface OnfidoOptionsInput extends CommonOptionsInput {
  /**
   * API token (`Authorization: Token token=...`). Secret. Either this, or
   * `clientId` with `clientSecret`.
   */
  apiToken?: string | undefined;
  /**
   * OAuth2 client id, used with `clientSecret` instead of `apiToken`: the
   * adapter obtains an access token from `<baseUrl>/oauth/token`, keeps it
   * until 30 seconds before it expires, and sends it as
   * `Authorization: Bearer ...`. Kept out of messages like a secret.
   */
  clientId?: string | undefined;
  /** OAuth2 client secret, with `clientId`. Secret. */
  clientSecret?: string | undefined;
  /** Region: `EU` (default), `US` or `CA`. Selects the API host. */
  region?: OnfidoRegion | Lowercase<OnfidoRegion> | undefined;
  /** Overrides the region's base URL (a proxy, or an emulator in tests). Include the version path. */
  baseUrl?: string | undefined;
  /**
   * Your verification site (the page embedding Onfido's capture). The customer
   * link is this URL with `applicant_id`; the SDK token's `referrer` is its
   * origin followed by `/*`. Required for classic checks.
   */
  verificationSiteUrl?: string | undefined;
  /** The webhook's signing token (from `POST /webhooks`). Secret. Required to verify webhooks. */
  webhookToken?: string | undefined;
  /** Reports a check runs. Default `["document", "facial_similarity_photo"]`. */
  reportNames?: string[] | undefined;
  /** An Onfido Studio workflow id: when set, verifications run as workflow runs instead of classic checks. */
  workflowId?: string | undefined;
}

const onfidoShape = {
  ...commonOptionsShape,
  apiToken: nonEmpty.optional(),
  clientId: nonEmpty.optional(),
  clientSecret: nonEmpty.optional(),
  region: z.preprocess<
    unknown,
    z.ZodDefault<z.ZodEnum<{ EU: 'EU'; US: 'US'; CA: 'CA' }>>,
    OnfidoOptionsInput['region']
  >((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(ONFIDO_REGIONS).default('EU')),
  baseUrl: baseUrlOption.optional(),
  verificationSiteUrl: siteUrlOption(ONFIDO_DOMAINS).optional(),
  webhookToken: nonEmpty.optional(),
  reportNames: z
    .array(z.string().regex(/^[a-z_]+$/, { message: 'report names are lower_snake_case' }))
    .min(1)
    .default([...DEFAULT_ONFIDO_REPORTS]),
  workflowId: nonEmpty.optional(),
};

interface RefinedOptions {
  apiToken?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  workflowId?: string | undefined;
  verificationSiteUrl?: string | undefined;
}

/** Exactly one way to authenticate: the API token, or the OAuth2 client id and secret. */
function requireOneAuthMethod(value: RefinedOptions, ctx: z.RefinementCtx): void {
  const token = value.apiToken !== undefined;
  const id = value.clientId !== undefined;
  const secret = value.clientSecret !== undefined;
  if (!token && !id && !secret) {
    ctx.addIssue({
      code: 'custom',
      path: ['apiToken'],
      message:
        'Onfido needs one of two: "apiToken", or "clientId" with "clientSecret" for OAuth2 client credentials',
      params: { missing: true },
    });
    return;
  }
  if (token && (id || secret)) {
    ctx.addIssue({
      code: 'custom',
      path: [id ? 'clientId' : 'clientSecret'],
      message: 'set either "apiToken", or "clientId" with "clientSecret", not both',
    });
    return;
  }
  if (id !== secret) {
    ctx.addIssue({
      code: 'custom',
      path: [id ? 'clientSecret' : 'clientId'],
      message: `OAuth2 needs "clientId" and "clientSecret" together (or "apiToken" instead)`,
      params: { missing: true },
    });
  }
}

function refineOptions(value: RefinedOptions, ctx: z.RefinementCtx): void {
  requireOneAuthMethod(value, ctx);
  requireSiteForClassicChecks(value, ctx);
}

function requireSiteForClassicChecks(value: RefinedOptions, ctx: z.RefinementCtx): void {
  if (value.workflowId === undefined && value.verificationSiteUrl === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['verificationSiteUrl'],
      message: 'is required for classic checks (set it, or set "workflowId" to use Onfido Studio)',
      params: { missing: true },
    });
  }
}

/** Schema of the Onfido options. */
export const onfidoOptionsSchema = z
  .strictObject(onfidoShape)
  .superRefine(refineOptions)
  .superRefine(checkBaseUrls);

/** Schema of an Onfido config: the options plus `provider: "onfido"`. */
export const onfidoConfigSchema = z
  .strictObject({ provider: z.literal('onfido'), ...onfidoShape })
  .superRefine(refineOptions)
  .superRefine(checkBaseUrls);

/** Validated Onfido options (the schema's output). */
export type OnfidoOptions = z.output<typeof onfidoOptionsSchema>;

/** Config for the Onfido provider: the options plus `provider: "onfido"`. */
export type OnfidoConfig = { provider: 'onfido' } & OnfidoOptionsInput;

/** The base URL the options select: `baseUrl` when given, else the region's. */
export function onfidoBaseUrl(options: Pick<OnfidoOptions, 'baseUrl' | 'region'>): string {
  return trimTrailingSlashes(options.baseUrl ?? ONFIDO_BASE_URLS[options.region]);
}

type OnfidoEntry = typeof import('idv-providers/onfido');

/** The adapter's entry, loaded on first use. */
const loadAdapter = (): Promise<OnfidoEntry> =>
  loadModule(
    () => import('idv-providers/onfido'),
    () => require('idv-providers/onfido') as OnfidoEntry,
  );

/** The definition of the built-in Onfido provider; its code loads from `idv-providers/onfido` on first use. */
export const onfidoDefinition: ProviderDefinition<OnfidoOptions, OnfidoOptionsInput, 'onfido'> = {
  name: 'onfido',
  optionsSchema: onfidoOptionsSchema,
  describeTarget(given) {
    const baseUrl = typeof given['baseUrl'] === 'string' ? given['baseUrl'] : undefined;
    const region = typeof given['region'] === 'string' ? given['region'].toUpperCase() : 'EU';
    return ONFIDO_REGIONS.includes(region as OnfidoRegion)
      ? onfidoBaseUrl({ baseUrl, region: region as OnfidoRegion })
      : baseUrl;
  },
  emulator: async () =>
    (
      await loadModule(
        () => import('idv-providers/onfido/emulator'),
        () =>
          require('idv-providers/onfido/emulator') as typeof import('idv-providers/onfido/emulator'),
      )
    ).onfidoEmulatorEntry,
  webhooks: {
    title: 'Onfido',
    httpsOnly: true,
    tokenOption: 'webhookToken',
    register: async (provider, registration) =>
      (await loadAdapter()).registerOnfidoWebhook(provider, registration),
  },
  create: async (options): Promise<IdentityVerificationProvider> =>
    (await loadAdapter()).onfido(options),
};
