/**
 * A stateful Jumio emulator for tests: MSW handlers for the auth, account and
 * retrieval hosts of every KYX region (and for overridden base URLs), and for
 * the Netverify data centers of the legacy mode.
 *
 * It behaves like Jumio where a client can tell: OAuth2 tokens that expire (or
 * are revoked early with {@link JumioEmulator.expireTokens}), 401 for unknown,
 * expired or wrong-region tokens and wrong client credentials, 403 without a
 * `User-Agent`, 404 for unknown or deleted ids, Jumio's rate limits per tenant
 * (on by default, on the emulator's clock; `rateLimits: false` turns them off)
 * answered 429 with Jumio's own body, regional data (an account exists only
 * in its region), real PNG bytes for every image part, and callbacks for every
 * finished or expired transaction ({@link JumioEmulator.expire}).
 *
 * @example
 * ```ts
 * const emulator = createJumioEmulator();
 * const server = setupServer(...emulator.handlers);
 * const idv = await createProvider(emulator.config());
 * const { session } = await idv.startVerification({ identityReference: 'identity-1' });
 * emulator.setCapabilityResult(session.subjectId, { capability: 'usability', decision: 'REJECTED', label: 'GLARE' });
 * await emulator.completeCustomerJourney(session);
 * const result = await idv.getResult(session); // REJECTED_IMAGE_INTEGRITY → retry
 * ```
 *
 * What it answers follows the project's record of Jumio's facts
 * (docs/provider-facts.md): the hosts and paths of every region
 * (docs/provider-facts.md#j-host-2), OAuth2 tokens (docs/provider-facts.md#j-auth-1
 * to #j-auth-3), the account answer (docs/provider-facts.md#j-acc-7), the
 * retrieval answers (docs/provider-facts.md#j-ret-1 to #j-ret-4, #j-ret-6),
 * deletion (docs/provider-facts.md#j-acc-9), the rate limits
 * (docs/provider-facts.md#j-rl-1 to #j-rl-4), the
 * capability labels Jumio publishes (./labels.ts) in the shapes of
 * docs/provider-facts.md#j-dec-7, callbacks (docs/provider-facts.md#j-cb-1) and
 * error bodies (docs/provider-facts.md#j-err-1, docs/provider-facts.md#j-rl-3).
 *
 * @packageDocumentation
 * @module idv-providers/jumio/emulator
 */
import type { Clock, IdvConfig, ReasonCode, SessionRef } from 'idv-providers';
import {
  createTestClock,
  type EmulatorFault,
  type EmulatorModule,
  type EmulatorVerdict,
  FaultQueue,
  type FaultScope,
  type ProviderEmulator,
} from 'idv-providers/emulator-kit';
import type { JumioRegion } from 'idv-providers/jumio';
import { isInsecureHttpUrl } from 'idv-providers/kit';
import type { RequestHandler } from 'msw';
import type { EmulatorContext } from './context';
import { createControlHandlers } from './control';
import type { Deliver } from './deliveries';
import { createHandlers, emulatedHosts } from './handlers';
import {
  expireExecution,
  findTarget,
  finishExecution,
  finishScan,
  uploadCaptures,
} from './journey';
import { findPublishedLabel } from './labels';
import {
  createRateLimiter,
  type JumioRateLimitSetting,
  type JumioRateLimits,
  type RateLimitedRequest,
} from './rate-limits';
import { jumioServing } from './serve';
import {
  type Account,
  type CapabilityLabel,
  type CredentialCategory,
  type DecisionType,
  EmulatorState,
  type Execution,
  type JumioCapture,
  type JumioLabelVerdict,
  type NetverifyVerdict,
  type RecordedRequest,
  type Scan,
} from './state';
import { KYX_REPRESENTATIVE, NETVERIFY_REPRESENTATIVE, producible } from './verdicts';
import { FAULT_ANSWERS } from './views';

export type { Deliver as JumioDeliver } from './deliveries';
export {
  PUBLISHED_LABELS as JUMIO_PUBLISHED_LABELS,
  type PublishedLabel as JumioPublishedLabel,
} from './labels';
export {
  JUMIO_DEFAULT_RATE_LIMITS,
  type JumioRateLimit,
  type JumioRateLimitSetting,
  type JumioRateLimits,
  type RateClass as JumioRateClass,
  type RateLimitedRequest as JumioRateLimitedRequest,
} from './rate-limits';
export type {
  Account as JumioEmulatedAccount,
  CapabilityJson as JumioEmulatedCapability,
  CapabilityLabel as JumioCapabilityLabel,
  CredentialCategory as JumioCredentialCategory,
  DecisionType as JumioEmulatedDecisionType,
  Execution as JumioEmulatedExecution,
  JumioCapture,
  JumioLabelVerdict,
  NetverifyVerdict as JumioNetverifyVerdict,
  RecordedRequest as JumioRecordedRequest,
  RegionKey as JumioEmulatedRegion,
  Scan as JumioEmulatedScan,
  StoredCredential as JumioEmulatedCredential,
  StoredPart as JumioEmulatedPart,
  WorkflowStatus as JumioWorkflowStatus,
} from './state';
export { SAMPLE_PERSON as JUMIO_SAMPLE_PERSON } from './verdicts';

/** Settings of {@link createJumioEmulator}. */
export interface JumioEmulatorOptions {
  /** The client id (KYX) or API token (Netverify) the emulator accepts. */
  clientId?: string | undefined;
  /** The client secret or API secret the emulator accepts. */
  clientSecret?: string | undefined;
  /** The region {@link JumioEmulator.config} names. Default `amer-1`; every region is emulated. */
  region?: JumioRegion | undefined;
  /** The callback URL {@link JumioEmulator.config} sets. */
  callbackUrl?: string | undefined;
  /** `expires_in` of issued access tokens, seconds. Default 3600. */
  tokenLifetimeSeconds?: number | undefined;
  /**
   * The emulator's time (token expiry, timestamps). Default: the kit's
   * `createTestClock()` (manual, at 2026-01-01T00:00:00Z), the default of every
   * emulator; pass the same clock to the adapter to share one time line.
   */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Base URLs to emulate besides the regional hosts (a proxy); {@link JumioEmulator.config} then points at them. */
  baseUrls?:
    | {
        auth?: string | undefined;
        account?: string | undefined;
        retrieval?: string | undefined;
        netverify?: string | undefined;
        /** The health check (docs/provider-facts.md#j-host-4). */
        status?: string | undefined;
      }
    | undefined;
  /**
   * Jumio's rate limits per tenant (docs/provider-facts.md#j-rl-1 to #j-rl-4):
   * `true` (default) for the documented defaults, `false` for none, or some
   * classes' limits changed (`{ account: { burst: 20 } }`, as Jumio Support can
   * raise them). Buckets fill on the emulator's clock: with the default test
   * clock they refill only as the test moves it.
   */
  rateLimits?: JumioRateLimitSetting | undefined;
  /**
   * Where to answer the emulator's own control requests over HTTP (`POST
   * <url>/expire`, ...; see ./control.ts). The served emulator sets it; none by default.
   */
  controlBaseUrl?: string | undefined;
  /** Called with every callback the emulator sends; its answer is recorded as `answeredStatus`. */
  deliver?: Deliver | undefined;
  /** The tenant name in customer links. Default `acme`. */
  tenant?: string | undefined;
}

/**
 * One capability result a test chooses from the labels Jumio publishes
 * (`JUMIO_PUBLISHED_LABELS`): `{ capability: 'dataChecks', decision: 'WARNING',
 * label: 'LOOKUPS_MEDIUM_RISK_DEVICE' }`.
 */
export interface JumioCapabilityResult {
  /** The capability: `usability`, `imageChecks`, `dataChecks`, `liveness`, ... */
  capability: string;
  /** The decision type the label comes with. */
  decision: DecisionType;
  /** The label. */
  label: string;
  /**
   * For `usability`, the credential judged (Jumio answers one usability
   * result per credential, docs/provider-facts.md#j-dec-7). Default `ID`.
   */
  credential?: CredentialCategory | undefined;
}

/** The Jumio emulator: the common emulator contract plus Jumio's own controls. */
export interface JumioEmulator extends ProviderEmulator {
  /** The accepted client id. */
  readonly clientId: string;
  /** The accepted client secret. */
  readonly clientSecret: string;
  /**
   * Chooses a transaction's verdict by reason code, using a representative
   * Jumio label (KYX) or verification status (Netverify). `id` is an account
   * id, a workflow execution id or a scan reference. Throws for a reason Jumio
   * cannot produce (`SUSPECTED_POLICE_RECORD`, `REJECTED_AGE_VALIDATION`, ...).
   */
  setVerdict(id: string, verdict: EmulatorVerdict): void;
  /**
   * The reason codes {@link setVerdict} can produce, in the core's priority
   * order: for KYX transactions (default), or for Netverify scans.
   */
  reasons(mode?: 'kyx' | 'netverify'): readonly ReasonCode[];
  /**
   * Chooses one capability's result of a KYX transaction from the labels
   * Jumio publishes; the other capabilities keep their results (those
   * chosen earlier, else passing, or skipped when this one stops them,
   * docs/provider-facts.md#j-dec-6). Calling it again for the same
   * capability (and usability credential) replaces that result. Throws for
   * a (capability, decision, label) the facts do not record: use
   * {@link setLabels} to answer with anything else.
   */
  setCapabilityResult(id: string, result: JumioCapabilityResult): void;
  /** Chooses a KYX verdict by Jumio's own decision and capability labels (any of them, published or not). */
  setLabels(id: string, verdict: JumioLabelVerdict): void;
  /** Makes a KYX transaction expire instead of being processed, when the customer journey is played. */
  setExpiry(id: string, status?: 'SESSION_EXPIRED' | 'TOKEN_EXPIRED'): void;
  /**
   * Lets a KYX transaction expire now, and sends its callback:
   * `TOKEN_EXPIRED` (the link ran out) or `SESSION_EXPIRED` (the customer's
   * session timed out). Default: `TOKEN_EXPIRED` if nothing was captured yet,
   * else `SESSION_EXPIRED`. Throws for a processed or expired transaction.
   */
  expire(session: SessionRef, status?: 'SESSION_EXPIRED' | 'TOKEN_EXPIRED'): Promise<void>;
  /**
   * Chooses the parts a KYX transaction's capture yields beyond FRONT, BACK,
   * FACE and FACEMAP: `FRONT_WITH_FLASH`, `LIVENESS_<n>` frames. `id` is an
   * account or workflow execution id; set it before the customer uploads.
   */
  setCapture(id: string, capture: JumioCapture): void;
  /** Changes the rate limits (`false` turns them off); every bucket starts full. */
  setRateLimits(setting: JumioRateLimitSetting): void;
  /** The rate limits: whether they apply, and each class's limit. */
  rateLimits(): { enabled: boolean; limits: JumioRateLimits };
  /** Every request the rate limits answered 429, oldest first. */
  rateLimited(): RateLimitedRequest[];
  /** Chooses a Netverify verdict by Jumio's own values. */
  setNetverifyVerdict(scanReference: string, verdict: NetverifyVerdict): void;
  /** Plays the customer uploading without Jumio finishing yet (the workflow becomes ACQUIRED). */
  acquire(session: SessionRef): void;
  /** Revokes every token issued so far: the next call with one gets 401. */
  expireTokens(): void;
  /** How many token requests reached the auth hosts (any outcome). */
  tokenRequests(): number;
  /** Every access token issued, oldest first (for secret-leak checks). */
  issuedTokens(): string[];
  /** Every request received, oldest first. */
  requests(): RecordedRequest[];
  /** The stored KYX account. */
  account(accountId: string): Account | undefined;
  /** The stored workflow execution (with the start request's body). */
  execution(workflowExecutionId: string): Execution | undefined;
  /** The stored Netverify scan (with the initiate request's body). */
  scan(scanReference: string): Scan | undefined;
  /** Rewrites the download link of a session's part (e.g. to another host). */
  setPartHref(session: SessionRef, classifier: string, href: string): void;
}

/** Creates a Jumio emulator. Install its handlers with `setupServer(...emulator.handlers)`. */
export function createJumioEmulator(options: JumioEmulatorOptions = {}): JumioEmulator {
  const clientId = options.clientId ?? 'emulated-jumio-client-8c1f';
  const clientSecret = options.clientSecret ?? 'emulated-jumio-secret-5d7e2a9b';
  const region = options.region ?? 'amer-1';
  const callbackUrl = options.callbackUrl ?? 'https://idv-host.example/callbacks/jumio';
  const state = new EmulatorState();
  const faults = new FaultQueue(FAULT_ANSWERS);
  const clock = options.clock ?? createTestClock();
  const custom = options.baseUrls;
  const now = () => clock.now();
  const limiter = createRateLimiter(now, options.rateLimits ?? true);
  const context: EmulatorContext = {
    state,
    clientId,
    clientSecret,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    now,
    hosts: emulatedHosts(region, custom),
    tenant: options.tenant ?? 'acme',
    limiter,
  };
  const handlers: RequestHandler[] = [];

  function setStored(id: string, verdict: Parameters<typeof state.verdicts.set>[1]): void {
    if (!state.accounts.has(id) && !state.executions.has(id) && !state.scans.has(id)) {
      throw new Error(
        `[jumio emulator] no account, workflow execution or scan ${JSON.stringify(id)}`,
      );
    }
    state.verdicts.set(id, verdict);
  }

  function representative(id: string, reason: ReasonCode) {
    const isScan = state.scans.has(id);
    const table = isScan ? NETVERIFY_REPRESENTATIVE : KYX_REPRESENTATIVE;
    if (table[reason] === undefined) {
      throw new Error(
        `[jumio emulator] ${isScan ? 'Netverify' : 'Jumio KYX'} has no verdict that maps to ${reason}; choose one of ${Object.keys(table).join(', ')}`,
      );
    }
    return isScan;
  }

  const emulator: JumioEmulator = {
    provider: 'jumio',
    clientId,
    clientSecret,
    handlers,

    config(overrides: Record<string, unknown> = {}): IdvConfig {
      const hostsOverride =
        custom === undefined
          ? {}
          : {
              ...(custom.auth === undefined ? {} : { authBaseUrl: custom.auth }),
              ...(custom.account === undefined ? {} : { accountBaseUrl: custom.account }),
              ...(custom.retrieval === undefined ? {} : { retrievalBaseUrl: custom.retrieval }),
              ...(custom.netverify === undefined ? {} : { netverifyBaseUrl: custom.netverify }),
            };
      return {
        provider: 'jumio',
        clientId,
        clientSecret,
        region,
        callbackUrl,
        // The emulator's callbacks come from the test's own address, never from
        // Jumio's published ones (docs/provider-facts.md#j-cb-5).
        verifyCallbackSource: false,
        ...hostsOverride,
        // Plain http to another machine (a container's name) is accepted only with the opt-in for tests.
        ...(Object.values(hostsOverride).some(isInsecureHttpUrl)
          ? { allowInsecureBaseUrl: true }
          : {}),
        ...overrides,
      } as IdvConfig;
    },

    setVerdict(id, verdict) {
      if (representative(id, verdict.reason)) {
        const chosen = NETVERIFY_REPRESENTATIVE[verdict.reason] as NetverifyVerdict;
        setStored(id, {
          kind: 'netverify',
          verdict: {
            ...chosen,
            ...(verdict.person === undefined ? {} : { person: verdict.person }),
          },
        });
        return;
      }
      const chosen = KYX_REPRESENTATIVE[verdict.reason];
      if (chosen?.kind === 'labels' && verdict.person !== undefined) {
        setStored(id, { kind: 'labels', verdict: { ...chosen.verdict, person: verdict.person } });
      } else if (chosen !== undefined) {
        setStored(id, chosen);
      }
    },
    reasons: (mode = 'kyx') =>
      producible(mode === 'netverify' ? NETVERIFY_REPRESENTATIVE : KYX_REPRESENTATIVE),
    setCapabilityResult(id, result) {
      const { capability, decision, label } = result;
      if (findPublishedLabel(capability, decision, label) === undefined) {
        throw new Error(
          `[jumio emulator] Jumio publishes no ${capability} ${decision} label ${JSON.stringify(label)} (docs/provider-facts.md, "Capability labels"); use setLabels() for labels outside the facts`,
        );
      }
      if (state.scans.has(id)) {
        throw new Error('[jumio emulator] setCapabilityResult() is for KYX transactions');
      }
      const stored = state.verdicts.get(id);
      const verdict: JumioLabelVerdict = stored?.kind === 'labels' ? stored.verdict : {};
      const credential = capability === 'usability' ? (result.credential ?? 'ID') : undefined;
      const same = (entry: CapabilityLabel) =>
        entry.capability === capability &&
        (credential === undefined || (entry.credential ?? 'ID') === credential);
      const entry: CapabilityLabel = {
        capability,
        type: decision,
        label,
        ...(credential === undefined ? {} : { credential }),
      };
      setStored(id, {
        kind: 'labels',
        verdict: {
          ...verdict,
          capabilities: [...(verdict.capabilities ?? []).filter((e) => !same(e)), entry],
        },
      });
    },
    setLabels: (id, verdict) => setStored(id, { kind: 'labels', verdict }),
    setExpiry: (id, status = 'SESSION_EXPIRED') => setStored(id, { kind: 'expired', status }),
    async expire(session, status) {
      const target = findTarget(context, session);
      if (target.kind !== 'kyx')
        throw new Error('[jumio emulator] expire() is for KYX transactions');
      await expireExecution(context, target.execution, status, options.deliver);
    },
    setCapture(id, capture) {
      if (!state.accounts.has(id) && !state.executions.has(id)) {
        throw new Error(`[jumio emulator] no account or workflow execution ${JSON.stringify(id)}`);
      }
      const frames = capture.livenessFrames;
      if (frames !== undefined && !(Number.isInteger(frames) && frames >= 0 && frames <= 20)) {
        throw new Error('[jumio emulator] livenessFrames must be a whole number from 0 to 20');
      }
      state.captures.set(id, capture);
    },
    setRateLimits: (setting) => limiter.set(setting),
    rateLimits: () => ({ enabled: limiter.enabled(), limits: limiter.limits() }),
    rateLimited: () => [...state.rateLimited],
    setNetverifyVerdict: (id, verdict) => setStored(id, { kind: 'netverify', verdict }),

    async completeCustomerJourney(session) {
      const target = findTarget(context, session);
      if (target.kind === 'kyx') await finishExecution(context, target.execution, options.deliver);
      else await finishScan(context, target.scan, options.deliver);
    },
    acquire(session) {
      const target = findTarget(context, session);
      if (target.kind !== 'kyx')
        throw new Error('[jumio emulator] acquire() is for KYX transactions');
      uploadCaptures(context, target.execution);
    },

    deliveries: () => [...state.deliveries],
    fail: (fault: EmulatorFault, scope?: FaultScope) => faults.add(fault, scope),
    servedBytes: (documentId) => state.images.get(documentId)?.bytes,
    requestCount: (method, path) =>
      state.requests.filter((r) => r.method === method.toUpperCase() && path.test(r.path)).length,
    invalidCredentials: () => ({ clientSecret: `${clientSecret}-revoked` }),

    reset() {
      state.reset();
      faults.clear();
      limiter.set(options.rateLimits ?? true);
    },

    expireTokens() {
      for (const token of state.tokens.values()) token.revoked = true;
    },
    tokenRequests: () => state.tokenRequests,
    issuedTokens: () => [...state.tokens.keys()],
    requests: () => [...state.requests],
    account: (id) => state.accounts.get(id),
    execution: (id) => state.executions.get(id),
    scan: (reference) => state.scans.get(reference),
    setPartHref(session, classifier, href) {
      const target = findTarget(context, session);
      if (target.kind !== 'kyx')
        throw new Error('[jumio emulator] setPartHref() is for KYX transactions');
      const part = target.execution.credentials
        .flatMap((c) => c.parts)
        .find((p) => p.classifier === classifier);
      if (part === undefined)
        throw new Error(`[jumio emulator] no ${classifier} part uploaded yet`);
      part.href = href;
    },
  };
  if (options.controlBaseUrl !== undefined) {
    handlers.push(...createControlHandlers(options.controlBaseUrl, emulator));
  }
  handlers.push(...createHandlers(context, faults));
  return emulator;
}

/** The Jumio emulator for tools that drive every provider alike (see `EmulatorModule`). */
export const jumioEmulatorEntry: EmulatorModule = {
  createEmulator: () => createJumioEmulator(),
  serving: jumioServing(createJumioEmulator),
};
