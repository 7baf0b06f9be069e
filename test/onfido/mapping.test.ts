import { readFileSync } from 'node:fs';
import type { ReasonCode } from 'idv-providers';
import {
  extractPerson,
  mapOnfidoCheck,
  ONFIDO_MAPPING,
  ONFIDO_WORKFLOW_MAPPING,
  reportFamily,
  reportKeys,
  workflowReasons,
  workflowRow,
} from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { check, report } from './helpers';

/**
 * The CAS mapping as the reference states it (document sub_result family +
 * breakdown, then the facial similarity report), with the real breakdown key
 * `visual_authenticity`, plus the one row this library adds (known faces).
 */
const SPEC: ReadonlyArray<{
  report: string;
  subResult?: string;
  /** The non-clear breakdown; none for the generic rows. */
  breakdown?: string;
  reason: ReasonCode;
}> = [
  {
    report: 'document',
    subResult: 'rejected',
    breakdown: 'image_integrity',
    reason: 'REJECTED_IMAGE_INTEGRITY',
  },
  {
    report: 'document',
    subResult: 'rejected',
    breakdown: 'age_validation',
    reason: 'REJECTED_AGE_VALIDATION',
  },
  {
    report: 'document',
    subResult: 'suspected',
    breakdown: 'compromised_document',
    reason: 'SUSPECTED_COMPROMISED_DOCUMENT',
  },
  {
    report: 'document',
    subResult: 'suspected',
    breakdown: 'police_record',
    reason: 'SUSPECTED_POLICE_RECORD',
  },
  {
    report: 'document',
    subResult: 'suspected',
    breakdown: 'data_consistency',
    reason: 'SUSPECTED_DATA_CONSISTENCY',
  },
  {
    report: 'document',
    subResult: 'suspected',
    breakdown: 'visual_authenticity',
    reason: 'SUSPECTED_VISUAL_CONSISTENCY',
  },
  {
    report: 'document',
    subResult: 'suspected',
    breakdown: 'data_validation',
    reason: 'SUSPECTED_DATA_VALIDATION',
  },
  {
    report: 'document',
    subResult: 'caution',
    breakdown: 'visual_authenticity',
    reason: 'CAUTION_VISUAL_CONSISTENCY',
  },
  {
    report: 'document',
    subResult: 'caution',
    breakdown: 'image_integrity',
    reason: 'CAUTION_IMAGE_INTEGRITY',
  },
  {
    report: 'document',
    subResult: 'caution',
    breakdown: 'data_validation',
    reason: 'CAUTION_DATA_VALIDATION',
  },
  {
    report: 'document',
    subResult: 'caution',
    breakdown: 'data_comparison',
    reason: 'CAUTION_DATA_COMPARISON',
  },
  {
    report: 'document',
    subResult: 'caution',
    breakdown: 'data_consistency',
    reason: 'CAUTION_DATA_CONSISTENCY',
  },
  {
    report: 'facial_similarity_photo',
    breakdown: 'face_comparison',
    reason: 'CAUTION_FACIAL_COMPARISON',
  },
  {
    report: 'facial_similarity_photo',
    breakdown: 'image_integrity',
    reason: 'CAUTION_IMAGE_INTEGRITY',
  },
  {
    report: 'facial_similarity_photo',
    breakdown: 'visual_authenticity',
    reason: 'CAUTION_VISUAL_CONSISTENCY',
  },
  {
    report: 'known_faces',
    breakdown: 'previously_seen_faces',
    reason: 'SUSPECTED_FACE_COMPARISON',
  },
  // NFC: the document breakdown issuing_authority (docs/provider-facts.md#o-bd-20).
  {
    report: 'document',
    subResult: 'suspected',
    breakdown: 'issuing_authority',
    reason: 'SUSPECTED_DATA_VALIDATION',
  },
  {
    report: 'document',
    subResult: 'caution',
    breakdown: 'issuing_authority',
    reason: 'CAUTION_DATA_VALIDATION',
  },
  // The generic rows: an explicit sub_result no breakdown row explains.
  { report: 'document', subResult: 'rejected', reason: 'REJECTED_IMAGE_INTEGRITY' },
  { report: 'document', subResult: 'suspected', reason: 'SUSPECTED_COMPROMISED_DOCUMENT' },
  { report: 'document', subResult: 'caution', reason: 'CAUTION_DATA_VALIDATION' },
  // Watchlist reports (docs/provider-facts.md#o-bd-11 to #o-bd-13, #o-bd-21).
  { report: 'watchlist_standard', breakdown: 'sanction', reason: 'CAUTION_WATCHLIST' },
  {
    report: 'watchlist_standard',
    breakdown: 'politically_exposed_person',
    reason: 'CAUTION_WATCHLIST',
  },
  {
    report: 'watchlist_standard',
    breakdown: 'legal_and_regulatory_warnings',
    reason: 'CAUTION_WATCHLIST',
  },
  { report: 'watchlist_enhanced', breakdown: 'adverse_media', reason: 'CAUTION_WATCHLIST' },
  { report: 'watchlist_enhanced', breakdown: 'monitored_lists', reason: 'CAUTION_WATCHLIST' },
  { report: 'watchlist_aml', reason: 'CAUTION_WATCHLIST' },
];

/** The table key a SPEC row stands for. */
function keyOf(row: (typeof SPEC)[number]): string {
  const family = reportFamily(row.report);
  const prefix = family === 'document' ? `document.${row.subResult}` : family;
  return row.breakdown === undefined ? prefix : `${prefix}.${row.breakdown}`;
}

describe('ONFIDO_MAPPING, row by row', () => {
  it.each(SPEC.map((row) => ({ ...row, label: keyOf(row) })))('$label → $reason', (row) => {
    const flagged = report(row.report, {
      ...(row.subResult === undefined ? {} : { subResult: row.subResult }),
      ...(row.breakdown === undefined ? { result: 'consider' } : { flagged: [row.breakdown] }),
      clear: ['image_integrity', 'data_validation'].filter((k) => k !== row.breakdown),
    });
    const others = ['document', 'facial_similarity_photo']
      .filter((name) => name !== row.report)
      .map((name) => report(name, { subResult: name === 'document' ? 'clear' : null }));
    const mapped = mapOnfidoCheck(check([flagged, ...others]), [flagged, ...others]);
    expect(mapped.reasons).toEqual([row.reason]);
    expect(mapped.unmatched).toEqual([]);
    if (row.breakdown !== undefined) {
      expect(mapped.labels).toContainEqual({
        source: `${row.report}.breakdown.${row.breakdown}`,
        value: 'consider',
      });
    }
    const used = ONFIDO_MAPPING.find((r) => r.key === row.label);
    expect(used?.source).toMatch(/^docs\/provider-facts\.md#o-/);
  });

  it('has exactly the rows of the spec, no more', () => {
    const expected = SPEC.map((row) => ({ key: keyOf(row), reason: row.reason }));
    const actual = ONFIDO_MAPPING.map(({ key, reason }) => ({ key, reason }));
    expect(actual).toHaveLength(expected.length);
    expect(actual).toEqual(expect.arrayContaining(expected));
    expect(new Set(actual.map((r) => r.key)).size).toBe(actual.length);
  });

  it('cites facts that exist in docs/provider-facts.md from every row', () => {
    const anchors = new Set(
      [...readFileSync('docs/provider-facts.md', 'utf8').matchAll(/<a id="(o-[a-z]+-\d+)">/g)].map(
        (m) => m[1],
      ),
    );
    for (const row of ONFIDO_MAPPING) {
      const ids = [...row.source.matchAll(/#(o-[a-z]+-\d+)/g)].map((m) => m[1]);
      expect(ids.length, row.key).toBeGreaterThan(0);
      expect(
        ids.filter((id) => !anchors.has(id)),
        row.key,
      ).toEqual([]);
    }
  });

  it.each([
    'facial_similarity_photo_fully_auto',
    'facial_similarity_video',
    'facial_similarity_motion',
  ])('reads %s like the photo report', (name) => {
    const face = report(name, { flagged: ['face_comparison'] });
    expect(mapOnfidoCheck(check([face]), [face]).reasons).toEqual(['CAUTION_FACIAL_COMPARISON']);
  });

  it('reads document report variants as the document report', () => {
    const doc = report('document_with_address_information', {
      subResult: 'suspected',
      flagged: ['police_record'],
    });
    expect(mapOnfidoCheck(check([doc]), [doc]).reasons).toEqual(['SUSPECTED_POLICE_RECORD']);
  });
});

describe('mapOnfidoCheck', () => {
  it('is CLEAR only for a clear check whose reports are all clear', () => {
    const reports = [report('document', { subResult: 'clear' }), report('facial_similarity_photo')];
    const mapped = mapOnfidoCheck(check(reports, 'clear'), reports);
    expect(mapped.reasons).toEqual(['CLEAR']);
    expect(mapped.keys).toEqual([]);
  });

  it('keeps every non-clear reason, in the fixed priority order, whatever the JSON order', () => {
    const doc = report('document', {
      subResult: 'suspected',
      flagged: ['visual_authenticity', 'data_consistency', 'compromised_document'],
    });
    const face = report('facial_similarity_photo', { flagged: ['face_comparison'] });
    const mapped = mapOnfidoCheck(check([doc, face]), [doc, face]);
    expect(mapped.reasons).toEqual([
      'SUSPECTED_COMPROMISED_DOCUMENT',
      'SUSPECTED_DATA_CONSISTENCY',
      'SUSPECTED_VISUAL_CONSISTENCY',
      'CAUTION_FACIAL_COMPARISON',
    ]);
    const reversed = report('document', {
      subResult: 'suspected',
      flagged: ['compromised_document', 'data_consistency', 'visual_authenticity'],
    });
    expect(mapOnfidoCheck(check([reversed, face]), [reversed, face]).reasons).toEqual(
      mapped.reasons,
    );
  });

  it('reads the facial similarity report even when the document already decided', () => {
    const doc = report('document', { subResult: 'rejected', flagged: ['image_integrity'] });
    const face = report('facial_similarity_photo', { flagged: ['visual_authenticity'] });
    expect(mapOnfidoCheck(check([doc, face]), [doc, face]).reasons).toEqual([
      'REJECTED_IMAGE_INTEGRITY',
      'CAUTION_VISUAL_CONSISTENCY',
    ]);
  });

  it.each([
    [
      'an unseen breakdown key',
      report('document', { subResult: 'caution', flagged: ['shiny_hologram'] }),
      'document.caution.shiny_hologram',
    ],
    [
      'the misspelled key CAS looked for',
      report('document', { subResult: 'suspected', flagged: ['visual_consistency'] }),
      'document.suspected.visual_consistency',
    ],
    [
      'a watchlist breakdown the spec does not define',
      report('watchlist_enhanced', { flagged: ['new_list'] }),
      'watchlist.new_list',
    ],
    [
      'an unknown sub_result',
      report('document', { subResult: 'fraudulent', flagged: ['data_validation'] }),
      'document.fraudulent.data_validation',
    ],
    [
      'an unknown sub_result without a breakdown',
      report('document', { result: 'consider', subResult: 'fraudulent' }),
      'document.fraudulent',
    ],
    [
      'consider without a sub_result',
      report('document', { flagged: ['image_integrity'] }),
      'document.none.image_integrity',
    ],
    [
      'an unidentified document',
      report('document', { result: 'unidentified' }),
      'document.result.unidentified',
    ],
    [
      'a report that did not complete',
      report('document', { status: 'cancelled', result: null }),
      'document.status.cancelled',
    ],
    [
      'a watchlist report that did not complete',
      report('watchlist_standard', { status: 'awaiting_data', result: null }),
      'watchlist.status.awaiting_data',
    ],
    [
      'a kind of report the table does not read',
      report('identity_enhanced', { flagged: ['address'] }),
      'identity_enhanced.address',
    ],
    [
      'a facial similarity consider without a known breakdown',
      report('facial_similarity_photo', { flagged: ['new_face_check'] }),
      'facial_similarity.new_face_check',
    ],
  ])('gives UNKNOWN for %s', (_what, odd, key) => {
    const mapped = mapOnfidoCheck(check([odd]), [odd]);
    expect(mapped.reasons).toEqual(['UNKNOWN']);
    expect(mapped.unmatched).toEqual([key]);
  });

  it.each([
    [
      'a breakdown without a row under its sub_result',
      report('document', { subResult: 'rejected', flagged: ['police_record'] }),
      'REJECTED_IMAGE_INTEGRITY',
    ],
    [
      'another breakdown without a row under its sub_result',
      report('document', { subResult: 'suspected', flagged: ['image_integrity'] }),
      'SUSPECTED_COMPROMISED_DOCUMENT',
    ],
    [
      'consider without a non-clear breakdown',
      report('document', { result: 'consider', subResult: 'caution' }),
      'CAUTION_DATA_VALIDATION',
    ],
    [
      'a watchlist report to consider without a non-clear breakdown',
      report('watchlist_standard', { result: 'consider', clear: ['sanction'] }),
      'CAUTION_WATCHLIST',
    ],
  ] as const)(
    'lets the sub_result (or report kind) decide the family for %s',
    (_what, odd, reason) => {
      const mapped = mapOnfidoCheck(check([odd]), [odd]);
      expect(mapped.reasons).toEqual([reason]);
      expect(mapped.unmatched).toEqual([]);
    },
  );

  it.each([
    'watchlist_standard',
    'watchlist_enhanced',
    'watchlist_aml',
    'watchlist_peps_only',
    'watchlist_sanctions_only',
  ])('reads %s as a watchlist report', (name) => {
    const hit = report(name, { flagged: ['politically_exposed_person'] });
    expect(mapOnfidoCheck(check([hit]), [hit]).reasons).toEqual(['CAUTION_WATCHLIST']);
    const clear = report(name, { clear: ['sanction'] });
    expect(mapOnfidoCheck(check([clear], 'clear'), [clear]).reasons).toEqual(['CLEAR']);
  });

  it('ranks an unmapped label after every mapped reason', () => {
    const doc = report('document', {
      subResult: 'caution',
      flagged: ['data_comparison', 'age_validation'],
    });
    const odd = report('identity_enhanced', { flagged: ['address'] });
    const mapped = mapOnfidoCheck(check([doc, odd]), [doc, odd]);
    expect(mapped.reasons).toEqual([
      'CAUTION_DATA_COMPARISON',
      'CAUTION_DATA_VALIDATION',
      'UNKNOWN',
    ]);
    expect(mapped.unmatched).toEqual(['identity_enhanced.address']);
  });

  it('gives UNKNOWN when a report of the check is missing, even if the check says clear', () => {
    const doc = report('document', { subResult: 'clear' });
    const missing = { ...check([doc], 'clear'), report_ids: [doc.id, 'report-gone'] };
    expect(mapOnfidoCheck(missing, [doc]).reasons).toEqual(['UNKNOWN']);
  });

  it('gives UNKNOWN for a check without reports, and for consider with only clear reports', () => {
    expect(mapOnfidoCheck(check([], 'clear'), []).reasons).toEqual(['UNKNOWN']);
    const doc = report('document', { subResult: 'clear' });
    const mapped = mapOnfidoCheck(check([doc], 'consider'), [doc]);
    expect(mapped.reasons).toEqual(['UNKNOWN']);
    expect(mapped.keys).toEqual(['check.result.consider']);
  });

  it('ignores breakdowns whose result is null (not run)', () => {
    const doc = report('document', { subResult: 'caution', flagged: ['data_comparison'] });
    (doc.breakdown as Record<string, unknown>)['police_record'] = { result: null };
    expect(reportKeys(doc)).toEqual(['document.caution.data_comparison']);
  });

  it('keeps the labels: check result, report results, sub_result, non-clear breakdowns', () => {
    const doc = report('document', {
      subResult: 'caution',
      flagged: ['data_comparison'],
      clear: ['image_integrity'],
    });
    const mapped = mapOnfidoCheck(check([doc]), [doc]);
    expect(mapped.labels).toEqual([
      { source: 'check.status', value: 'complete' },
      { source: 'check.result', value: 'consider' },
      { source: 'document.result', value: 'consider' },
      { source: 'document.sub_result', value: 'caution' },
      { source: 'document.breakdown.data_comparison', value: 'consider' },
    ]);
  });
});

describe('extractPerson', () => {
  it('reads the document report properties', () => {
    const doc = report('document', {
      subResult: 'clear',
      properties: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        date_of_birth: '1815-12-10',
        date_of_expiry: '2030-06-30',
        document_type: 'passport',
        document_numbers: [
          { type: 'personal_number', value: 'X-1' },
          { type: 'document_number', value: '987654321' },
        ],
        nationality: 'GBR',
        issuing_country: 'GBR',
      },
    });
    expect(extractPerson([report('facial_similarity_photo'), doc])).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      dateOfBirth: '1815-12-10',
      documentExpiry: '2030-06-30',
      documentType: 'passport',
      documentNumber: '987654321',
      nationality: 'GBR',
      issuingCountry: 'GBR',
    });
  });

  it('returns null without a document report or without properties, and skips odd values', () => {
    expect(extractPerson([report('facial_similarity_photo')])).toBeNull();
    expect(extractPerson([report('document', { properties: {} })])).toBeNull();
    const odd = report('document', {
      properties: { first_name: 42, last_name: ' Byron ', document_numbers: 'n/a' },
    });
    expect(extractPerson([odd])).toEqual({ lastName: 'Byron' });
  });
});

describe('ONFIDO_WORKFLOW_MAPPING, row by row', () => {
  const evidence = [
    'SUSPECTED_POLICE_RECORD',
    'REJECTED_IMAGE_INTEGRITY',
    'CAUTION_DATA_COMPARISON',
    'CLEAR',
  ];
  it.each([
    ['approved', true, evidence, ['CLEAR']],
    [
      'declined',
      true,
      evidence,
      ['SUSPECTED_POLICE_RECORD', 'REJECTED_IMAGE_INTEGRITY', 'CAUTION_DATA_COMPARISON'],
    ],
    ['declined', true, ['CLEAR'], ['UNKNOWN']],
    ['review', true, evidence, ['CAUTION_DATA_COMPARISON']],
    ['review', true, ['SUSPECTED_POLICE_RECORD'], ['UNKNOWN']],
    ['abandoned', true, evidence, ['EXPIRED']],
    ['error', true, evidence, ['UNKNOWN']],
    ['processing', false, [], ['UNKNOWN']],
    ['awaiting_input', false, [], ['UNKNOWN']],
    ['awaiting_client_input', false, [], ['UNKNOWN']],
    ['some_new_status', true, evidence, ['UNKNOWN']],
  ] as const)('%s (final %s) with %j → %j', (status, final, found, reasons) => {
    const row = workflowRow(status);
    expect(row.final).toBe(final);
    if (final) expect(workflowReasons(row, found)).toEqual(reasons);
  });

  it('takes run reasons named after reason codes and ignores other strings', () => {
    const row = workflowRow('declined');
    expect(workflowReasons(row, ['document_fraud', 'SUSPECTED_COMPROMISED_DOCUMENT'])).toEqual([
      'SUSPECTED_COMPROMISED_DOCUMENT',
    ]);
  });

  it('lists every Studio status once', () => {
    const statuses = ONFIDO_WORKFLOW_MAPPING.map((row) => row.status);
    expect(new Set(statuses)).toEqual(
      new Set([
        'approved',
        'declined',
        'review',
        'abandoned',
        'error',
        'processing',
        'awaiting_input',
        'awaiting_client_input',
      ]),
    );
  });
});
