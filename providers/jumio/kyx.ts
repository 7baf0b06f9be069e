/**
 * The KYX platform flavour of the Jumio provider: OAuth2 client credentials
 * (docs/provider-facts.md#j-auth-1), `POST /api/v1/accounts` (or `PUT` for a
 * returning identity, docs/provider-facts.md#j-acc-1, #j-acc-2) to start a
 * transaction in Jumio's hosted web client, JSON callbacks
 * (docs/provider-facts.md#j-cb-1), and the retrieval API for the decision and
 * the images (docs/provider-facts.md#j-ret-1, #j-ret-2, #j-ret-4). Retrieval
 * URLs are built from the account and workflow ids, never from an href
 * (docs/provider-facts.md#j-ret-7).
 *
 * @module
 */

import {
  assertAllowedUrl,
  type CallOptions,
  type ConnectionCheck,
  createHttpClient,
  createPacer,
  type DocumentDownload,
  type DocumentInfo,
  decideOutcome,
  describeUrl,
  downloadStream,
  type IdentityVerificationProvider,
  type IncomingWebhook,
  NotFoundError,
  ownEntry,
  type PacedRequest,
  type PaceRate,
  type Pacer,
  type RefreshLinkInput,
  type SessionRef,
  type StartVerificationInput,
  type SubjectDeletion,
  systemClock,
  trimTrailingSlashes,
  UnexpectedResponseError,
  type VerificationResult,
  type VerificationSession,
} from 'idv-providers/kit';
import { parseKyxCallback } from './callback';
import { type JumioOptions, jumioHosts } from './definition';
import type { JumioWebhookEvent } from './events';
import { type AccountInput, accountBody, accountSession } from './kyx-account';
import {
  JUMIO_WORKFLOW_STATUSES,
  type JumioMappedVerdict,
  mapJumioVerdict,
  mapWorkflowStatus,
} from './mapping';
import { createBearerClient, createTokenSource } from './oauth';
import { checkId, kyxIds } from './references';
import {
  accountResponseSchema,
  type WorkflowDetails,
  workflowDetailsSchema,
  workflowStatusSchema,
} from './schemas';

export { DEFAULT_WORKFLOW_KEY } from './kyx-account';

/**
 * The rates the adapter keeps to, per request class: Jumio's default limits per
 * tenant (docs/provider-facts.md#j-rl-1): token requests 10 a second
 * (docs/provider-facts.md#j-rl-2), account requests that start a transaction
 * (`POST` and `PUT`) 1 a second (docs/provider-facts.md#j-rl-3), retrieval 15 a
 * second (docs/provider-facts.md#j-rl-4; every call to the retrieval host
 * counts: status, details and image parts).
 *
 * Each provider instance paces its own requests with a token bucket per class
 * (the kit's `createPacer`) at the documented rate. "N a second" is read as a
 * bucket of N refilled at N a second (the emulator's reading); the adapter's
 * own buckets hold about half of that (5 token requests, 8 retrieval calls),
 * so a single result with its images is fetched without waiting, and the
 * other half of Jumio's bucket absorbs the network's jitter when a burst runs
 * at the full rate. Account requests go one at a time, a second apart: Jumio
 * tolerates "short bursts" above 1 a second but gives no size
 * (docs/provider-facts.md#j-rl-3), so none is relied on. A retry is sent when
 * the retry policy says (after a backoff) and counts against its class's
 * bucket. Two instances with the same client id do not share buckets: a host
 * running several shares the tenant's limits between them.
 */
export const JUMIO_RATE_LIMITS: Readonly<Record<'token' | 'account' | 'retrieval', PaceRate>> = {
  token: { perSecond: 10, burst: 5 },
  account: { perSecond: 1, burst: 1 },
  retrieval: { perSecond: 15, burst: 8 },
};

const trim = (url: string): string => trimTrailingSlashes(url);

/** The auth, account and retrieval base URLs for the options (region hosts, or the overrides). */
export function kyxBaseUrls(options: JumioOptions): {
  auth: string;
  account: string;
  retrieval: string;
} {
  const hosts = jumioHosts(options.region);
  return {
    auth: trim(options.authBaseUrl ?? hosts.auth),
    account: trim(options.accountBaseUrl ?? hosts.account),
    retrieval: trim(options.retrievalBaseUrl ?? hosts.retrieval),
  };
}

/** A part's kind, from its classifier (docs/provider-facts.md#j-ret-4, #j-open-12). */
function kindOf(classifier: string): DocumentInfo['kind'] {
  if (classifier === 'FACE' || classifier.startsWith('LIVENESS')) return 'selfie';
  if (classifier.includes('VIDEO')) return 'video';
  return 'document';
}

/**
 * The KYX provider: its callbacks typed as {@link JumioWebhookEvent}, with a
 * new link and deletion.
 */
export interface JumioKyxProvider extends IdentityVerificationProvider<JumioWebhookEvent> {
  refreshLink(
    session: SessionRef,
    input: RefreshLinkInput,
    options?: CallOptions,
  ): Promise<VerificationSession>;
  deleteSubject(session: SessionRef, options?: CallOptions): Promise<SubjectDeletion>;
}

/** Creates the KYX flavour of the Jumio provider from validated options. */
export function createKyxProvider(options: JumioOptions): JumioKyxProvider {
  const clock = options.clock ?? systemClock;
  const urls = kyxBaseUrls(options);
  const retrievalOrigin = new URL(urls.retrieval).origin;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const common = {
    provider: 'jumio',
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    maxRetryAfterMs: options.maxRetryAfterMs,
    userAgent: options.userAgent,
    clock,
  };
  const baseSecrets = [options.clientId, options.clientSecret, basic];
  // A first attempt waits for its slot; a retry goes when the retry policy says
  // (it already waits for a backoff) but still uses a slot.
  // With `pacing: false` (limits Jumio raised for the tenant) requests go at once.
  const paced = (pacer: Pacer) =>
    options.pacing
      ? {
          pace: async ({ attempt, signal }: PacedRequest) => {
            if (attempt === 1) await pacer.take(signal);
            else pacer.charge();
          },
        }
      : {};
  const tokens = createTokenSource({
    http: createHttpClient({
      ...common,
      baseUrl: urls.auth,
      secrets: () => baseSecrets,
      ...paced(createPacer(JUMIO_RATE_LIMITS.token, clock)),
    }),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clock,
  });
  const secrets = () => [...baseSecrets, ...tokens.secrets()];
  const account = createBearerClient(
    {
      ...common,
      baseUrl: urls.account,
      secrets,
      ...paced(createPacer(JUMIO_RATE_LIMITS.account, clock)),
    },
    tokens,
  );
  const retrieval = createBearerClient(
    {
      ...common,
      baseUrl: urls.retrieval,
      secrets,
      ...paced(createPacer(JUMIO_RATE_LIMITS.retrieval, clock)),
    },
    tokens,
  );
  const decide = { autoRegistration: options.autoRegistration, policy: options.policy };

  function executionPath(accountId: string, workflowExecutionId: string): string {
    return `/api/v1/accounts/${accountId}/workflow-executions/${workflowExecutionId}`;
  }

  async function details(session: SessionRef, signal?: AbortSignal): Promise<WorkflowDetails> {
    const { accountId, workflowExecutionId } = kyxIds(session);
    const answer = await retrieval.request({
      method: 'GET',
      url: executionPath(accountId, workflowExecutionId),
      schema: workflowDetailsSchema,
      signal,
    });
    if (answer.data.workflow.id !== workflowExecutionId || answer.data.account.id !== accountId) {
      throw new UnexpectedResponseError(
        '[idv] [jumio] the retrieval API answered with another workflow execution than the one asked for',
        { provider: 'jumio' },
      );
    }
    return answer.data;
  }

  /** Starts a transaction: a new account (`POST`), or a new one on `existing` (`PUT`). */
  async function transaction(
    existing: string | undefined,
    input: AccountInput,
    signal: AbortSignal | undefined,
  ): Promise<VerificationSession> {
    const body = accountBody(options, input);
    const startedAt = clock.now();
    const answer = await account.request({
      method: existing === undefined ? 'POST' : 'PUT',
      url: existing === undefined ? '/api/v1/accounts' : `/api/v1/accounts/${existing}`,
      body,
      schema: accountResponseSchema,
      // Each POST or PUT starts a new transaction: never repeat one that may have arrived.
      idempotent: false,
      signal,
    });
    return accountSession(answer.data, startedAt, options);
  }

  return {
    name: 'jumio',
    capabilities: {
      signedWebhooks: false,
      requiresCompleteCapture: false,
      hostedCapture: true,
      sdkToken: true,
    },

    async startVerification(
      input: StartVerificationInput,
      call?: CallOptions,
    ): Promise<VerificationSession> {
      const existing =
        input.existingSubjectId === undefined
          ? undefined
          : checkId('existingSubjectId', input.existingSubjectId);
      return transaction(existing, input, call?.signal);
    },

    /**
     * A new workflow execution for the account (`PUT /api/v1/accounts/{id}`,
     * docs/provider-facts.md#j-acc-2) with its own `web.href` and token. The
     * old execution is not ended: Jumio may still send its `TOKEN_EXPIRED`
     * when its token runs out (docs/provider-facts.md#j-cb-2), for an
     * `attemptId` that is no longer the session's.
     */
    async refreshLink(
      session: SessionRef,
      input: RefreshLinkInput,
      call?: CallOptions,
    ): Promise<VerificationSession> {
      const accountId = checkId('session.subjectId', session?.subjectId);
      return transaction(accountId, input, call?.signal);
    },

    /**
     * Deletes the account with all its workflow executions (`DELETE
     * {retrieval}/api/v1/accounts/{id}`, answering 200:
     * docs/provider-facts.md#j-acc-9, as documented in 2023; the current
     * page was not found, docs/provider-facts.md#j-open-10). Nothing is kept
     * to restore; later reads answer 404 (docs/provider-facts.md#j-ret-4).
     */
    async deleteSubject(session: SessionRef, call?: CallOptions): Promise<SubjectDeletion> {
      const accountId = checkId('session.subjectId', session?.subjectId);
      try {
        await retrieval.request({
          method: 'DELETE',
          url: `/api/v1/accounts/${accountId}`,
          signal: call?.signal,
        });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        return { provider: 'jumio', subjectId: accountId, outcome: 'not_found', restorable: false };
      }
      return { provider: 'jumio', subjectId: accountId, outcome: 'deleted', restorable: false };
    },

    async completeCapture(session: SessionRef): Promise<SessionRef> {
      // Jumio processes on its own once the customer finishes the hosted journey.
      return session;
    },

    async verifyWebhook(request: IncomingWebhook): Promise<JumioWebhookEvent> {
      return parseKyxCallback(request, options);
    },

    async getResult(session: SessionRef, call?: CallOptions): Promise<VerificationResult> {
      const { accountId, workflowExecutionId } = kyxIds(session);
      let mapped: JumioMappedVerdict;
      let completedAt: string | undefined;
      try {
        const found = await details(session, call?.signal);
        mapped = mapJumioVerdict(found);
        completedAt = found.completedAt;
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        // Details can be gone (an expired or wiped transaction) while the status remains
        // (docs/provider-facts.md#j-ret-5).
        const status = await retrieval.request({
          method: 'GET',
          url: `${executionPath(accountId, workflowExecutionId)}/status`,
          schema: workflowStatusSchema,
          signal: call?.signal,
        });
        const value = status.data.workflowExecution.status;
        if (ownEntry(JUMIO_WORKFLOW_STATUSES, value) === 'processed') throw error;
        mapped = mapWorkflowStatus(value);
      }
      return decideOutcome(
        {
          session: { provider: 'jumio', subjectId: accountId, attemptId: workflowExecutionId },
          pending: mapped.pending,
          reasons: mapped.reasons,
          person: mapped.person,
          providerLabels: mapped.providerLabels,
          completedAt: mapped.pending ? undefined : completedAt,
        },
        decide,
      );
    },

    async listDocuments(session: SessionRef, call?: CallOptions): Promise<DocumentInfo[]> {
      const found = await details(session, call?.signal);
      const documents: DocumentInfo[] = [];
      for (const credential of found.credentials) {
        for (const part of credential.parts) {
          if (part.href === undefined) continue;
          // An answer naming another host is not followed, even for listing.
          assertAllowedUrl(part.href, [retrievalOrigin], 'jumio');
          documents.push({
            id: `${credential.id}:${part.classifier}`,
            kind: kindOf(part.classifier),
            side: part.classifier.toLowerCase(),
            ...(credential.category === undefined ? {} : { documentType: credential.category }),
            downloadUrl: part.href,
          });
        }
      }
      return documents;
    },

    downloadDocument(document: DocumentInfo, call?: CallOptions): Promise<DocumentDownload> {
      return downloadStream(retrieval, document, {
        provider: 'jumio',
        allowedOrigins: [retrievalOrigin],
        maxBytes: options.maxDownloadBytes,
        signal: call?.signal,
      });
    },

    async checkConnection(): Promise<ConnectionCheck> {
      const started = clock.now();
      const { expiresIn } = await tokens.refresh();
      return {
        provider: 'jumio',
        ok: true,
        baseUrl: describeUrl(urls.auth),
        latencyMs: Math.max(0, clock.now() - started),
        detail: `OAuth2 client credentials accepted for ${options.region}; token valid for ${expiresIn} s`,
      };
    },
  };
}
