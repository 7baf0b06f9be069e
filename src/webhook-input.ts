/**
 * Small helpers for reading an incoming webhook's raw body and headers.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingWebhook } from './provider';

/** The value of a header, matched case-insensitively; the first one if repeated. */
export function headerValue(headers: IncomingWebhook['headers'], name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(
    headers as Record<string, string | string[] | undefined>,
  )) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** The raw body as bytes. */
export function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === 'string'
    ? Buffer.from(body, 'utf8')
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The raw body as text (UTF-8). */
export function bodyText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : bodyBytes(body).toString('utf8');
}

/**
 * Compares two byte strings in time that depends only on their lengths. Unequal
 * lengths compare unequal without throwing (unlike `crypto.timingSafeEqual`).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}
