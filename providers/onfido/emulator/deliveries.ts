/**
 * Webhook deliveries as Onfido sends them: a JSON body signed with the
 * webhook's token in `X-SHA2-Signature` (lowercase hex HMAC-SHA256 of the raw
 * body). Signed here with `node:crypto` directly, independently of the
 * adapter's verifier.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import type {
  WebhookEventObjectStatus,
  WebhookEventPayload,
  WebhookEventPayloadObject,
} from '@onfido/api';
import type { EmulatorDelivery } from 'idv-providers/emulator-kit';
import type { SpecValues } from './reference';
import type { WebhookRecord } from './state';
import type { RunResourceView } from './views';
import type { WebhookAction, WebhookResourceType } from './webhook-events';

/** What an event is about. */
export interface EventObject {
  resourceType: WebhookResourceType;
  action: WebhookAction;
  id: string;
  status: SpecValues<WebhookEventObjectStatus>;
  /** ISO 8601: when the object started (`started_at_iso8601`). */
  startedAt?: string | undefined;
  /** ISO 8601: when the object completed (`completed_at_iso8601`). */
  completedAt?: string | undefined;
  href: string;
  /** Studio events carry the run as `resource` (never its SDK token). */
  resource?: RunResourceView | undefined;
  /** The only webhooks it goes to (a check's `webhook_ids`); empty or absent: all. */
  webhookIds?: readonly string[] | undefined;
}

/** True when a webhook subscribes to an action (no `events` means all). */
export function subscribes(webhook: WebhookRecord, action: WebhookAction): boolean {
  return webhook.enabled && (webhook.events === null || webhook.events.includes(action));
}

/** A webhook event body (docs/provider-facts.md#o-wh-4), `resource` with the nulls the API sends. */
type EventBody = {
  payload: Omit<WebhookEventPayload, 'resource'> & { resource?: RunResourceView };
};

/** The delivery of an event to one webhook. */
export function buildDelivery(webhook: WebhookRecord, event: EventObject): EmulatorDelivery {
  const object: WebhookEventPayloadObject = {
    id: event.id,
    status: event.status,
    ...(event.startedAt === undefined ? {} : { started_at_iso8601: event.startedAt }),
    ...(event.completedAt === undefined ? {} : { completed_at_iso8601: event.completedAt }),
    href: event.href,
  };
  const payload: EventBody['payload'] = {
    resource_type: event.resourceType,
    action: event.action,
    object,
    ...(event.resource === undefined ? {} : { resource: event.resource }),
  };
  const body = JSON.stringify({ payload } satisfies EventBody);
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
