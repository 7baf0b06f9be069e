/**
 * What the emulator's routes and journey share: its state, the credentials it
 * accepts, its clock and the hosts it answers for, plus small helpers.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { RateLimiter } from './rate-limits';
import type { EmulatorState, RegionKey } from './state';

/** The origins of one emulated region. */
export interface EmulatedHosts {
  auth: string;
  account: string;
  retrieval: string;
  netverify: string;
  /** The health check (docs/provider-facts.md#j-host-4). */
  status: string;
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
  /** The rate limits (docs/provider-facts.md#j-rl-1). */
  limiter: RateLimiter;
}

/** The time as Jumio formats it (UTC, `YYYY-MM-DDThh:mm:ss.SSSZ`, docs/provider-facts.md#j-ret-2). */
export function timestamp(context: EmulatorContext): string {
  return new Date(context.now()).toISOString();
}

/** A random URL-safe token. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** The region key of a customer link's host name. */
export function linkRegion(region: RegionKey): string {
  return region === 'custom' ? 'amer-1' : region;
}
