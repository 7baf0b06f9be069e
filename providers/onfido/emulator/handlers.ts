/**
 * The MSW handlers: one per served base URL, each authenticating the request,
 * applying injected faults, and dispatching to the routes.
 *
 * @module
 */
import { http, type RequestHandler } from 'msw';
import type { OnfidoEngine } from './engine';
import { answerBefore, damageAfter, type FaultQueue } from './faults';
import type { Route } from './router';
import { checkRoutes } from './routes-checks';
import { fileRoutes } from './routes-files';
import { studioRoutes, unknownRoute, webhookRoutes } from './routes-studio';
import { onfidoError, type RealmInfo } from './views';

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
  workflowIds: ReadonlySet<string>;
}

const AUTH = /^Token token="?([^"]*)"?$/;

/** Onfido's answer to a missing or wrong API token. */
function unauthorized(): Response {
  return onfidoError(
    401,
    'authorization_error',
    'Authorization error: please re-check your credentials',
  );
}

/** Builds the handlers. */
export function createHandlers(settings: HandlerSettings): RequestHandler[] {
  const routes: Route[] = [
    ...checkRoutes,
    ...fileRoutes,
    ...studioRoutes(settings.workflowIds),
    ...webhookRoutes,
  ];

  async function dispatch(request: Request, url: URL, realm: RealmInfo): Promise<Response> {
    const token = AUTH.exec(request.headers.get('authorization') ?? '')?.[1];
    if (token !== settings.apiToken) return unauthorized();
    const path = url.pathname.slice(realm.basePath.length) || '/';
    const method = request.method.toUpperCase();
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (match === null) continue;
      const params = match.slice(1).map((p) => decodeURIComponent(p));
      return candidate.handle({ request, url, realm, params, engine: settings.engine });
    }
    return unknownRoute(method, url.pathname);
  }

  return settings.realms.map((realm) =>
    http.all(`${realm.baseUrl}/*`, async ({ request }) => {
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
      const fault = settings.faults.take(method, url.pathname);
      if (fault !== undefined) {
        const early = await answerBefore(fault);
        if (early !== undefined) {
          entry.status = early.status;
          return early;
        }
      }
      const answer = await dispatch(request, url, realm);
      entry.status = answer.status;
      return fault === undefined ? answer : damageAfter(fault, answer);
    }),
  );
}
