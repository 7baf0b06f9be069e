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
import type { Execution, Scan, StoredVerdict } from './state';
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

/** Stores the document and selfie the customer captured (the workflow becomes ACQUIRED). */
export function uploadCaptures(context: EmulatorContext, execution: Execution): void {
  const retrieval = context.hosts[execution.region]?.retrieval ?? '';
  const partsOf: Readonly<Record<string, readonly string[]>> = {
    ID: ['FRONT', 'BACK'],
    SELFIE: ['FACE'],
    FACEMAP: ['FACEMAP'],
  };
  for (const credential of execution.credentials) {
    if (credential.parts.length > 0) continue;
    credential.parts = (partsOf[credential.category] ?? []).map((classifier) => {
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
