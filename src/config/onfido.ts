/**
 * Options of the Onfido provider (validated here, in the core, so configuration
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

/** Onfido's regions. */
export const ONFIDO_REGIONS = ['EU', 'US', 'CA'] as const;
/** An Onfido region. */
export type OnfidoRegion = (typeof ONFIDO_REGIONS)[number];

/** Onfido's API base URL for each region (API v3.6). */
export const ONFIDO_BASE_URLS: Readonly<Record<OnfidoRegion, string>> = {
  EU: 'https://api.eu.onfido.com/v3.6',
  US: 'https://api.us.onfido.com/v3.6',
  CA: 'https://api.ca.onfido.com/v3.6',
};

/** The reports a check runs unless configured otherwise. */
export const DEFAULT_ONFIDO_REPORTS = ['document', 'facial_similarity_photo'] as const;

/** Options of the Onfido provider, as a host writes them. */
export interface OnfidoOptionsInput extends CommonOptionsInput {
  /** API token (`Authorization: Token token=...`). Secret. */
  apiToken: string;
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

/** Validated Onfido options. */
export interface OnfidoOptions extends CommonOptions {
  apiToken: string;
  region: OnfidoRegion;
  baseUrl?: string | undefined;
  verificationSiteUrl?: string | undefined;
  webhookToken?: string | undefined;
  reportNames: string[];
  workflowId?: string | undefined;
}

const onfidoShape = {
  ...commonOptionsShape,
  apiToken: nonEmpty,
  region: z.preprocess(
    (v) => (typeof v === 'string' ? v.toUpperCase() : v),
    z.enum(ONFIDO_REGIONS).default('EU'),
  ),
  baseUrl: httpUrl.optional(),
  verificationSiteUrl: httpUrl.optional(),
  webhookToken: nonEmpty.optional(),
  reportNames: z
    .array(z.string().regex(/^[a-z_]+$/, { message: 'report names are lower_snake_case' }))
    .min(1)
    .default([...DEFAULT_ONFIDO_REPORTS]),
  workflowId: nonEmpty.optional(),
};

function requireSiteForClassicChecks(
  value: { workflowId?: string | undefined; verificationSiteUrl?: string | undefined },
  ctx: z.RefinementCtx,
): void {
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
  .superRefine(requireSiteForClassicChecks);

/** Schema of an Onfido config: the options plus `provider: "onfido"`. */
export const onfidoConfigSchema = z
  .strictObject({ provider: z.literal('onfido'), ...onfidoShape })
  .superRefine(requireSiteForClassicChecks);
