/**
 * A small router for an emulated API's paths, and the "find or 404" answer
 * every lookup of a record by id needs. The provider-specific parts (the
 * context a route gets, the not-found body) come from the emulator.
 *
 * @module
 */

/** One route: a method and a path pattern, and what answers it. */
export interface Route<Context> {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path pattern; its groups are the path's parameters. */
  readonly pattern: RegExp;
  /** Answers a matching request. */
  readonly handle: (context: Context) => Response | Promise<Response>;
}

/** A route that matched a request, with the path's parameters (URI-decoded), in order. */
export interface RouteMatch<Context> {
  /** The route. */
  route: Route<Context>;
  /** The values of the path's `:name` segments, in order. */
  params: string[];
}

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

/**
 * Declares a route. `path` is relative to the API's base path, with `:name`
 * for a parameter (one path segment): `/checks/:id/download`. A trailing `/`
 * on the request's path is ignored.
 */
export function route<Context>(
  method: string,
  path: string,
  handle: (context: Context) => Response | Promise<Response>,
): Route<Context> {
  const source = path.replace(SPECIAL, '\\$&').replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '([^/]+)');
  return { method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), handle };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The first of `routes` that answers `method` on `path`, or `undefined`. */
export function matchRoute<Context>(
  routes: readonly Route<Context>[],
  method: string,
  path: string,
): RouteMatch<Context> | undefined {
  const wanted = method.toUpperCase();
  for (const candidate of routes) {
    if (candidate.method !== wanted) continue;
    const match = candidate.pattern.exec(path);
    if (match !== null) return { route: candidate, params: match.slice(1).map(decode) };
  }
  return undefined;
}

/**
 * Answers with `respond(record)` when the record exists, else with the
 * provider's not-found answer for `what` (`applicant`, `Scan`, ...).
 */
export type FindOr404 = <T>(
  record: T | undefined,
  what: string,
  respond: (record: T) => Response | Promise<Response>,
) => Response | Promise<Response>;

/**
 * A {@link FindOr404} answering a missing record with `notFound(what)`, the
 * provider's own 404 body.
 *
 * @example
 * ```ts
 * const findOr404 = createFindOr404((what) => problem(404, `${what} not found`));
 * return findOr404(scans.get(id), 'Scan', (scan) => HttpResponse.json(view(scan)));
 * ```
 */
export function createFindOr404(notFound: (what: string) => Response): FindOr404 {
  return (record, what, respond) => (record === undefined ? notFound(what) : respond(record));
}
