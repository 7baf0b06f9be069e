/**
 * The body of a KYX account request and the session its answer gives: the
 * same for a new account (`POST /api/v1/accounts`), a returning identity and a
 * new link (`PUT /api/v1/accounts/{id}`), which take the same body and answer
 * alike (docs/provider-facts.md#j-acc-1, #j-acc-2, #j-acc-7).
 *
 * @module
 */
import type { VerificationSession } from 'idv-providers/kit';
import type { JumioOptions } from './definition';
import { checkCustomerInternalReference, checkLocale, checkUserReference } from './references';
import type { AccountResponse } from './schemas';

/**
 * Workflow definition used unless `workflowKey` says otherwise: 10011, the
 * key Jumio documents for ID + selfie verification (IDIV: usability, image
 * checks, extraction, data checks and liveness on an ID, a selfie and a
 * facemap, on the web, SDK and API channels; docs/provider-facts.md#j-wf-3).
 * Not 10013, which adds screening, proof of residency, address validation and
 * US driving licence checks that must each be enabled for the tenant
 * (docs/provider-facts.md#j-wf-4), nor 10163, the current table's
 * "ID & Identity Verification", which also requires supporting data to be
 * uploaded, which this adapter does not do (docs/provider-facts.md#j-wf-5).
 * Which keys a tenant may use is Jumio's per-tenant choice
 * (docs/provider-facts.md#j-wf-8).
 */
export const DEFAULT_WORKFLOW_KEY = 10011;

/** What the host gives for a transaction. */
export interface AccountInput {
  identityReference: string;
  userReference?: string | undefined;
  locale?: string | undefined;
}

/**
 * The request body (docs/provider-facts.md#j-acc-3, #j-acc-4), with the
 * references checked before anything is sent.
 */
export function accountBody(options: JumioOptions, input: AccountInput): Record<string, unknown> {
  const customerInternalReference = checkCustomerInternalReference(input.identityReference);
  const userReference = checkUserReference(input.userReference);
  const locale = checkLocale(input.locale) ?? options.locale;
  return {
    customerInternalReference,
    ...(userReference === undefined ? {} : { userReference }),
    workflowDefinition: { key: options.workflowKey ?? DEFAULT_WORKFLOW_KEY },
    ...(options.callbackUrl === undefined ? {} : { callbackUrl: options.callbackUrl }),
    tokenLifetime: `${options.tokenLifetimeMinutes}m`,
    web: {
      ...(options.successUrl === undefined ? {} : { successUrl: options.successUrl }),
      ...(options.errorUrl === undefined ? {} : { errorUrl: options.errorUrl }),
      ...(locale === undefined ? {} : { locale }),
    },
  };
}

/** The session of an account answer: the account, the new workflow execution, its link and SDK token. */
export function accountSession(
  data: AccountResponse,
  startedAt: number,
  options: JumioOptions,
): VerificationSession {
  return {
    session: {
      provider: 'jumio',
      subjectId: data.account.id,
      attemptId: data.workflowExecution.id,
    },
    ...(data.web === undefined ? {} : { customerUrl: data.web.href }),
    ...(data.sdk === undefined ? {} : { sdkToken: data.sdk.token }),
    expiresAt: new Date(startedAt + options.tokenLifetimeMinutes * 60_000),
  };
}
