/**
 * What the emulator's route handlers share: its state, the credentials it
 * accepts, its clock and the hosts it answers for, plus small request helpers.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorState, RegionKey } from './state';

/** The origins of one emulated region. */
export interface EmulatedHosts {
  auth: string;
  account: string;
  retrieval: string;
  netverify: string;
}

/** Shared by every route. */
export interface EmulatorContext {
  state: EmulatorState;
  clientId: string;
  clientSecret: string;
  /** `expires_in` of issued tokens, seconds. */
  tokenLifetimeSeconds: number;
  /** The emulator's time, epoch ms. */
  now(): number;
  /** Hosts per region. */
  hosts: Readonly<Record<string, EmulatedHosts>>;
  /** The tenant name used in customer links. */
  tenant: string;
}

/** The time as Jumio formats it. */
export function timestamp(context: EmulatorContext): string {
  return new Date(context.now()).toISOString();
}

/** A random URL-safe token. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
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

/** The request's JSON body, or `undefined` when it is not JSON. */
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

/** The region key of a customer link's host name. */
export function linkRegion(region: RegionKey): string {
  return region === 'custom' ? 'amer-1' : region;
}
