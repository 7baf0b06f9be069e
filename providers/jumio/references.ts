/**
 * Checks of the references and ids a host passes to Jumio, made before any
 * request is sent so that a bad value fails fast with a clear
 * `InvalidInputError` instead of a 400 from Jumio (or worse, personal data
 * stored at Jumio in a field that must not hold any).
 *
 * Messages name the field and the rule, never the value: a rejected value may
 * be exactly the personal data the rule keeps out.
 *
 * @module
 */
import { InvalidInputError, type SessionRef } from 'idv-providers/kit';

/** Longest `customerInternalReference` and `userReference` Jumio accepts (docs/provider-facts.md#j-acc-3, #j-acc-4). */
export const MAX_REFERENCE_LENGTH = 100;

/** Characters Jumio refuses in `customerInternalReference` (docs/provider-facts.md#j-acc-3). */
export const FORBIDDEN_REFERENCE_CHARACTERS = '<>"/;`%{}|';

const FORBIDDEN = new Set(FORBIDDEN_REFERENCE_CHARACTERS);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f]/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
// One character before the @ and after the dot suffice: the same matches as
// /[^\s@]+@[^\s@]+\.[^\s@]+/, without retrying the run before the @ from every
// position (quadratic on a long reference without an @).
const EMAIL = /[^\s@]@[^\s@]+\.[^\s@]/;
/** `+` and at least 7 digits, separators allowed: an international phone number. */
const INTERNATIONAL_PHONE = /\+\s*\(?\d(?:[\s().-]*\d){6,}/;
/** Ten or more digits in a row, or in groups separated by single spaces: a phone or card number. */
const LONG_DIGIT_RUN = /\d(?: ?\d){9,}/;

function invalid(field: string, rule: string): InvalidInputError {
  return new InvalidInputError(`[idv] [jumio] ${field} ${rule}`, { provider: 'jumio', field });
}

/**
 * Heuristics for obvious personal data: an e-mail address, an international
 * phone number, or a run of ten or more digits (a phone or card number). UUIDs
 * are ignored, so a random id whose last group happens to be all digits passes.
 * Use opaque ids (UUIDs, prefixed or short numeric ids) as references.
 */
export function looksLikePersonalData(
  value: string,
): 'an e-mail address' | 'a phone or card number' | undefined {
  if (EMAIL.test(value)) return 'an e-mail address';
  const withoutUuids = value.replace(UUID, '-');
  if (INTERNATIONAL_PHONE.test(withoutUuids) || LONG_DIGIT_RUN.test(withoutUuids)) {
    return 'a phone or card number';
  }
  return undefined;
}

function checkReference(field: string, value: unknown, forbidCharacters: boolean): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.trim() === '') throw invalid(field, 'must not be empty');
  if (value.length > MAX_REFERENCE_LENGTH) {
    throw invalid(
      field,
      `must be at most ${MAX_REFERENCE_LENGTH} characters (got ${value.length})`,
    );
  }
  if (CONTROL.test(value)) throw invalid(field, 'must not contain control characters');
  if (forbidCharacters) {
    const found = [...new Set([...value].filter((c) => FORBIDDEN.has(c)))];
    if (found.length > 0) {
      throw invalid(
        field,
        `must not contain any of ${FORBIDDEN_REFERENCE_CHARACTERS} (found ${found.join(' ')})`,
      );
    }
  }
  const personal = looksLikePersonalData(value);
  if (personal !== undefined) {
    throw invalid(
      field,
      `must not contain personal data, and this looks like it holds ${personal}: use an opaque id`,
    );
  }
  return value;
}

/**
 * Validates `customerInternalReference` (the host's `identityReference`):
 * required, at most 100 characters, none of ``<>"/;`%{}|``, no control
 * characters and no obvious personal data.
 */
export function checkCustomerInternalReference(value: unknown): string {
  return checkReference('identityReference (customerInternalReference)', value, true);
}

/** Validates an optional `userReference`: at most 100 characters, same character and personal-data rules. */
export function checkUserReference(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return checkReference('userReference', value, true);
}

const LOCALE = /^[a-z]{2}([-_][A-Z]{2})?$/;

/** Validates an optional locale (`en`, `de`, `en-GB`). */
export function checkLocale(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !LOCALE.test(value)) {
    throw invalid('locale', 'must look like "en" or "en-GB"');
  }
  return value;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/**
 * Validates a Jumio id taken from a session (account, workflow execution or
 * scan reference) before it is put into a URL path: letters, digits and
 * dashes only, so no id can change the path it lands in.
 */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw invalid(field, 'must be a Jumio id (letters, digits and dashes)');
  }
  return value;
}

/** The account and workflow execution ids of a KYX session, both required. */
export function kyxIds(session: SessionRef): { accountId: string; workflowExecutionId: string } {
  return {
    accountId: checkId('session.subjectId', session.subjectId),
    workflowExecutionId: checkId('session.attemptId', session.attemptId),
  };
}

/** The scan reference of a Netverify session (its `attemptId`, else its `subjectId`). */
export function netverifyScanReference(session: SessionRef): string {
  return checkId('session.attemptId', session.attemptId ?? session.subjectId);
}
