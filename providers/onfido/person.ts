/**
 * The person read from the document report's `properties`.
 *
 * @module
 */
import type { ExtractedPerson } from 'idv-providers';
import { reportFamily } from './mapping';
import type { OnfidoReport } from './schemas';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The first `document_numbers[].value`, preferring the entry of type `document_number`. */
function documentNumber(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries = value.filter(
    (entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null,
  );
  const preferred = entries.find((entry) => entry['type'] === 'document_number') ?? entries[0];
  return preferred === undefined ? undefined : text(preferred['value']);
}

/**
 * Extracts the person from the first document report that has `properties`:
 * `first_name`, `last_name`, `date_of_birth`, `date_of_expiry`, `document_type`,
 * `document_numbers[].value`, `nationality`, `issuing_country`. Returns `null`
 * when there is no such report or it names nothing.
 */
export function extractPerson(reports: readonly OnfidoReport[]): ExtractedPerson | null {
  const report = reports.find((r) => reportFamily(r.name) === 'document' && r.properties != null);
  const props = report?.properties;
  if (props == null) return null;
  const fields: Array<[keyof ExtractedPerson, string | undefined]> = [
    ['firstName', text(props['first_name'])],
    ['lastName', text(props['last_name'])],
    ['dateOfBirth', text(props['date_of_birth'])],
    ['documentType', text(props['document_type'])],
    ['documentNumber', documentNumber(props['document_numbers'])],
    ['nationality', text(props['nationality'])],
    ['issuingCountry', text(props['issuing_country'])],
    ['documentExpiry', text(props['date_of_expiry'])],
  ];
  const person: ExtractedPerson = {};
  for (const [key, value] of fields) {
    if (value !== undefined) person[key] = value;
  }
  return Object.keys(person).length === 0 ? null : person;
}
