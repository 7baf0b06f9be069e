/**
 * Sending the emulators' webhooks and callbacks over HTTP to the backend, and
 * keeping a log of what was sent and how the backend answered.
 *
 * @module
 */
import type { EmulatorDelivery } from 'idv-providers/emulator-kit';

/** One webhook or callback, as sent (or not) to the backend. */
export interface DeliveryRecord {
  /** The provider's name. */
  provider: string;
  /** When it was sent, ISO 8601. */
  at: string;
  /** The URL registered (a webhook) or named (a transaction's callback URL). */
  url: string;
  /** Where it was actually sent (differs with `--deliver-to`); absent when not sent. */
  sentTo?: string | undefined;
  /** HTTP method. */
  method: string;
  /** Headers as sent (the provider's signature included). */
  headers: Record<string, string>;
  /** The raw body as sent. */
  body: string;
  /** The HTTP status the backend answered. */
  status?: number | undefined;
  /** Why it was not sent, or how sending failed. */
  error?: string | undefined;
}

/** Settings of {@link createDeliverer}. */
export interface DelivererOptions {
  /** Whose deliveries these are. */
  provider: string;
  /** Send to this origin instead of the URL's, keeping path and query. */
  deliverTo?: string | undefined;
  /** Where records are appended. */
  log: DeliveryRecord[];
  /** Aborts deliveries in flight (the server is closing). */
  signal: AbortSignal;
  /** How long the backend may take to answer. Default 10 s (Onfido's own limit). */
  timeoutMs?: number | undefined;
  /** Told about each record once it is complete. */
  onRecord?: ((record: DeliveryRecord) => void) | undefined;
}

/** Host names reserved for documentation and testing (RFC 2606, RFC 6761): never sent to. */
export function isReservedHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return /(^|\.)example\.(com|net|org)$/.test(host) || /(^|\.)(example|test|invalid)$/.test(host);
}

/** Where a delivery goes: the URL itself, or its path and query on `deliverTo`. */
export function deliveryTarget(url: string, deliverTo: string | undefined): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (deliverTo !== undefined)
    return new URL(parsed.pathname + parsed.search, deliverTo).toString();
  return isReservedHost(parsed.hostname) ? undefined : parsed.toString();
}

const DROPPED_HEADERS: ReadonlySet<string> = new Set(['content-length', 'host', 'connection']);

/**
 * A `deliver` function for an emulator: POSTs each delivery over HTTP and
 * answers the status the backend gave. It never throws: a failure is recorded
 * and the emulator goes on, as the real provider would (it retries later).
 */
export function createDeliverer(
  options: DelivererOptions,
): (delivery: EmulatorDelivery) => Promise<number | undefined> {
  return async (delivery) => {
    const record: DeliveryRecord = {
      provider: options.provider,
      at: new Date().toISOString(),
      url: delivery.url,
      method: delivery.method,
      headers: { ...delivery.headers },
      body: delivery.body,
    };
    options.log.push(record);
    const target = deliveryTarget(delivery.url, options.deliverTo);
    if (target === undefined) {
      record.error = 'not sent: the URL is on a reserved example host (use --deliver-to)';
      options.onRecord?.(record);
      return undefined;
    }
    record.sentTo = target;
    try {
      const headers = Object.fromEntries(
        Object.entries(delivery.headers).filter(([name]) => !DROPPED_HEADERS.has(name)),
      );
      const response = await fetch(target, {
        method: delivery.method,
        headers,
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs ?? 10_000)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      record.status = response.status;
      return response.status;
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause;
      const name = (error as { name?: unknown }).name;
      record.error =
        name === 'TimeoutError'
          ? 'no answer within the time limit'
          : name === 'AbortError'
            ? 'abandoned: the emulator is closing'
            : typeof cause?.code === 'string'
              ? `could not be sent (${cause.code})`
              : 'could not be sent';
      return undefined;
    } finally {
      if (record.sentTo !== undefined) options.onRecord?.(record);
    }
  };
}
