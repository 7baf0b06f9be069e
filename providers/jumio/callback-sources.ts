/**
 * Jumio's published callback source addresses, per region, and a helper that
 * checks a sender against them.
 *
 * Jumio signs no callback. Its documentation asks receivers to allow-list the
 * addresses below and, above all, to take only the ids from a callback and read
 * the result through the retrieval API with their own credentials (which this
 * adapter always does). The lists are copied from Jumio's public developer
 * documentation (docs/provider-facts.md#j-cb-5 for KYX,
 * docs/provider-facts.md#j-cb-6 for Netverify):
 *
 * - KYX platform: "Callback IP Allowlist" on
 *   https://documentation.jumio.ai/docs/developer-resources/callback (the same
 *   lists appear on docs.jumio.com, "Integration > Callback"), with the
 *   hostnames `callback.<region>.jumio.ai` to look up the current ones.
 * - Netverify (legacy): "Jumio callback IP list" in Jumio's Netverify callback
 *   implementation guide (github.com/Jumio/implementation-guides,
 *   `netverify/callback.md`), with the hostnames `callback.jumio.com`,
 *   `callback.lon.jumio.com` and `callback.core-sgp.jumio.com`.
 *
 * Jumio changes these lists from time to time. Pass your own list with the
 * `allow` option of {@link isJumioCallbackSource} when they do; the built-in
 * lists are what the provider's `verifyCallbackSource` option (on by default)
 * checks.
 *
 * The address checked must be the one the connection came from: the socket's,
 * or behind your own proxies the rightmost `X-Forwarded-For` hop they added
 * (the intake's `trustProxy`), never a header the client can set
 * (`X-Real-IP`, or the left part of `X-Forwarded-For`).
 *
 * @module
 */
import type { JumioMode, JumioRegion } from './definition';

/** One region's callback senders. */
export interface CallbackSourceList {
  /** The hostname Jumio names for looking up the current addresses. */
  hostname: string;
  /** The IPv4 addresses callbacks come from. */
  addresses: readonly string[];
}

/** KYX platform callback senders per region. */
export const JUMIO_CALLBACK_SOURCES: Readonly<Record<JumioRegion, CallbackSourceList>> = {
  'amer-1': {
    hostname: 'callback.amer-1.jumio.ai',
    addresses: [
      '34.202.241.227',
      '34.226.103.119',
      '34.226.254.127',
      '52.8.136.236',
      '54.177.61.57',
      '54.183.15.212',
    ],
  },
  'emea-1': {
    hostname: 'callback.emea-1.jumio.ai',
    addresses: [
      '34.253.41.236',
      '35.157.27.193',
      '52.48.0.25',
      '52.57.194.92',
      '52.58.113.86',
      '52.209.180.134',
    ],
  },
  'apac-1': {
    hostname: 'callback.apac-1.jumio.ai',
    addresses: [
      '3.0.109.121',
      '52.76.184.73',
      '52.77.102.92',
      '13.238.100.17',
      '13.238.203.238',
      '52.64.132.26',
    ],
  },
};

/** Netverify (legacy) callback senders per data center (US, EU, SGP). */
export const NETVERIFY_CALLBACK_SOURCES: Readonly<Record<JumioRegion, CallbackSourceList>> = {
  'amer-1': {
    hostname: 'callback.jumio.com',
    addresses: [
      '34.202.241.227',
      '34.226.103.119',
      '34.226.254.127',
      '52.52.51.178',
      '52.53.95.123',
      '54.67.101.173',
    ],
  },
  'emea-1': {
    hostname: 'callback.lon.jumio.com',
    addresses: [
      '34.253.41.236',
      '35.157.27.193',
      '52.48.0.25',
      '52.57.194.92',
      '52.58.113.86',
      '52.209.180.134',
    ],
  },
  'apac-1': {
    hostname: 'callback.core-sgp.jumio.com',
    addresses: ['3.0.109.121', '52.76.184.73', '52.77.102.92'],
  },
};

/** Options of {@link isJumioCallbackSource}. */
export interface CallbackSourceOptions {
  /** The region whose list applies. Default `amer-1`. */
  region?: JumioRegion | undefined;
  /** `kyx` (default) or `netverify`: which of Jumio's lists applies. */
  mode?: JumioMode | undefined;
  /** Addresses to accept instead of the built-in list (when Jumio has published new ones). */
  allow?: readonly string[] | undefined;
}

/**
 * Normalises a socket address: trims it and strips the IPv4-mapped IPv6 prefix
 * (`::ffff:34.202.241.227` → `34.202.241.227`) that dual-stack servers report.
 */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(trimmed);
  return mapped?.[1] ?? trimmed;
}

/** The addresses that count as Jumio for a region and mode. */
export function jumioCallbackAddresses(options: CallbackSourceOptions = {}): readonly string[] {
  if (options.allow !== undefined) return options.allow.map(normaliseAddress);
  const lists = options.mode === 'netverify' ? NETVERIFY_CALLBACK_SOURCES : JUMIO_CALLBACK_SOURCES;
  return lists[options.region ?? 'amer-1'].addresses;
}

/**
 * True when `address` (the callback request's remote address, as the socket
 * saw it, not a forwarded header a client can set) is one of Jumio's published
 * callback senders for the region.
 *
 * @example
 * ```ts
 * if (!isJumioCallbackSource(req.socket.remoteAddress, { region: 'emea-1' })) return res.sendStatus(403);
 * ```
 */
export function isJumioCallbackSource(
  address: string | undefined,
  options: CallbackSourceOptions = {},
): boolean {
  if (typeof address !== 'string' || address.trim() === '') return false;
  return jumioCallbackAddresses(options).includes(normaliseAddress(address));
}
