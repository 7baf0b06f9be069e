/**
 * The JSON Jumio answers with (a workflow's details,
 * docs/provider-facts.md#j-ret-2 and #j-ret-3; a Netverify scan's data,
 * docs/provider-facts.md#j-nv-5 to #j-nv-7) and its error bodies (those of
 * injected faults included, docs/provider-facts.md#j-err-1).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createFindOr404, type FaultAnswers, type FindOr404 } from 'idv-providers/emulator-kit';
import { HttpResponse } from 'msw';
import type { Execution, NetverifyVerdict } from './state';
import { SAMPLE_PERSON } from './verdicts';

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Jumio's problem body (`{"title", "status", "detail"}`, docs/provider-facts.md#j-err-1). */
export function problem(
  status: number,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  return HttpResponse.json(
    { title: STATUS_TITLES[status] ?? 'Error', status, detail },
    { status, headers },
  );
}

/** Answers with the record's view, or Jumio's 404 (`Scan not found`, ...). */
export const findOr404: FindOr404 = createFindOr404((what) => problem(404, `${what} not found`));

/** Jumio's side of the kit's fault queue. */
export const FAULT_ANSWERS: FaultAnswers = {
  status(status, headers) {
    // The 429 body Jumio documents (docs/provider-facts.md#j-rl-3).
    const detail =
      status === 429 ? 'Request limit exceeded' : 'The emulator was told to fail this request';
    return problem(status, detail, headers);
  },
  unexpectedShape: { result: 'ok', items: [] },
  // Any answer cut in half keeps its Content-Length and loses its connection halfway.
  truncatedJson: 'connection-drops',
};

/** A workflow execution's details as the retrieval API serves them. */
export function executionView(execution: Execution): Record<string, unknown> {
  return {
    workflow: {
      id: execution.id,
      status: execution.status,
      definitionKey: String(execution.definitionKey),
      ...(execution.userReference === undefined ? {} : { userReference: execution.userReference }),
      customerInternalReference: execution.customerInternalReference,
    },
    account: { id: execution.accountId },
    createdAt: execution.createdAt,
    ...(execution.startedAt === undefined ? {} : { startedAt: execution.startedAt }),
    ...(execution.completedAt === undefined ? {} : { completedAt: execution.completedAt }),
    credentials: execution.credentials
      .filter((c) => c.parts.length > 0)
      .map((c) => ({
        id: c.id,
        category: c.category,
        parts: c.parts.map((p) => ({
          classifier: p.classifier,
          ...(p.href === undefined ? {} : { href: p.href }),
        })),
      })),
    ...(execution.decision === undefined ? {} : { decision: execution.decision }),
    ...(execution.capabilities === undefined ? {} : { capabilities: execution.capabilities }),
  };
}

/**
 * A workflow execution's steps (docs/provider-facts.md#j-ret-6): none before
 * it is processed, then one step that ran every capability, with the
 * workflow's decision. The step name `ID_IV` is from the 2022 guide; that the
 * list comes as `{"steps": [...]}` is the emulator's reading of "answers
 * `steps[]`".
 */
export function stepsView(execution: Execution): Record<string, unknown> {
  if (execution.capabilities === undefined || execution.decision === undefined) {
    return { steps: [] };
  }
  execution.stepId ??= randomUUID();
  return {
    steps: [
      {
        id: execution.stepId,
        name: 'ID_IV',
        capabilityIds: Object.values(execution.capabilities).flatMap((list) =>
          list.map((c) => c.id),
        ),
        decision: execution.decision,
      },
    ],
  };
}

/** A Netverify scan's `/data` answer for a finished scan. */
export function scanDataView(
  reference: string,
  verdict: NetverifyVerdict,
  meta: {
    status: 'DONE' | 'FAILED';
    createdAt: string;
    userReference: string;
    merchantReference: string;
    now: string;
  },
): Record<string, unknown> {
  const person = verdict.person ?? SAMPLE_PERSON;
  const uploaded = verdict.verificationStatus !== 'NO_ID_UPLOADED';
  const document: Record<string, unknown> = { status: verdict.verificationStatus };
  if (uploaded) {
    if (person.documentType !== undefined) document['type'] = person.documentType;
    if (person.issuingCountry !== undefined) document['issuingCountry'] = person.issuingCountry;
    if (person.firstName !== undefined) document['firstName'] = person.firstName;
    if (person.lastName !== undefined) document['lastName'] = person.lastName;
    if (person.dateOfBirth !== undefined) document['dob'] = person.dateOfBirth;
    if (person.documentExpiry !== undefined) document['expiry'] = person.documentExpiry;
    if (person.documentNumber !== undefined) document['number'] = person.documentNumber;
  }
  const verification: Record<string, unknown> = {};
  if (uploaded) verification['mrzCheck'] = 'OK';
  if (verdict.rejectReason !== undefined) {
    verification['rejectReason'] = rejectReasonJson(verdict.rejectReason);
  }
  if (verdict.identityVerification !== undefined) {
    const iv = verdict.identityVerification;
    verification['identityVerification'] = {
      ...(iv.similarity === undefined ? {} : { similarity: iv.similarity }),
      // The retrieval API sends validity as a string.
      ...(iv.validity === undefined ? {} : { validity: iv.validity ? 'TRUE' : 'FALSE' }),
      ...(iv.reason === undefined ? {} : { reason: iv.reason }),
    };
  }
  return {
    timestamp: meta.now,
    scanReference: reference,
    document,
    transaction: {
      status: meta.status,
      source: 'WEB_UPLOAD',
      date: meta.createdAt,
      customerId: meta.userReference,
      merchantScanReference: meta.merchantReference,
    },
    verification,
  };
}

/** A reject reason as Jumio serves it. */
export function rejectReasonJson(reason: NonNullable<NetverifyVerdict['rejectReason']>) {
  return {
    rejectReasonCode: reason.code,
    rejectReasonDescription: reason.description,
    ...(reason.details === undefined
      ? {}
      : {
          rejectReasonDetails: reason.details.map((d) => ({
            detailsCode: d.code,
            detailsDescription: d.description,
          })),
        }),
  };
}
