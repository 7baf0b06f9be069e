/**
 * The legacy Netverify flavour of the Jumio provider, for tenants still on
 * Netverify web v4: HTTP Basic with the API token and secret per data center,
 * `POST /api/v4/initiate` to start (docs/provider-facts.md#j-nv-1),
 * form-encoded callbacks (docs/provider-facts.md#j-nv-2), and the Netverify
 * retrieval API (`/api/netverify/v2/scans/...`, docs/provider-facts.md#j-nv-5)
 * for the authoritative verdict: a callback's own verdict fields are never
 * trusted.
 *
 * @module
 */

import {
  assertAllowedUrl,
  type CallOptions,
  type ConnectionCheck,
  createHttpClient,
  type DocumentDownload,
  type DocumentInfo,
  decideOutcome,
  describeUrl,
  downloadStream,
  type IdentityVerificationProvider,
  type IncomingWebhook,
  NotFoundError,
  type ProviderLabel,
  type ReasonCode,
  type SessionRef,
  type StartVerificationInput,
  systemClock,
  trimTrailingSlashes,
  UnexpectedResponseError,
  type VerificationResult,
  type VerificationSession,
} from 'idv-providers/kit';
import { parseNetverifyCallback } from './callback';
import { type JumioOptions, NETVERIFY_BASE_URLS } from './definition';
import type { JumioWebhookEvent } from './events';
import { mapNetverifyVerdict } from './netverify-mapping';
import {
  initiateResponseSchema,
  scanDataSchema,
  scanImagesSchema,
  scanStatusSchema,
} from './netverify-schemas';
import {
  checkCustomerInternalReference,
  checkLocale,
  checkUserReference,
  netverifyScanReference,
} from './references';

/** Netverify workflow used unless `workflowKey` says otherwise: ID + identity (selfie), camera and upload. */
export const DEFAULT_NETVERIFY_WORKFLOW_ID = 200;

/**
 * A scan reference no scan has. The connection check asks for it: the
 * retrieval API authenticates the call first (401/403 for bad credentials)
 * and then answers 404, so a 404 proves the credentials without creating a
 * transaction (as an `initiate` would).
 */
export const PROBE_SCAN_REFERENCE = '00000000-0000-0000-0000-000000000000';

/**
 * Creates the Netverify flavour of the Jumio provider from validated options.
 * It has neither `refreshLink` nor `deleteSubject`: a Netverify transaction
 * belongs to no account a new one could be started on (start a new
 * verification instead), and the Netverify guides read document no deletion.
 */
export function createNetverifyProvider(
  options: JumioOptions,
): IdentityVerificationProvider<JumioWebhookEvent> {
  const clock = options.clock ?? systemClock;
  const baseUrl = trimTrailingSlashes(
    options.netverifyBaseUrl ?? NETVERIFY_BASE_URLS[options.region],
  );
  const origin = new URL(baseUrl).origin;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const http = createHttpClient({
    provider: 'jumio',
    baseUrl,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    maxRetryAfterMs: options.maxRetryAfterMs,
    userAgent: options.userAgent,
    clock,
    secrets: () => [options.clientId, options.clientSecret, basic],
    authorize: () => ({ Authorization: `Basic ${basic}` }),
  });
  const decide = { autoRegistration: options.autoRegistration, policy: options.policy };
  const scanPath = (reference: string) => `/api/netverify/v2/scans/${reference}`;

  async function finishedScan(reference: string, status: string, signal?: AbortSignal) {
    try {
      const answer = await http.request({
        method: 'GET',
        url: `${scanPath(reference)}/data`,
        schema: scanDataSchema,
        signal,
      });
      if (answer.data.scanReference !== reference) {
        throw new UnexpectedResponseError(
          '[idv] [jumio] the Netverify retrieval API answered with another scan than the one asked for',
          { provider: 'jumio' },
        );
      }
      return mapNetverifyVerdict(answer.data);
    } catch (error) {
      // A failed scan without data (404, docs/provider-facts.md#j-nv-5): the customer never uploaded anything.
      if (!(error instanceof NotFoundError) || status !== 'FAILED') throw error;
      return {
        reasons: ['EXPIRED'] as ReasonCode[],
        unmatched: [],
        providerLabels: [] as ProviderLabel[],
        person: null,
      };
    }
  }

  return {
    name: 'jumio',
    capabilities: {
      signedWebhooks: false,
      requiresCompleteCapture: false,
      hostedCapture: true,
      sdkToken: false,
    },

    async startVerification(
      input: StartVerificationInput,
      call?: CallOptions,
    ): Promise<VerificationSession> {
      const customerInternalReference = checkCustomerInternalReference(input.identityReference);
      // Netverify requires a user reference; the identity reference stands in when none is given.
      const userReference = checkUserReference(input.userReference) ?? customerInternalReference;
      const locale = checkLocale(input.locale) ?? options.locale;
      const body = {
        customerInternalReference,
        userReference,
        workflowId: options.workflowKey ?? DEFAULT_NETVERIFY_WORKFLOW_ID,
        ...(options.callbackUrl === undefined ? {} : { callbackUrl: options.callbackUrl }),
        ...(options.successUrl === undefined ? {} : { successUrl: options.successUrl }),
        ...(options.errorUrl === undefined ? {} : { errorUrl: options.errorUrl }),
        ...(locale === undefined ? {} : { locale }),
        tokenLifetimeInMinutes: options.tokenLifetimeMinutes,
      };
      const startedAt = clock.now();
      const answer = await http.request({
        method: 'POST',
        url: '/api/v4/initiate',
        body,
        schema: initiateResponseSchema,
        idempotent: false,
        signal: call?.signal,
      });
      const reference = answer.data.transactionReference;
      return {
        session: { provider: 'jumio', subjectId: reference, attemptId: reference },
        customerUrl: answer.data.redirectUrl,
        expiresAt: new Date(startedAt + options.tokenLifetimeMinutes * 60_000),
      };
    },

    async completeCapture(session: SessionRef): Promise<SessionRef> {
      return session;
    },

    async verifyWebhook(request: IncomingWebhook): Promise<JumioWebhookEvent> {
      return parseNetverifyCallback(request, options);
    },

    async getResult(session: SessionRef, call?: CallOptions): Promise<VerificationResult> {
      const reference = netverifyScanReference(session);
      const status = await http.request({
        method: 'GET',
        url: scanPath(reference),
        schema: scanStatusSchema,
        signal: call?.signal,
      });
      const scanStatus = status.data.status;
      const ref = { provider: 'jumio', subjectId: reference, attemptId: reference };
      const statusLabel = { source: 'scan.status', value: scanStatus };
      if (scanStatus === 'PENDING') {
        return decideOutcome(
          { session: ref, pending: true, reasons: [], providerLabels: [statusLabel] },
          decide,
        );
      }
      if (scanStatus !== 'DONE' && scanStatus !== 'FAILED') {
        return decideOutcome(
          { session: ref, pending: false, reasons: ['UNKNOWN'], providerLabels: [statusLabel] },
          decide,
        );
      }
      const mapped = await finishedScan(reference, scanStatus, call?.signal);
      return decideOutcome(
        {
          session: ref,
          pending: false,
          reasons: mapped.reasons,
          person: mapped.person,
          providerLabels: [statusLabel, ...mapped.providerLabels],
        },
        decide,
      );
    },

    async listDocuments(session: SessionRef, call?: CallOptions): Promise<DocumentInfo[]> {
      const reference = netverifyScanReference(session);
      const answer = await http.request({
        method: 'GET',
        url: `${scanPath(reference)}/images`,
        schema: scanImagesSchema,
        signal: call?.signal,
      });
      return answer.data.images.map((image) => {
        assertAllowedUrl(image.href, [origin], 'jumio');
        const classifier = image.classifier.toLowerCase();
        return {
          id: `${reference}:${classifier}`,
          kind: classifier === 'face' || classifier.startsWith('liveness') ? 'selfie' : 'document',
          side: classifier,
          downloadUrl: image.href,
        } satisfies DocumentInfo;
      });
    },

    downloadDocument(document: DocumentInfo, call?: CallOptions): Promise<DocumentDownload> {
      return downloadStream(http, document, {
        provider: 'jumio',
        allowedOrigins: [origin],
        maxBytes: options.maxDownloadBytes,
        signal: call?.signal,
      });
    },

    async checkConnection(call?: CallOptions): Promise<ConnectionCheck> {
      const started = clock.now();
      try {
        await http.request({
          method: 'GET',
          url: scanPath(PROBE_SCAN_REFERENCE),
          signal: call?.signal,
        });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      return {
        provider: 'jumio',
        ok: true,
        baseUrl: describeUrl(baseUrl),
        latencyMs: Math.max(0, clock.now() - started),
        detail: 'Netverify API token and secret accepted by the retrieval API',
      };
    },
  };
}
