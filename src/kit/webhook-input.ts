/**
 * Small helpers for reading an incoming webhook's raw body and headers.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from 'idv-providers';

export { type HeaderBag, headerValue } from '../shared/headers';

/**
 * The raw body as bytes. Anything but a string or bytes (a body a framework
 * already parsed into an object, for example) is a `WebhookVerificationError`:
 * a signature can only be checked on the bytes that were sent.
 */
export function bodyBytes(body: string | Uint8Array): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new WebhookVerificationError(
    `[idv] webhook body must be the raw request body (a string or bytes), not ${body === null ? 'null' : typeof body}: pass the body before any JSON parsing`,
    { reason: 'malformed_body' },
  );
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
