/**
 * The Onfido provider factory.
 *
 * @module
 */
import {
  ConfigError,
  type IdentityVerificationProvider,
  type IncomingWebhook,
  parseProviderOptions,
  type WebhookEvent,
} from 'idv-providers/kit';
import { checkConnection } from './connection';
import { createOnfidoContext, rememberOnfidoContext } from './context';
import { type OnfidoOptions, type OnfidoOptionsInput, onfidoOptionsSchema } from './definition';
import { downloadDocument, listDocuments } from './documents';
import { getResult } from './result';
import { completeCapture, startVerification } from './start';
import { parseOnfidoWebhook } from './webhook';

/** Why a webhook cannot be verified without the token, for `verifyWebhook` and `readiness`. */
const MISSING_WEBHOOK_TOKEN =
  '[idv] [onfido] missing option "webhookToken" (IDV_ONFIDO_WEBHOOK_TOKEN): it is needed to verify webhooks (registerOnfidoWebhook, or idv-providers webhooks register, returns it)';

/**
 * Creates the Onfido provider (API v3.6).
 *
 * Classic checks (default): `startVerification` creates the applicant, which
 * **requires `person.firstName`, `person.lastName` and
 * `person.countryOfResidence`**, and for a US resident `consents.biometric`
 * (Onfido refuses an applicant without a name, and a check without a location
 * or a US resident's consent; the adapter throws `InvalidInputError` before any
 * request rather than invent them), and an SDK token for the verification
 * site; `completeCapture` starts the check; `getResult` maps the check's reports.
 *
 * Onfido Studio (`workflowId` set): `startVerification` also starts a workflow
 * run and links to its hosted page; `completeCapture` does nothing; `getResult`
 * maps the run's status.
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
export function onfido(options: OnfidoOptionsInput): IdentityVerificationProvider {
  const parsed: OnfidoOptions = parseProviderOptions('onfido', onfidoOptionsSchema, options);
  const ctx = createOnfidoContext(parsed);
  const provider: IdentityVerificationProvider = {
    name: 'onfido',
    capabilities: Object.freeze({
      signedWebhooks: true,
      requiresCompleteCapture: !ctx.studio,
      hostedCapture: ctx.studio,
      sdkToken: true,
    }),
    startVerification: (input, call) => startVerification(ctx, input, call),
    completeCapture: (session, call) => completeCapture(ctx, session, call),
    async verifyWebhook(request: IncomingWebhook): Promise<WebhookEvent> {
      const token = parsed.webhookToken;
      if (token === undefined) {
        throw new ConfigError(MISSING_WEBHOOK_TOKEN, {
          provider: 'onfido',
          option: 'webhookToken',
        });
      }
      return parseOnfidoWebhook(request, token);
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
