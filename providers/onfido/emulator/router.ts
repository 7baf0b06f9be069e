/**
 * What a route handler gets, the kit's router bound to it, and request
 * helpers.
 *
 * @module
 */
import { type Route as KitRoute, route as kitRoute } from 'idv-providers/emulator-kit';
import type { OnfidoEngine } from './engine';
import type { ApplicantRecord } from './state';
import { onfidoError, type RealmInfo, validationError } from './views';

/** What a route handler gets. */
export interface RouteContext {
  request: Request;
  url: URL;
  realm: RealmInfo;
  /** The path's captured ids. */
  params: string[];
  engine: OnfidoEngine;
}

/** One route of the emulated API. */
export type Route = KitRoute<RouteContext>;

/** Declares a route; `path` is relative to the base path, such as `/checks/:id/download`. */
export function route(method: string, path: string, handle: Route['handle']): Route {
  return kitRoute(method, path, handle);
}

/** The JSON body of a request, or an error answer when it is not JSON. */
export async function jsonBody(request: Request): Promise<Record<string, unknown> | Response> {
  const text = await request.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return onfidoError(400, 'bad_request', 'The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return onfidoError(400, 'bad_request', 'The request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** The applicant named by `applicant_id` (query or body), or a 422 answer. */
export function applicantParam(ctx: RouteContext, value: unknown): ApplicantRecord | Response {
  if (typeof value !== 'string' || value === '') {
    return validationError({ applicant_id: ["can't be blank"] });
  }
  const applicant = ctx.engine.state.find(ctx.engine.state.applicants, ctx.realm.name, value);
  return applicant ?? validationError({ applicant_id: ['not found'] });
}

/** The record of `map` the path's first id names, if it belongs to the request's realm. */
export function pathRecord<T extends { realm: string }>(
  ctx: RouteContext,
  map: Map<string, T>,
): T | undefined {
  return ctx.engine.state.find(map, ctx.realm.name, ctx.params[0] as string);
}

/**
 * How a 404 names what is missing: `Applicant with id=<id>`, the path's id
 * (docs/provider-facts.md#o-err-2).
 */
export function named(ctx: RouteContext, resource: string): string {
  return `${resource} with id=${ctx.params[0] ?? ''}`;
}

/** A non-empty string field, or `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
