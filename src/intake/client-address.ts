/**
 * The sender's address behind proxies you trust, and header values read
 * without trusting their type.
 *
 * A proxy (NGINX, a load balancer, Cloudflare) appends the address it received
 * the request from to `X-Forwarded-For`; everything left of that was written
 * by whoever sent the request, so it may be forged. The client is therefore
 * the **rightmost hop that is not one of your proxies**, and only when the
 * request's direct peer is one of them: a request that reached the port
 * directly is judged by its socket address, whatever headers it carries.
 * (`X-Real-IP` is never read: a client that reaches the port sets it freely.)
 *
 * @module
 */
import { isIP } from 'node:net';
import { ConfigError } from '../errors';

/**
 * The proxies whose `X-Forwarded-For` is believed: addresses (`127.0.0.1`,
 * `::1`), CIDR ranges (`10.0.0.0/8`, `fd00::/8`), or the names `loopback`
 * (127.0.0.0/8 and ::1) and `private` (10.0.0.0/8, 172.16.0.0/12,
 * 192.168.0.0/16, fc00::/7).
 */
export type TrustProxy = readonly string[];

/** Most `X-Forwarded-For` hops read; a longer chain names no client. */
export const MAX_FORWARDED_HOPS = 32;

const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** An address as 4 or 16 bytes. */
interface Parsed {
  bytes: Uint8Array;
}

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseV6(text: string): Uint8Array | undefined {
  if (isIP(text) !== 6) return undefined;
  let head = text;
  const tail: number[] = [];
  // An embedded IPv4 address in the last 32 bits (::ffff:1.2.3.4).
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(head);
  if (v4?.[1] !== undefined) {
    const bytes = parseV4(v4[1]);
    if (bytes === undefined) return undefined;
    tail.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
    head = head.slice(0, -v4[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left = '', right] = head.split('::');
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const leftWords = words(left);
  const rightWords = right === undefined ? [] : words(right);
  const missing = 8 - leftWords.length - rightWords.length - tail.length;
  const all = [
    ...leftWords,
    ...(right === undefined ? [] : Array<number>(missing).fill(0)),
    ...rightWords,
    ...tail,
  ];
  if (all.length !== 8 || all.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) {
    return undefined;
  }
  const bytes = new Uint8Array(16);
  for (const [i, word] of all.entries()) {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return bytes;
}

/**
 * Reads one address as a proxy or socket reports it: trims it, drops IPv6
 * brackets and zone, an IPv4 port (`1.2.3.4:5678`), and turns an IPv4-mapped
 * IPv6 address into IPv4. `undefined` when it is not an IP address.
 */
export function parseAddress(text: string): { address: string; bytes: Uint8Array } | undefined {
  let value = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed?.[1] !== undefined) value = bracketed[1];
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(value))
    value = value.slice(0, value.lastIndexOf(':'));
  value = value.replace(/%[\w.-]+$/, '').toLowerCase();
  const v4 = parseV4(value);
  if (v4 !== undefined) return { address: value, bytes: v4 };
  const v6 = parseV6(value);
  if (v6 === undefined) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) {
    const bytes = v6.slice(12);
    return { address: [...bytes].join('.'), bytes };
  }
  return { address: value, bytes: v6 };
}

interface Range {
  bytes: Uint8Array;
  bits: number;
}

function parseRange(entry: string): Range | undefined {
  const [address, prefix, extra] = entry.trim().split('/');
  if (address === undefined || extra !== undefined) return undefined;
  const parsed = parseAddress(address);
  if (parsed === undefined) return undefined;
  const max = parsed.bytes.length * 8;
  // A mapped IPv6 range (::ffff:10.0.0.0/104) becomes its IPv4 range.
  const offset = parsed.bytes.length === 4 && isIP(address.trim()) === 6 ? 96 : 0;
  let bits = max;
  if (prefix !== undefined) {
    if (!/^\d{1,3}$/.test(prefix)) return undefined;
    bits = Number(prefix) - offset;
    if (bits < 0 || bits > max) return undefined;
  }
  return { bytes: parsed.bytes, bits };
}

function inRange(address: Parsed, range: Range): boolean {
  if (address.bytes.length !== range.bytes.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address.bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

/** A check of whether an address is one of the trusted proxies. */
export type TrustCheck = (address: string) => boolean;

/**
 * Compiles a {@link TrustProxy} list. Throws a `ConfigError` naming the first
 * entry that is not an address, a range or a known name.
 */
export function compileTrustProxy(list: TrustProxy | undefined, option = 'trustProxy'): TrustCheck {
  if (list === undefined || list.length === 0) return () => false;
  if (!Array.isArray(list)) {
    throw new ConfigError(
      `[idv] [intake] option "${option}" must be a list of addresses or ranges`,
      {
        option,
      },
    );
  }
  const ranges: Range[] = [];
  for (const entry of list) {
    const expanded = typeof entry === 'string' ? (NAMED[entry] ?? [entry]) : [String(entry)];
    for (const item of expanded) {
      const range = typeof entry === 'string' ? parseRange(item) : undefined;
      if (range === undefined) {
        throw new ConfigError(
          `[idv] [intake] option "${option}": ${JSON.stringify(entry)} is not an IP address, a CIDR range, "loopback" or "private"`,
          { option },
        );
      }
      ranges.push(range);
    }
  }
  return (address) => {
    const parsed = parseAddress(address);
    return parsed !== undefined && ranges.some((range) => inRange(parsed, range));
  };
}

/**
 * The client's address: the direct `peer` unless it is a trusted proxy; then
 * the rightmost hop of `forwardedFor` that is not a trusted proxy (or the
 * leftmost, when every hop is one). `undefined` when a hop that has to be read
 * is not an address, or the chain is longer than {@link MAX_FORWARDED_HOPS}:
 * then no address can be vouched for.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trusted: TrustCheck,
): string | undefined {
  if (peer === undefined) return undefined;
  const direct = parseAddress(peer);
  if (direct === undefined) return peer;
  if (!trusted(direct.address)) return direct.address;
  if (forwardedFor === undefined || forwardedFor.trim() === '') return direct.address;
  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  if (hops.length > MAX_FORWARDED_HOPS) return undefined;
  let leftmost: string | undefined = direct.address;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]!);
    if (hop === undefined) return undefined;
    if (!trusted(hop.address)) return hop.address;
    leftmost = hop.address;
  }
  return leftmost;
}

/**
 * A header's value when it is a string (the first, when repeated); `null`
 * when the header is there but is not a string (a number, an object, `[42]`:
 * headers a framework or a host built by hand); `undefined` when absent.
 */
export function textHeader(headers: unknown, name: string): string | null | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  let raw: unknown;
  let found = false;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted || value === undefined || value === null) continue;
    raw = value;
    found = true;
    if (key === wanted) break;
  }
  if (!found) return undefined;
  const first = Array.isArray(raw) ? raw[0] : raw;
  return typeof first === 'string' ? first : null;
}

/** Every value of a header joined with `, ` (as node:http joins `X-Forwarded-For`); `null` when one is not a string. */
export function joinedHeader(headers: unknown, name: string): string | null | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      if (typeof item !== 'string') return null;
      values.push(item);
    }
  }
  return values.length === 0 ? undefined : values.join(', ');
}
