/**
 * The events Onfido sends, as a discriminated union: `verifyWebhook` of the
 * provider `onfido()` returns an {@link OnfidoWebhookEvent}, so a `switch` on
 * `event.type` (after `event.known`) is checked by the compiler.
 *
 * @module
 */
import type { WebhookEvent } from 'idv-providers/kit';
import type { OnfidoWebhookBody } from './schemas';

/**
 * The 17 event actions Onfido documents (`payload.action`, and the values of
 * a webhook's `events[]`: docs/provider-facts.md#o-wh-6). The resource type of
 * each is the part before the dot (docs/provider-facts.md#o-wh-5).
 */
export const ONFIDO_EVENT_TYPES = [
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
] as const;

/** One of the {@link ONFIDO_EVENT_TYPES}. */
export type OnfidoEventType = (typeof ONFIDO_EVENT_TYPES)[number];

/** The resource type an action belongs to: `check` for `check.completed`. */
export type OnfidoResourceOf<T extends string> = T extends `${infer R}.${string}` ? R : never;

/** What every Onfido event carries besides the neutral fields. */
export interface OnfidoEventFields extends WebhookEvent {
  provider: 'onfido';
  /** `payload.resource_type` as sent. */
  resourceType: string;
  /** `payload.object.id`: the check, report, run, task or file the event is about. */
  objectId: string;
}

/** A known event, one variant per type (a union distributes over `T`). */
export type OnfidoKnownEvent<T extends OnfidoEventType, Extra = unknown> = T extends OnfidoEventType
  ? OnfidoEventFields & { known: true; type: T; resourceType: OnfidoResourceOf<T> } & Extra
  : never;

/** `check.*`: `checkId` (also `session.attemptId`); only `check.completed` and `check.withdrawn` are actionable. */
export type OnfidoCheckEvent = OnfidoKnownEvent<
  Extract<OnfidoEventType, `check.${string}`>,
  { checkId: string }
>;
/** `report.*`: progress of one report of a check (never actionable: the check's events are). */
export type OnfidoReportEvent = OnfidoKnownEvent<
  Extract<OnfidoEventType, `report.${string}`>,
  { reportId: string }
>;
/** `workflow_run.completed` (Studio): actionable; `applicantId` when the event names it. */
export type OnfidoWorkflowRunEvent = OnfidoKnownEvent<
  'workflow_run.completed',
  { runId: string; applicantId?: string | undefined }
>;
/** `workflow_task.*` (Studio): a task of a run started or completed. */
export type OnfidoWorkflowTaskEvent = OnfidoKnownEvent<
  Extract<OnfidoEventType, `workflow_task.${string}`>,
  { taskId: string; runId?: string | undefined }
>;
/** Audit log, watchlist monitor and workflow file events: only the object's id. */
export type OnfidoAccountEvent = OnfidoKnownEvent<
  | 'audit_log.created'
  | 'watchlist_monitor.matches_updated'
  | 'workflow_timeline_file.created'
  | 'workflow_run_evidence_folder.created'
>;

/** An action Onfido added after the adapter: verified and kept, with its `type` as sent. */
export interface OnfidoUnknownEvent extends OnfidoEventFields {
  known: false;
}

/**
 * Every event `verifyWebhook` of `onfido()` returns. Narrow on `known`, then
 * switch on `type`:
 *
 * ```ts
 * const event = await idv.verifyWebhook(request);
 * if (!event.known) return;                    // OnfidoUnknownEvent, type: string
 * switch (event.type) {
 *   case 'check.completed': return fetchResult(event.checkId);
 *   case 'report.completed': return note(event.reportId);
 *   // ...
 *   default: { const unhandled: never = event; }
 * }
 * ```
 */
export type OnfidoWebhookEvent =
  | OnfidoCheckEvent
  | OnfidoReportEvent
  | OnfidoWorkflowRunEvent
  | OnfidoWorkflowTaskEvent
  | OnfidoAccountEvent
  | OnfidoUnknownEvent;

/**
 * The resource type of each of the 17 actions: the part before the dot
 * (docs/provider-facts.md#o-wh-5, #o-wh-6), worked out once.
 */
const RESOURCE_OF: ReadonlyMap<string, string> = new Map(
  ONFIDO_EVENT_TYPES.map((type) => [type, type.slice(0, type.indexOf('.'))]),
);

/**
 * Whether an action is one of the 17 and came with its own resource type (a
 * `check.completed` naming a report is not taken for a check event).
 */
export function isKnownOnfidoEvent(action: string, resourceType: string): boolean {
  return RESOURCE_OF.get(action) === resourceType;
}

/**
 * Adds the ids a known event's kind declares (`checkId`, `reportId`, `runId`
 * and `applicantId`, `taskId` and `runId`) to an event that has its other
 * fields, in place, reading them from the verified body's `payload`; an
 * unknown event (`known: false`) gets none. Assigned rather than spread, and
 * read from the payload rather than from a copy of its ids, as this runs for
 * every delivery.
 */
export function addVariantIds(
  event: OnfidoEventFields & { known: boolean },
  payload: OnfidoWebhookBody['payload'],
): OnfidoWebhookEvent {
  const typed = event as OnfidoEventFields & Record<string, unknown>;
  if (event.known) {
    const objectId = payload.object.id;
    switch (payload.resource_type) {
      case 'check':
        typed['checkId'] = objectId;
        break;
      case 'report':
        typed['reportId'] = objectId;
        break;
      case 'workflow_run': {
        typed['runId'] = objectId;
        const applicantId = payload.resource?.applicant_id;
        if (applicantId != null) typed['applicantId'] = applicantId;
        break;
      }
      case 'workflow_task': {
        typed['taskId'] = objectId;
        const runId = payload.object.workflow_run_id;
        if (runId != null) typed['runId'] = runId;
        break;
      }
    }
  }
  // Each known action gets the ids its variant declares (tested per variant).
  return typed as unknown as OnfidoWebhookEvent;
}
