/**
 * Building finished reports, with realistic breakdowns and properties, from an
 * {@link OnfidoOutcome}.
 *
 * @module
 */
import type { ExtractedPerson } from 'idv-providers';
import type { ApplicantRecord, ReportRecord } from './state';
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

/** A report's breakdown: every standard key, clear unless the outcome flags it, plus any extra flagged key. */
function breakdownFor(family: string, outcome: OnfidoReportOutcome): Record<string, unknown> {
  const standard = STANDARD_BREAKDOWNS[family] ?? {};
  const flagged = new Set(outcome.consider ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, subs] of Object.entries(standard)) {
    const isFlagged = flagged.has(key);
    out[key] = {
      result: isFlagged ? 'consider' : 'clear',
      breakdown: subBreakdown(subs, isFlagged),
    };
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
): void {
  const family = familyOf(report.name);
  const chosen = outcomeFor(outcome, report.name);
  const result = resultOf(chosen);
  report.status = chosen.status ?? 'complete';
  report.result = result;
  report.breakdown = result === 'unidentified' ? {} : breakdownFor(family, chosen);
  if (family === 'document') {
    report.subResult =
      chosen.subResult === undefined ? (result === 'clear' ? 'clear' : null) : chosen.subResult;
    report.properties = result === 'unidentified' ? {} : documentProperties(person);
  } else {
    report.subResult = null;
    report.properties = {};
  }
}

/** The check's result from its reports: `clear` only if every report is. */
export function checkResultOf(reports: readonly ReportRecord[]): string {
  return reports.every((r) => r.result === 'clear') ? 'clear' : 'consider';
}
