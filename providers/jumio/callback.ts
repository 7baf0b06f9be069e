/**
 * Jumio callbacks, reduced to the ids they name. Jumio documents no callback
 * signature (docs/provider-facts.md#j-cb-4, #j-open-6), so a callback is only
 * ever a hint to fetch the result with the adapter's own credentials, as Jumio
 * advises (docs/provider-facts.md#j-cb-3): nothing in it is trusted beyond its
 * ids and status.
 *
 * KYX callbacks are JSON (`workflowExecution.id`, `account.id`,
 * `workflowExecution.status`; docs/provider-facts.md#j-cb-1). Statuses
 * (docs/provider-facts.md#j-cb-2; what this does with the others,
 * docs/provider-facts.md#j-open-4):
 * - `PROCESSED`, `SESSION_EXPIRED`, `TOKEN_EXPIRED`: actionable (the last two
 *   become `EXPIRED` → retry when the result is fetched);
 * - `INITIATED`, `ACQUIRED` (progress callbacks some tenants receive): not actionable;
 * - any other well-formed status: accepted and actionable, so the host fetches
 *   the authoritative status; the result of a status the adapter does not know
 *   is `UNKNOWN` (fail closed), never `CLEAR`. A missing or malformed status is
 *   a `WebhookVerificationError`.
 *
 * Netverify (legacy) callbacks are form-encoded (docs/provider-facts.md#j-nv-2); only `jumioIdScanReference`,
 * `merchantIdScanReference` and `verificationStatus` are read, and the verdict
 * is always re-read through the retrieval API.
 *
 * @module
 */
import { bodyText, type IncomingWebhook, WebhookVerificationError } from 'idv-providers/kit';
import type { z } from 'zod';
import { isJumioCallbackSource } from './callback-sources';
import type { JumioMode, JumioRegion } from './definition';
import {
  isKnownKyxEvent,
  isKnownNetverifyEvent,
  type JumioKyxEvent,
  type JumioUnknownEvent,
  type NetverifyEvent,
} from './events';
import { netverifyCallbackSchema } from './netverify-schemas';
import { callbackSchema } from './schemas';

/** Largest callback body read; Jumio's are a few hundred bytes (KYX) or a few KiB (Netverify). */
export const MAX_CALLBACK_BYTES = 256 * 1024;

/** KYX progress statuses: the journey moved on, nothing to fetch yet. */
export const PROGRESS_STATUSES: ReadonlySet<string> = new Set(['INITIATED', 'ACQUIRED']);

const ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** How callbacks are checked. */
export interface CallbackOptions {
  mode: JumioMode;
  region: JumioRegion;
  /** Refuse senders that are not Jumio's published callback addresses for the region (default on). */
  verifyCallbackSource: boolean;
}

function refuse(reason: string, message: string): WebhookVerificationError {
  return new WebhookVerificationError(`[idv] [jumio] callback refused: ${message}`, {
    provider: 'jumio',
    reason,
  });
}

function readBody(request: IncomingWebhook): string {
  const body: unknown = request.body;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw refuse('malformed_body', 'the body must be the raw request body (string or bytes)');
  }
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_CALLBACK_BYTES) {
    throw refuse('malformed_body', `the body is larger than ${MAX_CALLBACK_BYTES} bytes`);
  }
  const text = bodyText(body);
  if (text.trim() === '') throw refuse('malformed_body', 'the body is empty');
  return text;
}

function checkSource(request: IncomingWebhook, options: CallbackOptions): void {
  if (!options.verifyCallbackSource) return;
  const address: unknown = request.remoteAddress;
  if (typeof address !== 'string' || address.trim() === '') {
    throw refuse(
      'unknown_sender',
      "verifyCallbackSource is on but the request has no remoteAddress (pass the sender's address, or set verifyCallbackSource: false)",
    );
  }
  if (!isJumioCallbackSource(address, { region: options.region, mode: options.mode })) {
    throw refuse(
      'unknown_sender',
      `the sender is not one of Jumio's published callback addresses for ${options.region}`,
    );
  }
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

function isoDate(value: string | undefined): string | undefined {
  return value !== undefined && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/**
 * Parses and checks a KYX JSON callback: a {@link JumioKyxEvent} for a known
 * status, a {@link JumioUnknownEvent} (`known: false`) for another.
 */
export function parseKyxCallback(
  request: IncomingWebhook,
  options: CallbackOptions,
): JumioKyxEvent | JumioUnknownEvent {
  checkSource(request, options);
  const text = readBody(request);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw refuse('malformed_body', 'the body is not valid JSON');
  }
  const parsed = callbackSchema.safeParse(json);
  if (!parsed.success) {
    throw refuse('malformed_body', `unexpected shape (${issuesOf(parsed.error)})`);
  }
  const { workflowExecution, account, callbackSentAt } = parsed.data;
  if (!ID.test(workflowExecution.id) || !ID.test(account.id)) {
    throw refuse('malformed_body', 'the account or workflow execution id is not a Jumio id');
  }
  const status = workflowExecution.status;
  const occurredAt = isoDate(callbackSentAt);
  const event = {
    provider: 'jumio' as const,
    type: status,
    dedupeKey: `jumio:${status}:${workflowExecution.id}`,
    session: { provider: 'jumio', subjectId: account.id, attemptId: workflowExecution.id },
    actionable: !PROGRESS_STATUSES.has(status),
    ...(occurredAt === undefined ? {} : { occurredAt }),
    platform: 'kyx' as const,
    accountId: account.id,
    workflowExecutionId: workflowExecution.id,
  };
  // A known status is its own variant; `isKnownKyxEvent` checks the type's literal.
  return isKnownKyxEvent(status)
    ? ({ ...event, known: true } as JumioKyxEvent)
    : { ...event, known: false };
}

/**
 * Parses and checks a Netverify form-encoded callback: a {@link NetverifyEvent}
 * for a known callback type, a {@link JumioUnknownEvent} for another.
 */
export function parseNetverifyCallback(
  request: IncomingWebhook,
  options: CallbackOptions,
): NetverifyEvent | JumioUnknownEvent {
  checkSource(request, options);
  const text = readBody(request);
  if (/^\s*[[{]/.test(text)) {
    throw refuse('malformed_body', 'expected a form-encoded Netverify callback, got JSON');
  }
  const form = new URLSearchParams(text);
  const fields: Record<string, string> = {};
  for (const key of [
    'callBackType',
    'jumioIdScanReference',
    'merchantIdScanReference',
    'verificationStatus',
    'callbackDate',
  ]) {
    const value = form.get(key);
    if (value !== null) fields[key] = value;
  }
  const parsed = netverifyCallbackSchema.safeParse(fields);
  if (!parsed.success) {
    throw refuse('malformed_body', `unexpected shape (${issuesOf(parsed.error)})`);
  }
  const { jumioIdScanReference: scan, callBackType, callbackDate } = parsed.data;
  const type = callBackType ?? 'NETVERIFYID';
  const occurredAt = isoDate(callbackDate);
  const event = {
    provider: 'jumio' as const,
    type,
    dedupeKey: `jumio:${type}:${scan}`,
    session: { provider: 'jumio', subjectId: scan, attemptId: scan },
    actionable: true,
    ...(occurredAt === undefined ? {} : { occurredAt }),
    platform: 'netverify' as const,
    scanReference: scan,
  };
  return isKnownNetverifyEvent(type)
    ? ({ ...event, known: true } as NetverifyEvent)
    : { ...event, known: false };
}
