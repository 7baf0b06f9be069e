/**
 * The MSW handlers: one per emulated host (auth, account, retrieval, status
 * and Netverify of every region, docs/provider-facts.md#j-host-2 and
 * docs/provider-facts.md#j-nv-1, and the given base URLs), each recording the
 * request, applying injected faults (the kit's fault queue), refusing
 * requests without a `User-Agent` (403, docs/provider-facts.md#j-auth-7) or
 * valid credentials, applying the tenant's rate limits (429,
 * docs/provider-facts.md#j-rl-1 to #j-rl-4; see ./rate-limits.ts), and
 * dispatching to the host's routes.
 *
 * @module
 */

import { type FaultQueue, matchRoute } from 'idv-providers/emulator-kit';
import type { JumioRegion } from 'idv-providers/jumio';
import { trimTrailingSlashes } from 'idv-providers/kit';
import { http, type RequestHandler } from 'msw';
import type { EmulatedHosts, EmulatorContext } from './context';
import type { RateClass } from './rate-limits';
import { basicCredentials, hasUserAgent, headersOf, type Route } from './router';
import { accountRoutes, retrievalRoutes, statusRoutes } from './routes-kyx';
import { checkBasic, netverifyRoutes } from './routes-netverify';
import { authRoutes, bearerOf } from './routes-token';
import type { RegionKey } from './state';
import { problem } from './views';

/** Every KYX region; each is emulated. */
export const REGIONS: readonly JumioRegion[] = ['amer-1', 'emea-1', 'apac-1'];

const NETVERIFY_HOSTS: Readonly<Record<JumioRegion, string>> = {
  'amer-1': 'https://netverify.com',
  'emea-1': 'https://lon.netverify.com',
  'apac-1': 'https://core-sgp.jumio.com',
};

type HostKind = keyof EmulatedHosts;

const ROUTES: Readonly<Record<HostKind, readonly Route[]>> = {
  auth: authRoutes,
  account: accountRoutes,
  retrieval: retrievalRoutes,
  netverify: netverifyRoutes,
  status: statusRoutes,
};

/** The rate-limited class of a request to a host of `kind` (docs/provider-facts.md#j-rl-2 to #j-rl-4). */
function rateClassOf(kind: HostKind, method: string): RateClass | undefined {
  if (kind === 'auth') return 'token';
  // Only the account requests that start a transaction (docs/provider-facts.md#j-rl-3).
  if (kind === 'account') return method === 'POST' || method === 'PUT' ? 'account' : undefined;
  if (kind === 'retrieval') return 'retrieval';
  return undefined;
}

/** Base URLs to emulate besides the regional hosts. */
export interface CustomHosts {
  auth?: string | undefined;
  account?: string | undefined;
  retrieval?: string | undefined;
  netverify?: string | undefined;
  status?: string | undefined;
}

/** The hosts of every region, and `custom` ones (falling back to `region`'s) when given. */
export function emulatedHosts(
  region: JumioRegion,
  custom: CustomHosts | undefined,
): Record<string, EmulatedHosts> {
  const hosts: Record<string, EmulatedHosts> = {};
  for (const r of REGIONS) {
    hosts[r] = {
      auth: `https://auth.${r}.jumio.ai`,
      account: `https://account.${r}.jumio.ai`,
      retrieval: `https://retrieval.${r}.jumio.ai`,
      netverify: NETVERIFY_HOSTS[r],
      status: `https://status.${r}.jumio.ai`,
    };
  }
  if (custom !== undefined) {
    const base = hosts[region] as EmulatedHosts;
    const trim = (url: string | undefined, fallback: string) =>
      trimTrailingSlashes(url ?? fallback);
    hosts['custom'] = {
      auth: trim(custom.auth, base.auth),
      account: trim(custom.account, base.account),
      retrieval: trim(custom.retrieval, base.retrieval),
      netverify: trim(custom.netverify, base.netverify),
      status: trim(custom.status, base.status),
    };
  }
  return hosts;
}

function dispatch(
  emulator: EmulatorContext,
  request: Request,
  region: RegionKey,
  kind: HostKind,
  path: string,
): Response | Promise<Response> {
  if (!hasUserAgent(request)) {
    return problem(403, 'A User-Agent header naming the client is required');
  }
  // The tenant a request counts against: the client id it names or its token was issued to.
  let tenant: string | undefined;
  if (kind === 'netverify') {
    const refused = checkBasic(emulator, request);
    if (refused !== undefined) return refused;
  } else if (kind === 'account' || kind === 'retrieval') {
    const bearer = bearerOf(emulator, region, request);
    if (bearer instanceof Response) return bearer;
    tenant = bearer.clientId;
  } else if (kind === 'auth') {
    // A token request counts against the client it names, whether its secret is right or not.
    const user = basicCredentials(request)?.user;
    tenant = user === emulator.clientId ? user : undefined;
  }
  const found = matchRoute(ROUTES[kind], request.method, path);
  if (found === undefined) return problem(404, 'No such endpoint');
  if (kind === 'auth') emulator.state.tokenRequests++;
  const rateClass = rateClassOf(kind, found.route.method);
  if (
    tenant !== undefined &&
    rateClass !== undefined &&
    !emulator.limiter.admit(tenant, rateClass)
  ) {
    emulator.state.rateLimited.push({
      rateClass,
      clientId: tenant,
      method: request.method,
      path,
      at: emulator.now(),
    });
    // The documented 429 body; Jumio documents no Retry-After (docs/provider-facts.md#j-rl-3).
    return problem(429, 'Request limit exceeded');
  }
  return found.route.handle({ request, region, params: found.params, emulator });
}

/** Builds the handlers for every host in `emulator.hosts`. */
export function createHandlers(emulator: EmulatorContext, faults: FaultQueue): RequestHandler[] {
  const handlers: RequestHandler[] = [];
  const seen = new Set<string>();
  // The custom host set first, so it wins where it shares an origin with a region.
  for (const region of ['custom', ...REGIONS] as RegionKey[]) {
    const set = emulator.hosts[region];
    if (set === undefined) continue;
    for (const kind of ['auth', 'account', 'retrieval', 'netverify', 'status'] as const) {
      const base = set[kind];
      if (seen.has(base)) continue;
      seen.add(base);
      const prefix = trimTrailingSlashes(new URL(base).pathname);
      const answer = ({ request }: { request: Request }) => {
        const path = new URL(request.url).pathname.slice(prefix.length) || '/';
        emulator.state.requests.push({
          method: request.method,
          url: request.url,
          path,
          headers: headersOf(request),
          at: emulator.now(),
        });
        return faults.answer(request.method, path, () =>
          dispatch(emulator, request, region, kind, path),
        );
      };
      handlers.push(http.all(`${base}/*`, answer));
      // The bare base URL too (the health check is `GET https://status.<r>.jumio.ai`).
      if (prefix !== '') handlers.push(http.all(base, answer));
    }
  }
  return handlers;
}
