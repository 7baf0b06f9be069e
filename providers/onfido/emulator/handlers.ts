/**
 * The MSW handlers: one per served base URL, each recording the request,
 * applying injected faults (the kit's fault queue), authenticating the
 * request, and dispatching to the routes.
 *
 * @module
 */

import { type FaultQueue, matchRoute } from 'idv-providers/emulator-kit';
import { trimTrailingSlashes } from 'idv-providers/kit';
import { ONFIDO_BASE_URLS, type OnfidoRegion } from 'idv-providers/onfido';
import { http, type RequestHandler } from 'msw';
import type { OnfidoEngine } from './engine';
import { accessTokenValid, type OAuthSettings, tokenEndpoint } from './oauth';
import type { Route } from './router';
import { applicantRoutes } from './routes-applicants';
import { checkRoutes } from './routes-checks';
import { fileRoutes } from './routes-files';
import { studioRoutes, webhookRoutes } from './routes-studio';
import { type RealmInfo, unauthorized, unknownRoute } from './views';

/** One request the emulator received. */
export interface RequestLogEntry {
  method: string;
  /** The URL without its query string. */
  url: string;
  /** The URL's path. */
  pathname: string;
  /** `EU`, `US`, `CA` or `custom`. */
  realm: string;
  /** The status answered (0 for a reset connection). */
  status: number;
}

/** What the handlers need. */
export interface HandlerSettings {
  realms: readonly RealmInfo[];
  engine: OnfidoEngine;
  faults: FaultQueue;
  log: RequestLogEntry[];
  apiToken: string;
  /** The OAuth2 client credentials the token endpoint accepts. */
  oauth: OAuthSettings;
  /**
   * More base URLs answering for the `custom` realm (the same records): the
   * served emulator answers at its origin's `/v3.6` too, where the resources'
   * relative `href`s point.
   */
  aliasBaseUrls?: readonly string[] | undefined;
}

const AUTH = /^Token token="?([^"]*)"?$/;
const BEARER = /^Bearer (\S+)$/;

/** The path every `href` starts with, as on the API (docs/provider-facts.md#o-rep-9). */
export const API_HREF_PATH = '/v3.6';

const pathOf = (baseUrl: string): string => trimTrailingSlashes(new URL(baseUrl).pathname);

/** The realms served: the three regional hosts, and `custom` for a given base URL. */
export function servedRealms(custom: string | undefined): RealmInfo[] {
  const out: RealmInfo[] = (Object.keys(ONFIDO_BASE_URLS) as OnfidoRegion[]).map((name) => ({
    name,
    baseUrl: ONFIDO_BASE_URLS[name],
    basePath: pathOf(ONFIDO_BASE_URLS[name]),
    hrefPath: API_HREF_PATH,
  }));
  if (custom !== undefined) {
    const baseUrl = trimTrailingSlashes(custom);
    out.push({ name: 'custom', baseUrl, basePath: pathOf(baseUrl), hrefPath: API_HREF_PATH });
  }
  return out;
}

/** Builds the handlers. */
export function createHandlers(settings: HandlerSettings): RequestHandler[] {
  const routes: Route[] = [
    ...applicantRoutes,
    ...checkRoutes,
    ...fileRoutes,
    ...studioRoutes,
    ...webhookRoutes,
  ];

  async function dispatch(
    request: Request,
    url: URL,
    realm: RealmInfo,
    basePath: string,
  ): Promise<Response> {
    const method = request.method.toUpperCase();
    const path = url.pathname.slice(basePath.length) || '/';
    // The token endpoint authenticates by the credentials in its body.
    if (path === '/oauth/token') {
      return method === 'POST'
        ? tokenEndpoint(request, settings.engine, settings.oauth)
        : unknownRoute(method, url.pathname);
    }
    const header = request.headers.get('authorization') ?? '';
    const token = AUTH.exec(header)?.[1];
    const bearer = BEARER.exec(header)?.[1];
    const accepted =
      token === settings.apiToken ||
      (bearer !== undefined && accessTokenValid(settings.engine, bearer));
    if (!accepted) return unauthorized();
    settings.engine.purgeExpired();
    const found = matchRoute(routes, method, path);
    if (found === undefined) return unknownRoute(method, url.pathname);
    return found.route.handle({
      request,
      url,
      realm,
      params: found.params,
      engine: settings.engine,
    });
  }

  const custom = settings.realms.find((r) => r.name === 'custom');
  const mounts = [
    ...settings.realms.map((realm) => ({
      baseUrl: realm.baseUrl,
      basePath: realm.basePath,
      realm,
    })),
    ...(custom === undefined ? [] : (settings.aliasBaseUrls ?? [])).map((alias) => ({
      baseUrl: trimTrailingSlashes(alias),
      basePath: pathOf(alias),
      realm: custom as RealmInfo,
    })),
  ];
  return mounts.map(({ baseUrl, basePath, realm }) =>
    http.all(`${baseUrl}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const method = request.method.toUpperCase();
      const entry: RequestLogEntry = {
        method,
        url: `${url.origin}${url.pathname}`,
        pathname: url.pathname,
        realm: realm.name,
        status: 0,
      };
      settings.log.push(entry);
      const answer = await settings.faults.answer(method, url.pathname, () =>
        dispatch(request, url, realm, basePath),
      );
      entry.status = answer.status;
      return answer;
    }),
  );
}
