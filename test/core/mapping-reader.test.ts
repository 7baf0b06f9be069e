/**
 * The kit's fail-closed mapping reader and person helper, on their own: every
 * adapter's verdict goes through them, so what they promise is checked here
 * once, independent of any provider's table.
 */
import {
  decideOutcome,
  findMappingRow,
  type MappingRow,
  mapLabels,
  mappingTable,
  personFrom,
  type ReasonCode,
  readMapping,
} from 'idv-providers/kit';
import { describe, expect, it } from 'vitest';

const ROWS: readonly MappingRow[] = [
  { key: 'doc.ok', reason: 'CLEAR' },
  { key: 'doc.blurred', reason: 'REJECTED_IMAGE_INTEGRITY', source: 'vendor docs §4' },
  { key: 'doc.fake', reason: 'SUSPECTED_COMPROMISED_DOCUMENT' },
  { key: 'doc.expiring', reason: 'CAUTION_DATA_VALIDATION' },
  { key: 'face.REJECTED.NO_MATCH', reason: 'SUSPECTED_FACE_COMPARISON', decision: 'REJECTED' },
  { key: '*.NOT_EXECUTED.SKIPPED', reason: null, capability: '*', decision: 'NOT_EXECUTED' },
  { key: 'decision.REJECTED', reason: null },
];
const TABLE = mappingTable(ROWS);

/** Names every object inherits, and a few that look like table internals. */
const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'prototype',
  'byKey',
  'rows',
];

async function statusOf(reasons: ReasonCode[]): Promise<string> {
  const result = await decideOutcome(
    { session: { provider: 'test' }, pending: false, reasons },
    { autoRegistration: true },
  );
  return result.status;
}

describe('readMapping: matches', () => {
  it('gives each row its reason', () => {
    for (const row of ROWS) {
      if (row.reason === null) continue;
      const reading = readMapping(TABLE, [row.key]);
      expect(reading.reasons).toEqual([row.reason]);
      expect(reading.unmatched).toEqual([]);
      expect(reading.matched).toEqual([row]);
    }
  });

  it('accepts the rows themselves as well as a built table', () => {
    expect(readMapping(ROWS, ['doc.fake', 'doc.hologram'])).toEqual(
      readMapping(TABLE, ['doc.fake', 'doc.hologram']),
    );
  });

  it('is CLEAR only when every label is a CLEAR row', async () => {
    const clear = readMapping(TABLE, ['doc.ok', 'doc.ok']);
    expect(clear.reasons).toEqual(['CLEAR']);
    expect(await statusOf(clear.reasons)).toBe('registered');
    expect(readMapping(TABLE, ['doc.ok', 'doc.expiring']).reasons).toEqual([
      'CAUTION_DATA_VALIDATION',
    ]);
  });

  it('tries the fallback keys in turn when the key has no row', () => {
    const reading = readMapping(TABLE, [
      { key: 'face.REJECTED.NO_MATCH', fallbacks: ['*.REJECTED.NO_MATCH'] },
      { key: 'liveness.REJECTED.BLURRED', fallbacks: ['nothing.here', 'doc.blurred'] },
    ]);
    expect(reading.reasons).toEqual(['SUSPECTED_FACE_COMPARISON', 'REJECTED_IMAGE_INTEGRITY']);
    expect(reading.unmatched).toEqual([]);
    expect(findMappingRow(TABLE, 'x.NOT_EXECUTED.SKIPPED', ['*.NOT_EXECUTED.SKIPPED'])).toBe(
      ROWS[5],
    );
    expect(findMappingRow(TABLE, 'doc.fake', ['doc.ok'])).toBe(ROWS[2]);
  });
});

describe('readMapping: fails closed', () => {
  it('gives UNKNOWN for a key no row has, reports it, and never registers', async () => {
    const reading = readMapping(TABLE, ['doc.ok', 'doc.hologram']);
    expect(reading.reasons).toEqual(['UNKNOWN']);
    expect(reading.unmatched).toEqual(['doc.hologram']);
    expect(await statusOf(reading.reasons)).toBe('awaiting_registration');
  });

  it('reports the key, not a fallback, when nothing matches', () => {
    const reading = readMapping(TABLE, [{ key: 'face.WARNING.ODD', fallbacks: ['*.WARNING.ODD'] }]);
    expect(reading.unmatched).toEqual(['face.WARNING.ODD']);
    expect(reading.reasons).toEqual(['UNKNOWN']);
  });

  it('matches keys exactly: no prefix, no case folding, no trimming', () => {
    for (const key of ['doc', 'doc.', 'DOC.OK', ' doc.ok', 'doc.ok ', 'doc.ok.extra', '']) {
      expect(readMapping(TABLE, [key]), key).toMatchObject({
        reasons: ['UNKNOWN'],
        unmatched: [key],
      });
    }
  });

  it.each(PROTOTYPE_NAMES)('finds no row for the inherited name %s', async (name) => {
    for (const key of [name, `doc.${name}`]) {
      const reading = readMapping(TABLE, [key, { key, fallbacks: [name] }]);
      expect(reading.reasons).toEqual(['UNKNOWN']);
      expect(reading.unmatched).toEqual([key, key]);
      expect(reading.matched).toEqual([]);
      expect(findMappingRow(TABLE, key, [name])).toBeUndefined();
      expect(await statusOf(reading.reasons)).not.toBe('registered');
    }
  });

  it('reads a table that has a row named like an inherited member as data', () => {
    const odd = mappingTable([
      { key: 'constructor', reason: 'CLEAR' },
      { key: '__proto__', reason: 'CAUTION_WATCHLIST' },
    ]);
    expect(readMapping(odd, ['constructor']).reasons).toEqual(['CLEAR']);
    expect(readMapping(odd, ['__proto__']).reasons).toEqual(['CAUTION_WATCHLIST']);
    expect(readMapping(odd, ['toString']).reasons).toEqual(['UNKNOWN']);
  });

  it('is UNKNOWN when it reads nothing at all', () => {
    expect(readMapping(TABLE, [])).toEqual({
      reasons: ['UNKNOWN'],
      matched: [],
      unmatched: [],
      providerLabels: [],
    });
    expect(readMapping(TABLE, [{ label: { source: 'status', value: 'done' } }]).reasons).toEqual([
      'UNKNOWN',
    ]);
  });

  it('keeps an unknown label beside the known reasons, ranked after them', () => {
    expect(readMapping(TABLE, ['doc.hologram', 'doc.expiring']).reasons).toEqual([
      'CAUTION_DATA_VALIDATION',
      'UNKNOWN',
    ]);
    expect(readMapping(TABLE, ['doc.fake', 'doc.hologram']).reasons).toEqual([
      'SUSPECTED_COMPROMISED_DOCUMENT',
      'UNKNOWN',
    ]);
  });

  it('makes a label that needs explaining UNKNOWN unless another label explains it', () => {
    expect(readMapping(TABLE, ['decision.REJECTED']).reasons).toEqual(['UNKNOWN']);
    expect(readMapping(TABLE, ['decision.REJECTED', 'doc.ok']).reasons).toEqual(['UNKNOWN']);
    const skipped = { key: 'x.NOT_EXECUTED.SKIPPED', fallbacks: ['*.NOT_EXECUTED.SKIPPED'] };
    expect(readMapping(TABLE, [skipped, 'doc.ok']).reasons).toEqual(['UNKNOWN']);
    const explained = readMapping(TABLE, ['decision.REJECTED', skipped, 'doc.blurred']);
    expect(explained.reasons).toEqual(['REJECTED_IMAGE_INTEGRITY']);
    expect(explained.matched.map((row) => row.key)).toEqual([
      'decision.REJECTED',
      '*.NOT_EXECUTED.SKIPPED',
      'doc.blurred',
    ]);
  });
});

describe('readMapping: priority', () => {
  it('orders the reasons by the fixed priority, whatever order the labels came in', () => {
    const labels = ['doc.expiring', 'doc.ok', 'doc.blurred', 'doc.fake'];
    const expected = [
      'SUSPECTED_COMPROMISED_DOCUMENT',
      'REJECTED_IMAGE_INTEGRITY',
      'CAUTION_DATA_VALIDATION',
    ];
    expect(readMapping(TABLE, labels).reasons).toEqual(expected);
    expect(readMapping(TABLE, [...labels].reverse()).reasons).toEqual(expected);
  });

  it('lists a reason once however many labels give it', () => {
    expect(readMapping(TABLE, ['doc.fake', 'doc.fake', 'doc.blurred']).reasons).toEqual([
      'SUSPECTED_COMPROMISED_DOCUMENT',
      'REJECTED_IMAGE_INTEGRITY',
    ]);
  });
});

describe('readMapping: audit labels', () => {
  it('keeps the provider labels in the order read, looked up or not', () => {
    const reading = readMapping(TABLE, [
      { label: { source: 'workflow.status', value: 'PROCESSED' } },
      { key: 'doc.fake', label: { source: 'checks.document', value: 'FAKE' } },
      'doc.blurred',
      { key: 'doc.hologram', label: { source: 'checks.document', value: 'HOLOGRAM' } },
    ]);
    expect(reading.providerLabels).toEqual([
      { source: 'workflow.status', value: 'PROCESSED' },
      { source: 'checks.document', value: 'FAKE' },
      { source: 'checks.document', value: 'HOLOGRAM' },
    ]);
    expect(reading.unmatched).toEqual(['doc.hologram']);
    expect(reading.matched.map((row) => row.source)).toEqual([undefined, 'vendor docs §4']);
  });
});

describe('mappingTable', () => {
  it('refuses two rows for one key', () => {
    expect(() =>
      mappingTable([
        { key: 'doc.fake', reason: 'SUSPECTED_COMPROMISED_DOCUMENT' },
        { key: 'doc.fake', reason: 'CLEAR' },
      ]),
    ).toThrow('two rows for "doc.fake"');
  });

  it('refuses a row whose reason is not a reason code', () => {
    expect(() => mappingTable([{ key: 'doc.ok', reason: 'CLAER' as ReasonCode }])).toThrow(
      'not a reason code',
    );
  });
});

describe('mapLabels (the raw form)', () => {
  it('keeps the order of the keys and one UNKNOWN per unmatched key', () => {
    expect(mapLabels(ROWS, ['doc.expiring', 'doc.hologram', 'doc.fake', 'constructor'])).toEqual({
      reasons: ['CAUTION_DATA_VALIDATION', 'UNKNOWN', 'SUSPECTED_COMPROMISED_DOCUMENT', 'UNKNOWN'],
      unmatched: ['doc.hologram', 'constructor'],
    });
  });
});

describe('personFrom', () => {
  const FIELDS = {
    firstName: 'given',
    lastName: ['family', 'surname'],
    dateOfBirth: 'dob',
    documentType: 'kind',
    documentNumber: (record: Readonly<Record<string, unknown>>) =>
      (record['numbers'] as string[] | undefined)?.[0],
    nationality: 'nationality',
    issuingCountry: 'country',
    documentExpiry: 'expires',
  } as const;

  it('reads every field through its aliases', () => {
    expect(
      personFrom(
        {
          given: 'Ada',
          surname: 'Lovelace',
          dob: '1815-12-10',
          kind: 'passport',
          numbers: ['P123'],
          nationality: 'GBR',
          country: 'GBR',
          expires: '2030-06-30',
          unrelated: 'ignored',
        },
        FIELDS,
      ),
    ).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      dateOfBirth: '1815-12-10',
      documentType: 'passport',
      documentNumber: 'P123',
      nationality: 'GBR',
      issuingCountry: 'GBR',
      documentExpiry: '2030-06-30',
    });
  });

  it('takes the first alias with a usable value', () => {
    expect(personFrom({ family: '  ', surname: 'Byron' }, FIELDS)).toEqual({ lastName: 'Byron' });
    expect(personFrom({ family: 'King', surname: 'Byron' }, FIELDS)).toEqual({ lastName: 'King' });
  });

  it('trims every value and makes runs of spaces in names single', () => {
    expect(
      personFrom(
        { given: '  MARÍA \t JOSÉ ', family: ' GARCÍA  LÓPEZ', kind: ' ID_CARD ' },
        FIELDS,
      ),
    ).toEqual({ firstName: 'MARÍA JOSÉ', lastName: 'GARCÍA LÓPEZ', documentType: 'ID_CARD' });
  });

  it('gives dates as YYYY-MM-DD: a time is cut off, a value that is no date is left out', () => {
    expect(
      personFrom({ dob: '1984-02-29T00:00:00Z', expires: '2030-01-31 12:00' }, FIELDS),
    ).toEqual({ dateOfBirth: '1984-02-29', documentExpiry: '2030-01-31' });
    for (const odd of ['1985-02-29', '1990-13-01', '10/12/1815', '1815-12-1', '18151210', 'soon']) {
      expect(personFrom({ given: 'Ada', dob: odd, expires: odd }, FIELDS), odd).toEqual({
        firstName: 'Ada',
      });
    }
  });

  it('leaves out empty and non-text values, and is null when nothing is left', () => {
    expect(
      personFrom({ given: '', family: 42, dob: null, kind: { a: 1 }, numbers: [7] }, FIELDS),
    ).toBe(null);
    expect(personFrom({}, FIELDS)).toBeNull();
    for (const notARecord of [null, undefined, 'Ada', 42, ['Ada']]) {
      expect(personFrom(notARecord, FIELDS)).toBeNull();
    }
  });

  it('reads own entries only', () => {
    const inherited = Object.create({ given: 'Inherited' }) as Record<string, unknown>;
    inherited['family'] = 'Own';
    expect(personFrom(inherited, FIELDS)).toEqual({ lastName: 'Own' });
    expect(personFrom({ given: 'Ada' }, { firstName: 'constructor', lastName: '__proto__' })).toBe(
      null,
    );
  });

  it('reads only the fields it is given aliases for', () => {
    expect(personFrom({ given: 'Ada', dob: '1815-12-10' }, { firstName: 'given' })).toEqual({
      firstName: 'Ada',
    });
  });
});

describe('the adapters read through it', () => {
  it('Jumio KYX: an unknown decision type is UNKNOWN even beside a known failure', async () => {
    const { mapJumioVerdict } = await import('idv-providers/jumio');
    const mapped = mapJumioVerdict({
      workflow: { id: 'w', status: 'PROCESSED' },
      account: { id: 'a' },
      credentials: [],
      decision: { type: 'MAYBE' },
      capabilities: {
        imageChecks: [{ decision: { type: 'REJECTED', details: { label: 'FAKE' } } }],
      },
    } as never);
    expect(mapped.reasons).toEqual(['SUSPECTED_COMPROMISED_DOCUMENT', 'UNKNOWN']);
    expect(mapped.unmatched).toEqual(['decision.MAYBE']);
  });

  it.each(PROTOTYPE_NAMES)('no adapter finds a row for %s', async (name) => {
    const { mapJumioVerdict, mapNetverifyVerdict } = await import('idv-providers/jumio');
    const { mapOnfidoCheck } = await import('idv-providers/onfido');
    const kyx = mapJumioVerdict({
      workflow: { id: 'w', status: 'PROCESSED' },
      account: { id: 'a' },
      credentials: [],
      decision: { type: name },
      capabilities: { [name]: [{ decision: { type: name, details: { label: name } } }] },
    } as never);
    expect(kyx.reasons).toEqual(['UNKNOWN']);
    const scan = mapNetverifyVerdict({ scanReference: 's', document: { status: name } });
    expect(scan.reasons).toEqual(['UNKNOWN']);
    const report = {
      id: 'r',
      name: 'document',
      status: 'complete',
      result: 'consider',
      sub_result: 'suspected',
      breakdown: { [name]: { result: 'consider' } },
    };
    const check = { id: 'c', status: 'complete', result: 'consider', report_ids: ['r'] };
    expect(mapOnfidoCheck(check as never, [report as never]).reasons).toEqual(['UNKNOWN']);
  });
});
