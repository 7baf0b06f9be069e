/**
 * Building finished reports, with realistic breakdowns and properties, from an
 * {@link OnfidoOutcome}.
 *
 * @module
 */
import type {
  CheckResultEnum,
  DocumentProperties,
  DocumentPropertiesNfc,
  DocumentPropertiesWithDrivingLicenceInformation,
  DocumentWithDriverVerificationReportAllOfProperties,
  ReportResult,
  ReportStatus,
  ReportSubResult,
} from '@onfido/api';
import type { ExtractedPerson } from 'idv-providers';
import { chosenValue, type SpecValues } from './reference';
import type { AddressRecord, ApplicantRecord, ReportRecord } from './state';
import {
  familyOf,
  type OnfidoOutcome,
  type OnfidoReportOutcome,
  resultOf,
  STANDARD_BREAKDOWNS,
} from './verdicts';

/** The person on the document when a test chose none: the applicant's name and sample details. */
export function samplePerson(applicant: ApplicantRecord): ExtractedPerson {
  const digits = applicant.id
    .replace(/[^0-9]/g, '')
    .padEnd(9, '7')
    .slice(0, 9);
  return {
    firstName: applicant.firstName,
    lastName: applicant.lastName,
    dateOfBirth: applicant.dob ?? '1988-04-17',
    documentType: 'driving_licence',
    documentNumber: `D${digits}`,
    nationality: 'GBR',
    issuingCountry: 'GBR',
    documentExpiry: '2031-09-30',
  };
}

/** What a document report reads besides the person. */
export interface ReportInputs {
  /** The applicant's address, for the address kinds. */
  address?: AddressRecord | undefined;
  /** A document of the check was uploaded as NFC chip data (docs/provider-facts.md#o-doc-5). */
  nfc: boolean;
}

/** A document report's `properties` for a person. */
export function documentProperties(person: ExtractedPerson): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (person.firstName !== undefined) props['first_name'] = person.firstName;
  if (person.lastName !== undefined) props['last_name'] = person.lastName;
  if (person.dateOfBirth !== undefined) props['date_of_birth'] = person.dateOfBirth;
  if (person.documentExpiry !== undefined) props['date_of_expiry'] = person.documentExpiry;
  if (person.documentType !== undefined) props['document_type'] = person.documentType;
  if (person.documentNumber !== undefined) {
    props['document_numbers'] = [{ type: 'document_number', value: person.documentNumber }];
  }
  if (person.nationality !== undefined) props['nationality'] = person.nationality;
  if (person.issuingCountry !== undefined) props['issuing_country'] = person.issuingCountry;
  return props;
}

/** What the chip of an NFC document holds (docs/provider-facts.md#o-bd-7, #o-doc-5). */
function nfcProperties(person: ExtractedPerson): DocumentPropertiesNfc {
  const fullName = [person.firstName, person.lastName].filter((n) => n !== undefined).join(' ');
  return {
    ...(person.documentType === undefined ? {} : { document_type: person.documentType }),
    ...(person.issuingCountry === undefined ? {} : { issuing_country: person.issuingCountry }),
    ...(fullName === '' ? {} : { full_name: fullName }),
    ...(person.documentNumber === undefined ? {} : { document_number: person.documentNumber }),
    ...(person.nationality === undefined ? {} : { nationality: person.nationality }),
    ...(person.dateOfBirth === undefined ? {} : { date_of_birth: person.dateOfBirth }),
    ...(person.documentExpiry === undefined ? {} : { date_of_expiry: person.documentExpiry }),
  };
}

/** The address a document shows: the applicant's, else a sample one. */
function addressProperties(address: AddressRecord | undefined): DocumentProperties {
  const given = address ?? {
    building_number: '221B',
    street: 'Baker Street',
    town: 'London',
    postcode: 'NW1 6XE',
    country: 'GBR',
  };
  const street = [given.flat_number, given.building_number, given.building_name, given.street]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const line = [street || given.line1, given.town, given.state, given.postcode]
    .filter((part) => part !== undefined && part !== '')
    .join(', ');
  return {
    address: line,
    address_lines: {
      street_address: street || given.line1 || '',
      city: given.town ?? '',
      ...(given.state === undefined ? {} : { state: given.state }),
      postal_code: given.postcode,
      country: given.country,
      country_code: given.country,
    },
  };
}

/** Licence categories on a driving licence, obtained and expiring around the document's dates. */
function licenceDates(person: ExtractedPerson): { obtainment_date: string; expiry_date: string } {
  return { obtainment_date: '2010-06-01', expiry_date: person.documentExpiry ?? '2031-09-30' };
}

/**
 * The `properties` a document kind adds (docs/provider-facts.md#o-bd-7, #o-bd-8):
 * the address for the address kinds, the licence categories for the driving
 * licence kinds, the chip's data when a document was read by NFC.
 */
function kindProperties(
  name: string,
  person: ExtractedPerson,
  inputs: ReportInputs,
): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (name.endsWith('with_address_information'))
    Object.assign(props, addressProperties(inputs.address));
  if (name === 'document_with_driving_licence_information') {
    const licence: DocumentPropertiesWithDrivingLicenceInformation = {
      driving_licence_information: [{ category: 'B', codes: '', ...licenceDates(person) }],
    };
    Object.assign(props, licence);
  }
  if (name === 'document_with_driver_verification') {
    const driver: DocumentWithDriverVerificationReportAllOfProperties = {
      drivers_licence: true,
      restricted_licence: false,
      raw_licence_category: 'Class C',
      raw_vehicle_classes: 'C',
      manual_transmission_restriction: false,
      vehicle_class_details: [{ category: 'C', codes: '', ...licenceDates(person) }],
      passenger_vehicle: { is_qualified: true, ...licenceDates(person) },
    };
    Object.assign(props, driver);
  }
  if (inputs.nfc) props['nfc'] = nfcProperties(person);
  return props;
}

function subBreakdown(names: readonly string[], flagged: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const result = flagged && i === 0 ? 'consider' : 'clear';
    out[name] =
      name === 'face_match' || name === 'spoofing_detection'
        ? { result, properties: { score: flagged ? 0.21 : 0.93 } }
        : { result, properties: {} };
  });
  return out;
}

/**
 * A report's breakdown: every key of its kind (its own table, else its
 * family's), clear unless the outcome flags it, plus any extra flagged key.
 */
function breakdownFor(name: string, outcome: OnfidoReportOutcome): Record<string, unknown> {
  const standard = STANDARD_BREAKDOWNS[name] ?? STANDARD_BREAKDOWNS[familyOf(name)] ?? {};
  const flagged = new Set(outcome.consider ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, subs] of Object.entries(standard)) {
    const isFlagged = flagged.has(key);
    // Keys without sub-breakdowns carry their result only (police_record,
    // watchlist and known faces keys: docs/provider-facts.md#o-bd-5, #o-bd-11, #o-bd-14).
    out[key] =
      subs.length === 0
        ? { result: isFlagged ? 'consider' : 'clear' }
        : { result: isFlagged ? 'consider' : 'clear', breakdown: subBreakdown(subs, isFlagged) };
  }
  for (const key of flagged) {
    if (!(key in out)) out[key] = { result: 'consider', breakdown: {} };
  }
  return out;
}

/** The outcome of one report name: by exact name first, then by family. */
function outcomeFor(outcome: OnfidoOutcome, name: string): OnfidoReportOutcome {
  return outcome.reports?.[name] ?? outcome.reports?.[familyOf(name)] ?? {};
}

/** Fills in a report record as Onfido does when the report completes. */
export function completeReport(
  report: ReportRecord,
  outcome: OnfidoOutcome,
  person: ExtractedPerson,
  inputs: ReportInputs = { nfc: false },
): void {
  const family = familyOf(report.name);
  const chosen = outcomeFor(outcome, report.name);
  const result = resultOf(chosen);
  report.status =
    chosen.status === undefined ? 'complete' : chosenValue<SpecValues<ReportStatus>>(chosen.status);
  report.result = chosenValue<SpecValues<ReportResult>>(result);
  report.breakdown = result === 'unidentified' ? {} : breakdownFor(report.name, chosen);
  const flagged = result !== 'clear';
  if (family === 'document') {
    const sub =
      chosen.subResult === undefined ? (result === 'clear' ? 'clear' : null) : chosen.subResult;
    report.subResult = sub === null ? null : chosenValue<SpecValues<ReportSubResult>>(sub);
    report.properties =
      result === 'unidentified'
        ? {}
        : { ...documentProperties(person), ...kindProperties(report.name, person, inputs) };
  } else {
    // The spec's sub_result is for document reports; the others send null
    // (docs/provider-facts.md#o-rep-5).
    report.subResult = null;
    report.properties = propertiesOf(report.name, flagged);
  }
}

/** The `properties` of a report that is not a document report (docs/provider-facts.md#o-bd-9 to #o-bd-14). */
function propertiesOf(name: string, flagged: boolean): Record<string, unknown> {
  if (familyOf(name) === 'facial_similarity') return { score: flagged ? 0.21 : 0.93 };
  if (name === 'known_faces') return { matches: [] };
  if (name.startsWith('watchlist_')) return { records: [] };
  return {};
}

/** The check's result from its reports: `clear` only if every report is (docs/provider-facts.md#o-chk-4). */
export function checkResultOf(reports: readonly ReportRecord[]): SpecValues<CheckResultEnum> {
  return reports.every((r) => r.result === 'clear') ? 'clear' : 'consider';
}
