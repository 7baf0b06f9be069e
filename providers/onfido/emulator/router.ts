/**
 * A small router over the emulated API's paths, and request helpers.
 *
 * @module
 */
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

/** One route: a method and a path pattern relative to the base path (`/checks/([^/]+)`). */
export interface Route {
  method: string;
  pattern: RegExp;
  handle(ctx: RouteContext): Response | Promise<Response>;
}

/** Declares a route; `path` is a pattern such as `/checks/:id/download`. */
export function route(method: string, path: string, handle: Route['handle']): Route {
  const pattern = new RegExp(`^${path.replace(/:[a-z_]+/g, '([^/]+)')}/?$`);
  return { method, pattern, handle };
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

/** A non-empty string field, or `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
