/**
 * The person read from the document report's `properties`.
 *
 * @module
 */
import {
  type ExtractedPerson,
  ownEntry,
  type PersonFieldMap,
  type PersonRecord,
  personFrom,
} from 'idv-providers/kit';
import { reportFamily } from './mapping';
import type { OnfidoReport } from './schemas';

/** The first `document_numbers[].value`, preferring the entry of type `document_number`. */
function documentNumber(props: PersonRecord): unknown {
  const value = ownEntry(props, 'document_numbers');
  if (!Array.isArray(value)) return undefined;
  const entries = value.filter(
    (entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null,
  );
  const preferred = entries.find((entry) => entry['type'] === 'document_number') ?? entries[0];
  return preferred?.['value'];
}

/** Where Onfido's document report keeps each field of the person. */
const ONFIDO_PERSON_FIELDS: PersonFieldMap = {
  firstName: 'first_name',
  lastName: 'last_name',
  dateOfBirth: 'date_of_birth',
  documentType: 'document_type',
  documentNumber,
  nationality: 'nationality',
  issuingCountry: 'issuing_country',
  documentExpiry: 'date_of_expiry',
};

/**
 * Extracts the person from the first document report that has `properties`:
 * `first_name`, `last_name`, `date_of_birth`, `date_of_expiry`, `document_type`,
 * `document_numbers[].value`, `nationality`, `issuing_country`, read and
 * normalised by the kit's `personFrom`. Returns `null` when there is no such
 * report or it names nothing.
 */
export function extractPerson(reports: readonly OnfidoReport[]): ExtractedPerson | null {
  const report = reports.find((r) => reportFamily(r.name) === 'document' && r.properties != null);
  return report?.properties == null ? null : personFrom(report.properties, ONFIDO_PERSON_FIELDS);
}
