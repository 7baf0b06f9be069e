/**
 * Reading the person a provider extracted from the document, for every
 * adapter: each adapter says where its provider keeps each field, and
 * {@link personFrom} reads and normalises them the same way.
 *
 * @module
 */
import type { ExtractedPerson } from 'idv-providers';
import { ownEntry } from '../shared/own-entry';

/** A field of {@link ExtractedPerson}. */
export type PersonField = keyof ExtractedPerson;

/** The provider's record a person is read from (a report's `properties`, a scan's `document`). */
export type PersonRecord = Readonly<Record<string, unknown>>;

/**
 * Where the provider keeps one field: its field name, several names (the
 * first with a usable value wins), or a function of the record for a value
 * that needs digging out (Onfido's `document_numbers[]`).
 */
export type PersonSource = string | readonly string[] | ((record: PersonRecord) => unknown);

/** Where the provider keeps each field; a field left out is not read. */
export type PersonFieldMap = { readonly [K in PersonField]?: PersonSource };

/** The fields, in the order they are read. */
const FIELDS: readonly PersonField[] = [
  'firstName',
  'lastName',
  'dateOfBirth',
  'documentType',
  'documentNumber',
  'nationality',
  'issuingCountry',
  'documentExpiry',
];

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)/;

/** `YYYY-MM-DD` for a calendar date (a time after it is cut off); `undefined` for anything else. */
function isoDate(text: string): string | undefined {
  const match = DATE.exec(text);
  if (match === null) return undefined;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? text.slice(0, 10) : undefined;
}

/** The normalised value of a field, or `undefined` when there is nothing usable. */
function normalise(field: PersonField, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  switch (field) {
    case 'firstName':
    case 'lastName':
      return text.replace(/\s+/g, ' ');
    case 'dateOfBirth':
    case 'documentExpiry':
      return isoDate(text);
    default:
      return text;
  }
}

function read(record: PersonRecord, field: PersonField, source: PersonSource): string | undefined {
  if (typeof source === 'function') return normalise(field, source(record));
  const names: readonly string[] = typeof source === 'string' ? [source] : source;
  for (const name of names) {
    const value = normalise(field, ownEntry(record, name));
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * Reads an {@link ExtractedPerson} from a provider's record through `aliases`,
 * the provider's names for each field. Only string values are taken, and
 * only the record's own entries; every value is trimmed, names have their
 * inner runs of spaces made single, and dates (`dateOfBirth`,
 * `documentExpiry`) are `YYYY-MM-DD` (a time after the date is cut off; a
 * value that is not a calendar date is left out). Empty values are left out.
 * Returns `null` when the record is not an object or names nothing.
 *
 * @example
 * ```ts
 * personFrom(
 *   { first_name: ' Ada ', last_name: 'Lovelace', date_of_birth: '1815-12-10' },
 *   { firstName: 'first_name', lastName: 'last_name', dateOfBirth: 'date_of_birth' },
 * ); // { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1815-12-10' }
 * ```
 */
export function personFrom(record: unknown, aliases: PersonFieldMap): ExtractedPerson | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  const person: ExtractedPerson = {};
  for (const field of FIELDS) {
    const source = aliases[field];
    if (source === undefined) continue;
    const value = read(record as PersonRecord, field, source);
    if (value !== undefined) person[field] = value;
  }
  return Object.keys(person).length === 0 ? null : person;
}
