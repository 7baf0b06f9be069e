/**
 * The customer's side: uploading the document and selfie in Jumio's hosted
 * web client (the workflow becomes ACQUIRED), then Jumio processing the
 * transaction (PROCESSED, or SESSION_EXPIRED / TOKEN_EXPIRED with a
 * NOT_EXECUTED decision, docs/provider-facts.md#j-ret-1 and #j-dec-3) and
 * sending its callback (docs/provider-facts.md#j-cb-1, #j-cb-2).
 *
 * @module
 */

import type { SessionRef } from 'idv-providers';
import { generatePng } from 'idv-providers/emulator-kit';
import { buildCapabilities } from './capabilities';
import { type EmulatorContext, timestamp } from './context';
import { type Deliver, kyxCallback, netverifyCallback, send } from './deliveries';
import type { Execution, JumioCapture, Scan, StoredVerdict } from './state';
import { NETVERIFY_REPRESENTATIVE } from './verdicts';

/** What a session points at in the emulator. */
export type JourneyTarget =
  | { kind: 'kyx'; execution: Execution }
  | { kind: 'netverify'; scan: Scan };

/** Finds the transaction a session names. */
export function findTarget(context: EmulatorContext, session: SessionRef): JourneyTarget {
  const { state } = context;
  const byAttempt =
    session.attemptId === undefined ? undefined : state.executions.get(session.attemptId);
  if (byAttempt !== undefined) return { kind: 'kyx', execution: byAttempt };
  const account =
    session.subjectId === undefined ? undefined : state.accounts.get(session.subjectId);
  const latest = account?.executions.at(-1);
  if (latest !== undefined) return { kind: 'kyx', execution: latest };
  const scan = state.scans.get(session.attemptId ?? session.subjectId ?? '');
  if (scan !== undefined) return { kind: 'netverify', scan };
  throw new Error(
    `[jumio emulator] no transaction for session ${JSON.stringify({ subjectId: session.subjectId, attemptId: session.attemptId })}`,
  );
}

/** Stores a captured image: a small PNG, different for every id. */
function storeImage(context: EmulatorContext, id: string): void {
  context.state.images.set(id, {
    bytes: generatePng(id, 16, 16, 'jumio-emulator'),
    contentType: 'image/png',
  });
}

/**
 * The classifiers of each credential's parts (docs/provider-facts.md#j-ret-3,
 * #j-ret-4): FRONT and BACK, with FRONT_WITH_FLASH when chosen; FACE; FACEMAP,
 * then the liveness frames in the documented sample's order (the first, the
 * last, then the others: LIVENESS_1, LIVENESS_3, LIVENESS_2 for three).
 */
function partsOf(category: string, capture: JumioCapture): string[] {
  if (category === 'ID')
    return capture.flash === true ? ['FRONT', 'FRONT_WITH_FLASH', 'BACK'] : ['FRONT', 'BACK'];
  if (category === 'SELFIE') return ['FACE'];
  if (category !== 'FACEMAP') return [];
  const frames = capture.livenessFrames ?? 0;
  const order =
    frames === 0
      ? []
      : frames === 1
        ? [1]
        : [1, frames, ...Array.from({ length: frames - 2 }, (_, i) => i + 2)];
  return ['FACEMAP', ...order.map((n) => `LIVENESS_${n}`)];
}

/** Stores the document and selfie the customer captured (the workflow becomes ACQUIRED). */
export function uploadCaptures(context: EmulatorContext, execution: Execution): void {
  const retrieval = context.hosts[execution.region]?.retrieval ?? '';
  const capture =
    context.state.captures.get(execution.id) ??
    context.state.captures.get(execution.accountId) ??
    {};
  for (const credential of execution.credentials) {
    if (credential.parts.length > 0) continue;
    credential.parts = partsOf(credential.category, capture).map((classifier) => {
      // A facemap part has no download link (docs/provider-facts.md#j-ret-3).
      if (classifier === 'FACEMAP') return { classifier };
      storeImage(context, `${credential.id}:${classifier}`);
      return {
        classifier,
        href: `${retrieval}/api/v1/accounts/${execution.accountId}/credentials/${credential.id}/parts/${classifier}`,
      };
    });
  }
  if (execution.status === 'INITIATED') execution.status = 'ACQUIRED';
  execution.startedAt ??= timestamp(context);
}

function verdictFor(context: EmulatorContext, ids: string[]): StoredVerdict | undefined {
  for (const id of ids) {
    const verdict = context.state.verdicts.get(id);
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/** Finishes a KYX transaction: processes it (or lets it expire) and sends the callback. */
export async function finishExecution(
  context: EmulatorContext,
  execution: Execution,
  deliver?: Deliver,
): Promise<void> {
  const verdict = verdictFor(context, [execution.id, execution.accountId]) ?? {
    kind: 'labels',
    verdict: {},
  };
  if (verdict.kind === 'netverify') {
    throw new Error('[jumio emulator] a Netverify verdict was set for a KYX transaction');
  }
  if (verdict.kind === 'expired') {
    execution.status = verdict.status;
    execution.decision = {
      type: 'NOT_EXECUTED',
      details: { label: verdict.status },
      risk: { score: -1 },
    };
  } else {
    uploadCaptures(context, execution);
    const built = buildCapabilities(verdict.verdict, execution.credentials, context.now());
    execution.status = 'PROCESSED';
    execution.completedAt = timestamp(context);
    execution.decision = built.decision;
    execution.capabilities = built.capabilities;
  }
  if (execution.callbackUrl === undefined) return;
  await send(context, kyxCallback(context, execution), deliver);
}

/**
 * Lets a KYX transaction expire now and sends its callback: `TOKEN_EXPIRED`
 * (the link's token ran out) or `SESSION_EXPIRED` (the customer's session
 * timed out after the journey began), by default the one that fits its state
 * (INITIATED: token, ACQUIRED: session; docs/provider-facts.md#j-ret-1,
 * #j-acc-11). Its decision becomes NOT_EXECUTED with the status as label
 * (docs/provider-facts.md#j-dec-3). A processed or expired transaction cannot
 * expire (again).
 */
export async function expireExecution(
  context: EmulatorContext,
  execution: Execution,
  status: 'SESSION_EXPIRED' | 'TOKEN_EXPIRED' | undefined,
  deliver?: Deliver,
): Promise<void> {
  if (execution.status !== 'INITIATED' && execution.status !== 'ACQUIRED') {
    throw new Error(
      `[jumio emulator] workflow execution ${execution.id} is ${execution.status} and cannot expire`,
    );
  }
  const chosen = status ?? (execution.status === 'INITIATED' ? 'TOKEN_EXPIRED' : 'SESSION_EXPIRED');
  execution.status = chosen;
  execution.decision = { type: 'NOT_EXECUTED', details: { label: chosen }, risk: { score: -1 } };
  if (execution.callbackUrl === undefined) return;
  await send(context, kyxCallback(context, execution), deliver);
}

/** Finishes a Netverify scan (DONE, or FAILED when nothing was uploaded) and sends its callback. */
export async function finishScan(
  context: EmulatorContext,
  scan: Scan,
  deliver?: Deliver,
): Promise<void> {
  const stored = verdictFor(context, [scan.reference]);
  if (stored !== undefined && stored.kind !== 'netverify') {
    throw new Error('[jumio emulator] a KYX verdict was set for a Netverify scan');
  }
  const verdict = stored?.verdict ?? NETVERIFY_REPRESENTATIVE.CLEAR!;
  scan.verdict = verdict;
  if (verdict.verificationStatus === 'NO_ID_UPLOADED') {
    scan.status = 'FAILED';
  } else {
    scan.status = 'DONE';
    scan.images = ['front', 'back', 'face'];
    for (const classifier of scan.images) storeImage(context, `${scan.reference}:${classifier}`);
  }
  if (scan.callbackUrl === undefined) return;
  await send(context, netverifyCallback(context, scan, verdict), deliver);
}
