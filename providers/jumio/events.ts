/**
 * The callbacks Jumio sends, as a discriminated union: `verifyWebhook` of the
 * provider `jumio()` returns a {@link JumioWebhookEvent}, so a `switch` on
 * `event.type` (after `event.known`) is checked by the compiler.
 *
 * @module
 */
import type { WebhookEvent } from 'idv-providers/kit';

/**
 * The KYX workflow statuses a callback names: `PROCESSED`, `SESSION_EXPIRED`
 * and `TOKEN_EXPIRED` (docs/provider-facts.md#j-cb-2; the full current list is
 * open, docs/provider-facts.md#j-open-4), and the progress statuses `INITIATED`
 * and `ACQUIRED` some tenants receive (docs/provider-facts.md#j-ret-1).
 */
export const JUMIO_KYX_EVENT_TYPES = [
  'PROCESSED',
  'SESSION_EXPIRED',
  'TOKEN_EXPIRED',
  'INITIATED',
  'ACQUIRED',
] as const;

/** One of the {@link JUMIO_KYX_EVENT_TYPES}. */
export type JumioKyxEventType = (typeof JUMIO_KYX_EVENT_TYPES)[number];

/**
 * The Netverify callback type the adapter knows (`callBackType`, sent as
 * `NETVERIFYID` for the ID verification of web v4: docs/provider-facts.md#j-nv-2).
 */
export const NETVERIFY_EVENT_TYPES = ['NETVERIFYID'] as const;

/** One of the {@link NETVERIFY_EVENT_TYPES}. */
export type NetverifyEventType = (typeof NETVERIFY_EVENT_TYPES)[number];

/** What every KYX callback carries besides the neutral fields. */
export interface JumioKyxEventFields extends WebhookEvent {
  provider: 'jumio';
  platform: 'kyx';
  /** `account.id` (also `session.subjectId`). */
  accountId: string;
  /** `workflowExecution.id` (also `session.attemptId`). */
  workflowExecutionId: string;
}

/** What every Netverify callback carries besides the neutral fields. */
export interface NetverifyEventFields extends WebhookEvent {
  provider: 'jumio';
  platform: 'netverify';
  /** `jumioIdScanReference` (also `session.subjectId` and `session.attemptId`). */
  scanReference: string;
}

/**
 * A KYX callback of a known status, one variant per status: `PROCESSED`,
 * `SESSION_EXPIRED` and `TOKEN_EXPIRED` are actionable (the result can be
 * fetched: the last two read as `EXPIRED`), `INITIATED` and `ACQUIRED` are not.
 */
export type JumioKyxEvent<T extends JumioKyxEventType = JumioKyxEventType> =
  T extends JumioKyxEventType ? JumioKyxEventFields & { known: true; type: T } : never;

/** A Netverify callback of a known type. */
export type NetverifyEvent<T extends NetverifyEventType = NetverifyEventType> =
  T extends NetverifyEventType ? NetverifyEventFields & { known: true; type: T } : never;

/**
 * A callback whose status (KYX) or type (Netverify) the adapter does not know:
 * verified, kept and, for KYX, actionable, so the host fetches the
 * authoritative result (docs/provider-facts.md#j-open-4).
 */
export type JumioUnknownEvent =
  | (JumioKyxEventFields & { known: false })
  | (NetverifyEventFields & { known: false });

/**
 * Every event `verifyWebhook` of `jumio()` returns. Narrow on `known`, then
 * switch on `type`:
 *
 * ```ts
 * const event = await idv.verifyWebhook(request);
 * if (!event.known) return fetchResult(event.session); // a status Jumio added
 * switch (event.type) {
 *   case 'PROCESSED': return fetchResult(event.session);
 *   case 'SESSION_EXPIRED': case 'TOKEN_EXPIRED': return offerRetry(event.accountId);
 *   case 'INITIATED': case 'ACQUIRED': return;
 *   case 'NETVERIFYID': return fetchResult(event.session);
 *   default: { const unhandled: never = event; }
 * }
 * ```
 */
export type JumioWebhookEvent = JumioKyxEvent | NetverifyEvent | JumioUnknownEvent;

const KYX: ReadonlySet<string> = new Set(JUMIO_KYX_EVENT_TYPES);
const NETVERIFY: ReadonlySet<string> = new Set(NETVERIFY_EVENT_TYPES);

/** Whether a KYX status is one of {@link JUMIO_KYX_EVENT_TYPES}. */
export const isKnownKyxEvent = (status: string): boolean => KYX.has(status);

/** Whether a Netverify callback type is one of {@link NETVERIFY_EVENT_TYPES}. */
export const isKnownNetverifyEvent = (type: string): boolean => NETVERIFY.has(type);
