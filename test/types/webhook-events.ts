/**
 * The typed events of `verifyWebhook`, as a host switches on them: after
 * `known`, a `switch` on `type` over every variant is exhaustive (the
 * `never` in `default` compiles only if every type has its case), each case
 * sees the ids of its kind, and an unknown type is a plain string. The
 * lifecycle members are typed too: `onfido()` always has `refreshLink` and
 * `deleteSubject`, `createProvider` answers the neutral interface where they
 * are optional.
 *
 * Nothing here runs: `npm run typecheck` compiles it, and a type error is the
 * failure.
 */
import {
  type CaptureLock,
  createProvider,
  type IdentityVerificationProvider,
  type SubjectDeletion,
  type UnknownWebhookEvent,
  type VerificationSession,
  type WebhookEvent,
} from 'idv-providers';
import { type JumioProvider, type JumioWebhookEvent, jumio } from 'idv-providers/jumio';
import {
  type OnfidoEventType,
  type OnfidoProvider,
  type OnfidoWebhookEvent,
  onfido,
  restoreOnfidoApplicant,
} from 'idv-providers/onfido';

const unreachable = (event: never): never => {
  throw new Error(`unhandled event ${JSON.stringify(event)}`);
};

/** Every Onfido event, one case each; adding a variant without a case fails to compile. */
export function onOnfidoEvent(event: OnfidoWebhookEvent): string {
  if (!event.known) {
    // A type Onfido added later: still verified, with its resource and object.
    const type: string = event.type;
    const unknown: UnknownWebhookEvent = event;
    return `${type} ${event.resourceType} ${event.objectId} ${unknown.dedupeKey}`;
  }
  switch (event.type) {
    case 'check.started':
    case 'check.reopened':
    case 'check.withdrawn':
    case 'check.form_completed':
    case 'check.completed': {
      const check: string = event.checkId;
      const resource: 'check' = event.resourceType;
      return `${resource} ${check}`;
    }
    case 'report.withdrawn':
    case 'report.resumed':
    case 'report.cancelled':
    case 'report.awaiting_approval':
    case 'report.completed':
      return event.reportId;
    case 'workflow_run.completed':
      return `${event.runId} ${event.applicantId ?? ''}`;
    case 'workflow_task.started':
    case 'workflow_task.completed':
      return `${event.taskId} ${event.runId ?? ''}`;
    case 'audit_log.created':
    case 'watchlist_monitor.matches_updated':
    case 'workflow_timeline_file.created':
    case 'workflow_run_evidence_folder.created':
      return event.objectId;
    default:
      return unreachable(event);
  }
}

/** Every Jumio callback, KYX and Netverify, one case each. */
export function onJumioEvent(event: JumioWebhookEvent): string {
  if (!event.known) {
    const type: string = event.type;
    return event.platform === 'kyx'
      ? `${type} ${event.accountId} ${event.workflowExecutionId}`
      : `${type} ${event.scanReference}`;
  }
  switch (event.type) {
    case 'PROCESSED':
      return `fetch ${event.accountId}/${event.workflowExecutionId}`;
    case 'SESSION_EXPIRED':
    case 'TOKEN_EXPIRED':
      return `retry ${event.accountId}`;
    case 'INITIATED':
    case 'ACQUIRED':
      return 'progress';
    case 'NETVERIFYID':
      return `fetch ${event.scanReference}`;
    default:
      return unreachable(event);
  }
}

export const noReportOnCheck = (e: Extract<OnfidoWebhookEvent, { type: 'check.completed' }>) =>
  // @ts-expect-error: a check event has no reportId
  e.reportId;
// @ts-expect-error: not one of the 17 actions
export const notAnAction: OnfidoEventType = 'check.exploded';

export async function lifecycle(lock: CaptureLock): Promise<void> {
  const onfidoIdv: OnfidoProvider = onfido({
    apiToken: 'api_sandbox.x',
    verificationSiteUrl: 'https://verify.example.com/',
    webhookToken: 'token',
  });
  // The factory's provider answers its own events...
  const event: OnfidoWebhookEvent = await onfidoIdv.verifyWebhook({ body: '', headers: {} });
  onOnfidoEvent(event);
  // ...and is still the neutral interface.
  const neutral: IdentityVerificationProvider = onfidoIdv;
  const neutralEvent: WebhookEvent = await neutral.verifyWebhook({ body: '', headers: {} });
  void neutralEvent.known;

  const started = await onfidoIdv.startVerification({ identityReference: 'identity-1' });
  const submitted = await onfidoIdv.completeCapture(started.session, { lock });
  const refreshed: VerificationSession = await onfidoIdv.refreshLink(submitted, {
    identityReference: 'identity-1',
  });
  const deleted: SubjectDeletion = await onfidoIdv.deleteSubject(refreshed.session);
  const outcome: 'deleted' | 'not_found' = deleted.outcome;
  void outcome;
  await restoreOnfidoApplicant(onfidoIdv, refreshed.session);

  const jumioIdv: JumioProvider = jumio({ clientId: 'id', clientSecret: 'secret' });
  onJumioEvent(await jumioIdv.verifyWebhook({ body: '', headers: {} }));
  // Optional: Netverify mode has neither.
  await jumioIdv.refreshLink?.(started.session, { identityReference: 'identity-1' });

  const any = await createProvider({ provider: 'jumio', clientId: 'id', clientSecret: 'secret' });
  // @ts-expect-error: optional on the neutral interface, so it must be checked first
  await any.deleteSubject(started.session);
  if (any.deleteSubject !== undefined) await any.deleteSubject(started.session);
  // @ts-expect-error: refreshLink needs the identity reference the verification started with
  await onfidoIdv.refreshLink(started.session);
}
