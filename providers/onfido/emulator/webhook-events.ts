/**
 * The webhook events and resource types of API v3.6, checked against the
 * official client's enums in both directions.
 *
 * @module
 */
import type { WebhookEventResourceType, WebhookEventType } from '@onfido/api';
import type { Complete, SpecValues } from './reference';

/** The 17 event actions (docs/provider-facts.md#o-wh-6). */
export const WEBHOOK_EVENT_LIST = [
  'audit_log.created',
  'watchlist_monitor.matches_updated',
  'workflow_run.completed',
  'workflow_task.started',
  'workflow_task.completed',
  'check.started',
  'check.reopened',
  'check.withdrawn',
  'check.completed',
  'check.form_completed',
  'report.withdrawn',
  'report.resumed',
  'report.cancelled',
  'report.awaiting_approval',
  'report.completed',
  'workflow_timeline_file.created',
  'workflow_run_evidence_folder.created',
] as const satisfies readonly SpecValues<WebhookEventType>[];
export const WEBHOOK_EVENTS_COMPLETE: Complete<
  SpecValues<WebhookEventType>,
  (typeof WEBHOOK_EVENT_LIST)[number]
> = true;

/** An event action. */
export type WebhookAction = (typeof WEBHOOK_EVENT_LIST)[number];

/** Event names a webhook may subscribe to. */
export const WEBHOOK_EVENTS: ReadonlySet<string> = new Set(WEBHOOK_EVENT_LIST);

/** A resource type (docs/provider-facts.md#o-wh-5). */
export type WebhookResourceType = SpecValues<WebhookEventResourceType>;
