/**
 * Webhook deliveries as Onfido sends them: a JSON body signed with the
 * webhook's token in `X-SHA2-Signature` (lowercase hex HMAC-SHA256 of the raw
 * body). Signed here with `node:crypto` directly, independently of the
 * adapter's verifier.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import type { EmulatorDelivery } from 'idv-providers/emulator-kit';
import type { WebhookRecord } from './state';

/** What an event is about. */
export interface EventObject {
  resourceType: string;
  action: string;
  id: string;
  status: string;
  /** ISO 8601: when the object started (`started_at_iso8601`). */
  startedAt?: string | undefined;
  /** ISO 8601: when the object completed (`completed_at_iso8601`). */
  completedAt?: string | undefined;
  href: string;
  /** Studio events carry the run as `resource`. */
  resource?: Record<string, unknown> | undefined;
}

/** True when a webhook subscribes to an action (no `events` means all). */
export function subscribes(webhook: WebhookRecord, action: string): boolean {
  return webhook.enabled && (webhook.events === null || webhook.events.includes(action));
}

/** The delivery of an event to one webhook. */
export function buildDelivery(webhook: WebhookRecord, event: EventObject): EmulatorDelivery {
  const object: Record<string, unknown> = { id: event.id, status: event.status };
  if (event.startedAt !== undefined) object['started_at_iso8601'] = event.startedAt;
  if (event.completedAt !== undefined) object['completed_at_iso8601'] = event.completedAt;
  object['href'] = event.href;
  const payload: Record<string, unknown> = {
    resource_type: event.resourceType,
    action: event.action,
    object,
  };
  if (event.resource !== undefined) payload['resource'] = event.resource;
  const body = JSON.stringify({ payload });
  const signature = createHmac('sha256', webhook.token).update(body, 'utf8').digest('hex');
  return {
    url: webhook.url,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Onfido-Webhooks/2',
      'x-sha2-signature': signature,
    },
    body,
  };
}
