/**
 * The Onfido provider factory.
 *
 * @module
 */
import {
  type CallOptions,
  ConfigError,
  type IdentityVerificationProvider,
  type IncomingWebhook,
  parseProviderOptions,
  type RefreshLinkInput,
  type SessionRef,
  type SubjectDeletion,
  type VerificationSession,
} from 'idv-providers/kit';
import { completeCapture } from './capture';
import { checkConnection } from './connection';
import { createOnfidoContext, rememberOnfidoContext } from './context';
import { type OnfidoOptions, type OnfidoOptionsInput, onfidoOptionsSchema } from './definition';
import { downloadDocument, listDocuments } from './documents';
import type { OnfidoWebhookEvent } from './events';
import { getResult } from './result';
import { startVerification } from './start';
import { deleteSubject, refreshLink } from './subject';
import { onfidoWebhookVerifier } from './webhook';

/** Why a webhook cannot be verified without the token, for `verifyWebhook` and `readiness`. */
const MISSING_WEBHOOK_TOKEN =
  '[idv] [onfido] missing option "webhookToken" (IDV_ONFIDO_WEBHOOK_TOKEN): it is needed to verify webhooks (registerOnfidoWebhook, or idv-providers webhooks register, returns it)';

/**
 * The Onfido provider: the interface, with its webhooks typed as
 * {@link OnfidoWebhookEvent} and a new link and deletion always available.
 */
export interface OnfidoProvider extends IdentityVerificationProvider<OnfidoWebhookEvent> {
  /** A new SDK token (classic) or workflow run (Studio) for the same applicant. */
  refreshLink(
    session: SessionRef,
    input: RefreshLinkInput,
    options?: CallOptions,
  ): Promise<VerificationSession>;
  /** Deletes the applicant into Onfido's archive (restorable: `restoreOnfidoApplicant`). */
  deleteSubject(session: SessionRef, options?: CallOptions): Promise<SubjectDeletion>;
}

/**
 * Creates the Onfido provider (API v3.6).
 *
 * Classic checks (default): `startVerification` creates the applicant, which
 * **requires `person.firstName`, `person.lastName` and
 * `person.countryOfResidence`**, and for a US resident `consents.biometric`
 * (Onfido refuses an applicant without a name, and a check without a location
 * or a US resident's consent; the adapter throws `InvalidInputError` before any
 * request rather than invent them), and an SDK token for the verification
 * site; `completeCapture` starts the check, once per capture however often and
 * however concurrently it is called (pass `{ lock }` for submits from several
 * processes); `getResult` maps the check's reports. `refreshLink` issues a new
 * SDK token for the applicant; `deleteSubject` deletes it into Onfido's archive.
 *
 * Onfido Studio (`workflowId` set): `startVerification` also starts a workflow
 * run and links to its hosted page; `completeCapture` does nothing; `getResult`
 * maps the run's status; `refreshLink` starts a new run for the applicant.
 *
 * `verifyWebhook` returns an {@link OnfidoWebhookEvent}: one of the 17
 * documented events with the ids of its kind, or `known: false` for another.
 *
 * Authentication: `apiToken`, or `clientId` with `clientSecret` for OAuth2
 * client credentials (the access token is obtained, kept and refreshed here).
 *
 * @example
 * ```ts
 * const idv = onfido({ apiToken, region: 'EU', verificationSiteUrl: 'https://verify.example.com/', webhookToken });
 * const { session, customerUrl } = await idv.startVerification({
 *   identityReference: 'identity-42',
 *   person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
 * });
 * // or with OAuth2: onfido({ clientId, clientSecret, region: 'EU', verificationSiteUrl, webhookToken })
 * ```
 */
export function onfido(options: OnfidoOptionsInput): OnfidoProvider {
  const parsed: OnfidoOptions = parseProviderOptions('onfido', onfidoOptionsSchema, options);
  const ctx = createOnfidoContext(parsed);
  // The token's HMAC key is made once here, not on every delivery.
  const verify =
    parsed.webhookToken === undefined ? undefined : onfidoWebhookVerifier(parsed.webhookToken);
  const provider: OnfidoProvider = {
    name: 'onfido',
    capabilities: Object.freeze({
      signedWebhooks: true,
      requiresCompleteCapture: !ctx.studio,
      hostedCapture: ctx.studio,
      sdkToken: true,
    }),
    startVerification: (input, call) => startVerification(ctx, input, call),
    completeCapture: (session, call) => completeCapture(ctx, session, call),
    refreshLink: (session, input, call) => refreshLink(ctx, session, input, call),
    deleteSubject: (session, call) => deleteSubject(ctx, session, call),
    async verifyWebhook(request: IncomingWebhook): Promise<OnfidoWebhookEvent> {
      if (verify === undefined) {
        throw new ConfigError(MISSING_WEBHOOK_TOKEN, {
          provider: 'onfido',
          option: 'webhookToken',
        });
      }
      return verify(request);
    },
    getResult: (session, call) => getResult(ctx, session, call),
    listDocuments: (session, call) => listDocuments(ctx, session, call),
    downloadDocument: (document, call) => downloadDocument(ctx, document, call),
    checkConnection: (call) => checkConnection(ctx, call),
    // Starting needs the verification site or a workflow, and fetching needs the credentials: the
    // option schema already insists on those. Only the webhook token may be left out.
    readiness: () => {
      const problems =
        parsed.webhookToken === undefined
          ? [{ use: 'webhooks' as const, option: 'webhookToken', message: MISSING_WEBHOOK_TOKEN }]
          : [];
      return { ready: problems.length === 0, problems };
    },
  };
  rememberOnfidoContext(provider, ctx);
  return Object.freeze(provider);
}
