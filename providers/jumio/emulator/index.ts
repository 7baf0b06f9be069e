/**
 * A stateful Jumio emulator for tests: MSW handlers for the auth, account and
 * retrieval hosts of every KYX region (and for overridden base URLs), and for
 * the Netverify data centers of the legacy mode.
 *
 * It behaves like Jumio where a client can tell: OAuth2 tokens that expire (or
 * are revoked early with {@link JumioEmulator.expireTokens}), 401 for unknown,
 * expired or wrong-region tokens and wrong client credentials, 403 without a
 * `User-Agent`, 404 for unknown ids, 429 with Jumio's own body, regional data
 * (an account exists only in its region), real PNG bytes for every image part,
 * and callbacks for every finished transaction.
 *
 * @example
 * ```ts
 * const emulator = createJumioEmulator();
 * const server = setupServer(...emulator.handlers);
 * const idv = await createProvider(emulator.config());
 * const { session } = await idv.startVerification({ identityReference: 'identity-1' });
 * emulator.setLabels(session.subjectId, { capabilities: [{ capability: 'usability', type: 'REJECTED', label: 'GLARE' }] });
 * await emulator.completeCustomerJourney(session);
 * const result = await idv.getResult(session); // REJECTED_IMAGE_INTEGRITY → retry
 * ```
 *
 * @module
 */
import type { Clock, IdvConfig, JumioRegion, ReasonCode, SessionRef } from 'idv-providers';
import type {
  EmulatorFault,
  EmulatorVerdict,
  FaultScope,
  ProviderEmulator,
} from 'idv-providers/testing';
import { delay, http, type RequestHandler } from 'msw';
import { type EmulatedHosts, type EmulatorContext, hasUserAgent, headersOf } from './context';
import { FaultQueue, faultAnswer, problem, spoil } from './faults';
import { type Deliver, findTarget, finishExecution, finishScan, uploadCaptures } from './journey';
import { accountRoute, checkBearer, retrievalRoute, tokenRoute } from './kyx-routes';
import { checkBasic, netverifyRoute } from './netverify-routes';
import {
  type Account,
  EmulatorState,
  type Execution,
  type JumioLabelVerdict,
  type NetverifyVerdict,
  type RecordedRequest,
  type RegionKey,
  type Scan,
} from './state';
import { KYX_REPRESENTATIVE, NETVERIFY_REPRESENTATIVE } from './verdicts';

export type { Deliver as JumioDeliver } from './journey';
export type {
  Account as JumioEmulatedAccount,
  CapabilityJson as JumioEmulatedCapability,
  CapabilityLabel as JumioCapabilityLabel,
  DecisionType as JumioEmulatedDecisionType,
  Execution as JumioEmulatedExecution,
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
  /** The emulator's time (token expiry, timestamps). Default `Date.now`. */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Base URLs to emulate besides the regional hosts (a proxy); {@link JumioEmulator.config} then points at them. */
  baseUrls?:
    | {
        auth?: string | undefined;
        account?: string | undefined;
        retrieval?: string | undefined;
        netverify?: string | undefined;
      }
    | undefined;
  /** Called with every callback the emulator sends; its answer is recorded as `answeredStatus`. */
  deliver?: Deliver | undefined;
  /** The tenant name in customer links. Default `acme`. */
  tenant?: string | undefined;
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
  /** Chooses a KYX verdict by Jumio's own decision and capability labels (any of them). */
  setLabels(id: string, verdict: JumioLabelVerdict): void;
  /** Makes a KYX transaction expire instead of being processed. */
  setExpiry(id: string, status?: 'SESSION_EXPIRED' | 'TOKEN_EXPIRED'): void;
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

const REGIONS: readonly JumioRegion[] = ['amer-1', 'emea-1', 'apac-1'];
const NETVERIFY_HOSTS: Readonly<Record<JumioRegion, string>> = {
  'amer-1': 'https://netverify.com',
  'emea-1': 'https://lon.netverify.com',
  'apac-1': 'https://core-sgp.jumio.com',
};

type HostKind = keyof EmulatedHosts;

/** Creates a Jumio emulator. Install its handlers with `setupServer(...emulator.handlers)`. */
export function createJumioEmulator(options: JumioEmulatorOptions = {}): JumioEmulator {
  const clientId = options.clientId ?? 'emulated-jumio-client-8c1f';
  const clientSecret = options.clientSecret ?? 'emulated-jumio-secret-5d7e2a9b';
  const region = options.region ?? 'amer-1';
  const callbackUrl = options.callbackUrl ?? 'https://idv-host.example/callbacks/jumio';
  const state = new EmulatorState();
  const faults = new FaultQueue();
  const clock = options.clock ?? { now: () => Date.now() };

  const hosts: Record<string, EmulatedHosts> = {};
  for (const r of REGIONS) {
    hosts[r] = {
      auth: `https://auth.${r}.jumio.ai`,
      account: `https://account.${r}.jumio.ai`,
      retrieval: `https://retrieval.${r}.jumio.ai`,
      netverify: NETVERIFY_HOSTS[r],
    };
  }
  const custom = options.baseUrls;
  if (custom !== undefined) {
    const base = hosts[region] as EmulatedHosts;
    const trim = (url: string | undefined, fallback: string) =>
      (url ?? fallback).replace(/\/+$/, '');
    hosts['custom'] = {
      auth: trim(custom.auth, base.auth),
      account: trim(custom.account, base.account),
      retrieval: trim(custom.retrieval, base.retrieval),
      netverify: trim(custom.netverify, base.netverify),
    };
  }

  const context: EmulatorContext = {
    state,
    clientId,
    clientSecret,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    now: () => clock.now(),
    hosts,
    tenant: options.tenant ?? 'acme',
  };

  async function route(request: Request, key: RegionKey, kind: HostKind, path: string) {
    if (!hasUserAgent(request))
      return problem(403, 'A User-Agent header naming the client is required');
    if (kind === 'auth') return tokenRoute(context, key, request, path);
    if (kind === 'netverify') {
      return checkBasic(context, request) ?? netverifyRoute(context, key, request, path);
    }
    const unauthorized = checkBearer(context, key, request);
    if (unauthorized !== undefined) return unauthorized;
    return kind === 'account'
      ? accountRoute(context, key, request, path)
      : retrievalRoute(context, key, request, path);
  }

  async function handle(request: Request, key: RegionKey, kind: HostKind, prefix: string) {
    const url = new URL(request.url);
    const path = url.pathname.slice(prefix.length) || '/';
    state.requests.push({
      method: request.method,
      url: request.url,
      path,
      headers: headersOf(request),
    });
    const fault = faults.take(request.method, path);
    if (fault !== undefined) {
      const answer = faultAnswer(fault);
      if (answer !== undefined) return answer;
      if (fault.kind === 'delay') await delay(fault.ms);
    }
    const response = await route(request, key, kind, path);
    return fault === undefined ? response : spoil(fault, response);
  }

  const handlers: RequestHandler[] = [];
  const seen = new Set<string>();
  // The custom host set first, so it wins where it shares an origin with a region.
  for (const key of ['custom', ...REGIONS] as RegionKey[]) {
    const set = hosts[key];
    if (set === undefined) continue;
    for (const kind of ['auth', 'account', 'retrieval', 'netverify'] as const) {
      const base = set[kind];
      if (seen.has(base)) continue;
      seen.add(base);
      const prefix = new URL(base).pathname.replace(/\/+$/, '');
      handlers.push(http.all(`${base}/*`, ({ request }) => handle(request, key, kind, prefix)));
    }
  }

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

  return {
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
        ...hostsOverride,
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
    setLabels: (id, verdict) => setStored(id, { kind: 'labels', verdict }),
    setExpiry: (id, status = 'SESSION_EXPIRED') => setStored(id, { kind: 'expired', status }),
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
}
