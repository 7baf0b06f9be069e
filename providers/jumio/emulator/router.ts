/**
 * What a route handler gets, the kit's router bound to it, and request
 * helpers.
 *
 * @module
 */
import { type Route as KitRoute, route as kitRoute } from 'idv-providers/emulator-kit';
import type { EmulatorContext } from './context';
import type { RegionKey } from './state';

/** What a route handler gets. */
export interface RouteContext {
  request: Request;
  /** The region whose host was called (`custom` for the given base URLs). */
  region: RegionKey;
  /** The path's captured ids. */
  params: string[];
  /** The emulator's state and settings. */
  emulator: EmulatorContext;
}

/** One route of an emulated host. */
export type Route = KitRoute<RouteContext>;

/** Declares a route; `path` is relative to the host's base path, such as `/api/v1/accounts/:id`. */
export function route(method: string, path: string, handle: Route['handle']): Route {
  return kitRoute(method, path, handle);
}

/** The request's headers, lower-case names. */
export function headersOf(request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}

/** True when the request names its client (Jumio refuses requests without a `User-Agent`). */
export function hasUserAgent(request: Request): boolean {
  return (request.headers.get('user-agent') ?? '').trim() !== '';
}

/** `user:password` of a Basic `Authorization` header, if it has one. */
export function basicCredentials(request: Request): { user: string; password: string } | undefined {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The request's JSON body, or `undefined` when it is not a JSON object. */
export async function jsonBody(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await request.text());
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
