/**
 * The result mappers under generated verdicts: Onfido checks and reports,
 * Studio run statuses, Jumio KYX workflow details (decision, capabilities,
 * labels) and Netverify scan data. Whatever the provider answers, a mapper
 * returns known reason codes; a label it has no row for yields `UNKNOWN`, and a
 * verdict with such a label is never `CLEAR` and never `registered`, even with
 * auto-registration on.
 */

import fc from 'fast-check';
import { isReasonCode, type ReasonCode } from 'idv-providers';
import {
  JUMIO_DECISION_TABLE,
  JUMIO_MAPPING,
  JUMIO_WORKFLOW_STATUSES,
  mapJumioVerdict,
  mapNetverifyVerdict,
  mapWorkflowStatus,
  NETVERIFY_MAPPING,
  type WorkflowDetails,
} from 'idv-providers/jumio';
import { decideOutcome } from 'idv-providers/kit';
import {
  extractPerson,
  mapOnfidoCheck,
  ONFIDO_MAPPING,
  type OnfidoCheck,
  type OnfidoReport,
  workflowReasons,
  workflowRow,
} from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { INHERITED_NAMES, PARAMETERS } from './fuzz';

/** The status a mapping leads to with auto-registration on (the only way to `registered`). */
async function statusOf(reasons: ReasonCode[]): Promise<string> {
  const result = await decideOutcome(
    { session: { provider: 'fuzz' }, pending: false, reasons },
    { autoRegistration: true },
  );
  return result.status;
}

function expectKnownReasons(reasons: readonly unknown[]): void {
  expect(reasons.length).toBeGreaterThan(0);
  for (const reason of reasons) expect(isReasonCode(reason), String(reason)).toBe(true);
}

/** Names objects inherit (`constructor`, `toString`, `__proto__`, ...): a lookup in a plain object must not find them. */
const inherited = fc.constantFrom(...INHERITED_NAMES);
const word = fc.oneof(fc.stringMatching(/^[a-z_]{1,24}$/), inherited);
const label = fc.oneof(fc.stringMatching(/^[A-Z_]{1,30}$/), inherited);
const text = (max: number) => fc.oneof(fc.string({ maxLength: max }), inherited);

// ---------------------------------------------------------------- Onfido

const ONFIDO_KEYS = new Set(ONFIDO_MAPPING.map((row) => row.key));
const ONFIDO_BREAKDOWNS = [
  ...new Set(ONFIDO_MAPPING.map((row) => row.key.split('.').at(-1) as string)),
];
const REPORT_NAMES = [
  'document',
  'document_with_address_information',
  'facial_similarity_photo',
  'facial_similarity_video',
  'facial_similarity_motion',
  'known_faces',
  'watchlist_standard',
];
const result = fc.oneof(
  fc.constantFrom('clear', 'consider', 'unidentified', null, undefined),
  text(12),
);
const breakdownEntry = fc.option(
  fc.record(
    {
      result,
      breakdown: fc.option(fc.dictionary(word, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
    },
    { requiredKeys: [] },
  ),
);

function onfidoReport(breakdownKey: fc.Arbitrary<string>): fc.Arbitrary<OnfidoReport> {
  return fc.record(
    {
      id: fc.string({ minLength: 1, maxLength: 12 }),
      name: fc.oneof(fc.constantFrom(...REPORT_NAMES), word),
      status: fc.oneof(fc.constant('complete'), fc.constantFrom('awaiting_data', 'paused'), word),
      result,
      sub_result: fc.oneof(
        fc.constantFrom('clear', 'rejected', 'suspected', 'caution', null, undefined),
        word,
      ),
      breakdown: fc.option(fc.dictionary(breakdownKey, breakdownEntry, { maxKeys: 5 }), {
        nil: undefined,
      }),
      properties: fc.option(
        fc.record({
          first_name: fc.jsonValue({ maxDepth: 1 }),
          last_name: fc.string(),
          date_of_birth: fc.string(),
          document_numbers: fc.jsonValue({ maxDepth: 3 }),
        }),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['id', 'name', 'status'] },
  ) as fc.Arbitrary<OnfidoReport>;
}

function onfidoCheck(reports: OnfidoReport[]): fc.Arbitrary<OnfidoCheck> {
  return fc.record(
    {
      id: fc.constant('check-1'),
      status: fc.constantFrom('complete', 'in_progress'),
      result: fc.oneof(fc.constantFrom('clear', 'consider', null, undefined), word),
      report_ids: fc.oneof(
        fc.constant(reports.map((r) => r.id)),
        fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }),
        fc.constant(null),
      ),
    },
    { requiredKeys: ['id', 'status'] },
  ) as fc.Arbitrary<OnfidoCheck>;
}

const anyOnfidoVerdict = fc
  .array(onfidoReport(fc.oneof(fc.constantFrom(...ONFIDO_BREAKDOWNS), word)), { maxLength: 4 })
  .chain((reports) => fc.tuple(onfidoCheck(reports), fc.constant(reports)));

function onfidoPrefix(name: string): string {
  if (name === 'document') return 'document.suspected';
  return name.startsWith('facial_similarity') ? 'facial_similarity' : name;
}

/** Reports that raise at least one label the table lacks. */
const unknownOnfidoVerdict = fc
  .tuple(
    fc.array(onfidoReport(fc.constantFrom(...ONFIDO_BREAKDOWNS)), { maxLength: 3 }),
    fc.oneof(
      // a flagged breakdown the table has no row for
      fc
        .tuple(fc.constantFrom('document', 'facial_similarity_photo', 'known_faces'), word)
        .filter(([name, key]) => !ONFIDO_KEYS.has(`${onfidoPrefix(name)}.${key}`))
        .map(([name, key]) => ({
          id: 'unknown-1',
          name,
          status: 'complete',
          result: 'consider',
          sub_result: name === 'document' ? 'suspected' : null,
          breakdown: { [key]: { result: 'consider' } },
        })),
      // a sub_result the table does not know
      word
        .filter((sub) => !['clear', 'rejected', 'suspected', 'caution'].includes(sub))
        .map((sub) => ({
          id: 'unknown-2',
          name: 'document',
          status: 'complete',
          result: 'consider',
          sub_result: sub,
          breakdown: { image_integrity: { result: 'consider' } },
        })),
      // a report result that is neither clear nor consider
      fc.oneof(word, fc.constant('unidentified')).map((value) => ({
        id: 'unknown-3',
        name: 'document',
        status: 'complete',
        result: value === 'clear' || value === 'consider' ? 'unidentified' : value,
      })),
      // a report of a kind the table does not know, flagged
      word
        .filter((name) => !['document', 'known_faces'].includes(name))
        .filter((name) => !name.startsWith('facial_similarity'))
        .map((name) => ({
          id: 'unknown-4',
          name,
          status: 'complete',
          result: 'consider',
          breakdown: { anything: { result: 'consider' } },
        })),
    ),
  )
  .map(([known, unknown]) => {
    const reports = [...known, unknown as OnfidoReport];
    const check: OnfidoCheck = {
      id: 'check-1',
      status: 'complete',
      result: 'clear',
      report_ids: reports.map((r) => r.id),
    };
    return [check, reports] as const;
  });

describe('Onfido mapOnfidoCheck, fuzzed', () => {
  it('gives known reasons for any check, and CLEAR only for a clear check without a key', async () => {
    await fc.assert(
      fc.asyncProperty(anyOnfidoVerdict, async ([check, reports]) => {
        const mapped = mapOnfidoCheck(check, reports);
        expectKnownReasons(mapped.reasons);
        expect(mapped.unmatched.every((key) => !ONFIDO_KEYS.has(key))).toBe(true);
        const clear = check.result === 'clear' && mapped.keys.length === 0;
        expect(mapped.reasons[0] === 'CLEAR').toBe(clear);
        if (mapped.unmatched.length > 0) expect(mapped.reasons).toContain('UNKNOWN');
        expect((await statusOf(mapped.reasons)) === 'registered').toBe(clear);
        const person = extractPerson(reports);
        if (person !== null) {
          for (const value of Object.values(person)) expect(typeof value).toBe('string');
        }
      }),
      PARAMETERS,
    );
  });

  it('never registers a check with a label it does not recognise', async () => {
    await fc.assert(
      fc.asyncProperty(unknownOnfidoVerdict, async ([check, reports]) => {
        const mapped = mapOnfidoCheck(check, reports);
        expectKnownReasons(mapped.reasons);
        expect(mapped.unmatched.length).toBeGreaterThan(0);
        expect(mapped.reasons).toContain('UNKNOWN');
        expect(mapped.reasons[0]).not.toBe('CLEAR');
        expect(await statusOf(mapped.reasons)).not.toBe('registered');
      }),
      PARAMETERS,
    );
  });

  it('maps any Studio run status and reasons, CLEAR only for approved', async () => {
    const status = fc.oneof(
      fc.constantFrom('approved', 'declined', 'review', 'abandoned', 'error', 'processing'),
      text(20),
    );
    const evidence = fc.array(fc.oneof(fc.constantFrom('CLEAR', 'UNKNOWN', 'EXPIRED'), text(30)), {
      maxLength: 5,
    });
    await fc.assert(
      fc.asyncProperty(status, evidence, async (value, reasons) => {
        const row = workflowRow(value);
        if (!row.final) return;
        const mapped = workflowReasons(row, reasons);
        expectKnownReasons(mapped);
        if (value !== 'approved') {
          expect(mapped).not.toContain('CLEAR');
          expect(await statusOf(mapped)).not.toBe('registered');
        }
      }),
      PARAMETERS,
    );
  });
});

// ---------------------------------------------------------------- Jumio KYX

const JUMIO_CAPABILITIES = [...new Set(JUMIO_MAPPING.map((row) => row.capability))].filter(
  (c) => c !== '*',
);
const JUMIO_LABELS = [...new Set(JUMIO_MAPPING.map((row) => row.label))];
const DECISION_TYPES = Object.keys(JUMIO_DECISION_TABLE);

type Entry = { decision: { type: string; details?: { label?: string } }; data?: unknown };

const decisionType = fc.oneof(fc.constantFrom(...DECISION_TYPES), label);
/** The workflow's own decision type, `Object.prototype` member names included. */
const workflowDecisionType = fc.oneof(fc.constantFrom(...DECISION_TYPES), label);
const capabilityEntry = (labels: fc.Arbitrary<string>): fc.Arbitrary<Entry> =>
  fc.record(
    {
      decision: fc.record(
        { type: decisionType, details: fc.record({ label: labels }, { requiredKeys: [] }) },
        { requiredKeys: ['type'] },
      ),
      data: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['decision'] },
  );

function workflowDetails(
  capabilities: fc.Arbitrary<Record<string, Entry[]>>,
): fc.Arbitrary<WorkflowDetails> {
  return fc.record(
    {
      workflow: fc.record({
        id: fc.constant('workflow-1'),
        status: fc.oneof(
          fc.constant('PROCESSED'),
          fc.constantFrom(...Object.keys(JUMIO_WORKFLOW_STATUSES)),
          label,
        ),
      }),
      account: fc.constant({ id: 'account-1' }),
      credentials: fc.constant([]),
      decision: fc.record(
        { type: workflowDecisionType, details: fc.record({ label }, { requiredKeys: [] }) },
        { requiredKeys: ['type'] },
      ),
      capabilities,
    },
    { requiredKeys: ['workflow', 'account', 'credentials'] },
  ) as fc.Arbitrary<WorkflowDetails>;
}

const anyCapabilities = fc.dictionary(
  fc.oneof(
    fc.constantFrom(...JUMIO_CAPABILITIES),
    fc.stringMatching(/^[a-zA-Z]{1,16}$/),
    inherited,
  ),
  fc.array(capabilityEntry(fc.oneof(fc.constantFrom(...JUMIO_LABELS), label)), { maxLength: 3 }),
  { maxKeys: 5 },
);

/** Details with at least one capability label no row matches. */
const unknownJumioDetails = fc
  .tuple(
    workflowDetails(anyCapabilities),
    fc.oneof(fc.constantFrom(...JUMIO_CAPABILITIES), fc.stringMatching(/^[a-zA-Z]{1,16}$/)),
    fc.constantFrom('PASSED', 'REJECTED', 'WARNING', 'NOT_EXECUTED'),
    label.filter((l) => !JUMIO_LABELS.includes(l) && l !== ''),
  )
  .map(([details, capability, type, unknown]) => {
    const present = details.capabilities ?? {};
    const entries = Object.hasOwn(present, capability) ? [...(present[capability] ?? [])] : [];
    entries.push({ decision: { type, details: { label: unknown } } });
    return {
      ...details,
      workflow: { ...details.workflow, status: 'PROCESSED' },
      capabilities: { ...details.capabilities, [capability]: entries },
    } as WorkflowDetails;
  });

describe('Jumio mapJumioVerdict, fuzzed', () => {
  it('gives known reasons for any workflow, and CLEAR only when every check passed', async () => {
    await fc.assert(
      fc.asyncProperty(workflowDetails(anyCapabilities), async (details) => {
        const mapped = mapJumioVerdict(details);
        if (mapped.pending) {
          expect(mapped.reasons).toEqual([]);
          return;
        }
        expectKnownReasons(mapped.reasons);
        if (mapped.unmatched.length > 0) expect(mapped.reasons).toContain('UNKNOWN');
        const registered = (await statusOf(mapped.reasons)) === 'registered';
        expect(registered).toBe(mapped.reasons[0] === 'CLEAR');
        if (registered) {
          expect(details.workflow.status).toBe('PROCESSED');
          expect(details.decision?.type).toBe('PASSED');
          for (const entries of Object.values(details.capabilities ?? {})) {
            for (const entry of entries) expect(entry.decision.type).toBe('PASSED');
          }
        }
      }),
      PARAMETERS,
    );
  });

  it('never registers a workflow with a capability label it does not recognise', async () => {
    await fc.assert(
      fc.asyncProperty(unknownJumioDetails, async (details) => {
        const mapped = mapJumioVerdict(details);
        expectKnownReasons(mapped.reasons);
        expect(mapped.unmatched.length).toBeGreaterThan(0);
        expect(mapped.reasons).toContain('UNKNOWN');
        expect(mapped.reasons[0]).not.toBe('CLEAR');
        expect(await statusOf(mapped.reasons)).not.toBe('registered');
      }),
      PARAMETERS,
    );
  });

  it('never registers a workflow decision type it does not recognise', async () => {
    const unknownType = workflowDecisionType.filter((t) => !DECISION_TYPES.includes(t));
    await fc.assert(
      fc.asyncProperty(workflowDetails(anyCapabilities), unknownType, async (details, type) => {
        const mapped = mapJumioVerdict({
          ...details,
          workflow: { ...details.workflow, status: 'PROCESSED' },
          decision: { type },
        });
        expectKnownReasons(mapped.reasons);
        expect(mapped.unmatched).toContain(`decision.${type}`);
        expect(await statusOf(mapped.reasons)).not.toBe('registered');
      }),
      PARAMETERS,
    );
  });

  it('maps any workflow status alone to pending, EXPIRED or UNKNOWN, never CLEAR', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...Object.keys(JUMIO_WORKFLOW_STATUSES)), fc.string()),
        (status) => {
          const mapped = mapWorkflowStatus(status);
          if (mapped.pending) expect(mapped.reasons).toEqual([]);
          else expect(['EXPIRED', 'UNKNOWN']).toContain(mapped.reasons[0]);
        },
      ),
      PARAMETERS,
    );
  });
});

// ---------------------------------------------------------------- Netverify

const NETVERIFY_STATUSES = [
  'APPROVED_VERIFIED',
  'DENIED_FRAUD',
  'ERROR_NOT_READABLE_ID',
  'NO_ID_UPLOADED',
  'DENIED_UNSUPPORTED_ID_TYPE',
  'DENIED_UNSUPPORTED_ID_COUNTRY',
];
const NETVERIFY_CODES = [
  ...new Set(
    NETVERIFY_MAPPING.map((row) => row.key.split('.')[1] as string).filter((c) => /^\d+$/.test(c)),
  ),
];
const SIMILARITY = ['MATCH', 'NO_MATCH', 'NOT_POSSIBLE'];
const IDENTITY_REASONS = NETVERIFY_MAPPING.filter((row) =>
  row.key.startsWith('identityVerification.reason.'),
).map((row) => row.key.split('.')[2] as string);

type ScanData = Parameters<typeof mapNetverifyVerdict>[0];

const scanData = (status: fc.Arbitrary<string>): fc.Arbitrary<ScanData> =>
  fc.record(
    {
      scanReference: fc.constant('scan-1'),
      document: fc.record(
        {
          status,
          type: fc.string({ maxLength: 10 }),
          firstName: fc.string({ maxLength: 10 }),
          dob: fc.string({ maxLength: 10 }),
        },
        { requiredKeys: ['status'] },
      ),
      verification: fc.record(
        {
          rejectReason: fc.record(
            {
              rejectReasonCode: fc.oneof(fc.constantFrom(...NETVERIFY_CODES), text(6)),
              rejectReasonDescription: fc.string({ maxLength: 20 }),
            },
            { requiredKeys: [] },
          ),
          identityVerification: fc.record(
            {
              similarity: fc.oneof(fc.constantFrom(...SIMILARITY), label),
              validity: fc.boolean(),
              reason: fc.oneof(fc.constantFrom(...IDENTITY_REASONS), label),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['scanReference', 'document'] },
  ) as fc.Arbitrary<ScanData>;

describe('Jumio mapNetverifyVerdict, fuzzed', () => {
  it('gives known reasons for any scan, and CLEAR only for an approved, matching one', async () => {
    await fc.assert(
      fc.asyncProperty(
        scanData(fc.oneof(fc.constantFrom(...NETVERIFY_STATUSES), label)),
        async (data) => {
          const mapped = mapNetverifyVerdict(data);
          expectKnownReasons(mapped.reasons);
          if (mapped.unmatched.length > 0) expect(mapped.reasons).toContain('UNKNOWN');
          if ((await statusOf(mapped.reasons)) === 'registered') {
            expect(data.document.status).toBe('APPROVED_VERIFIED');
            const identity = data.verification?.identityVerification;
            expect([undefined, 'MATCH']).toContain(identity?.similarity);
            expect(identity?.validity).not.toBe(false);
          }
        },
      ),
      PARAMETERS,
    );
  });

  it('never registers a scan whose status, code or similarity it does not recognise', async () => {
    const unknownStatus = label.filter((s) => !NETVERIFY_STATUSES.includes(s));
    const unknownSimilarity = label.filter((s) => !SIMILARITY.includes(s));
    const verdict = fc.oneof(
      scanData(unknownStatus),
      scanData(fc.constant('DENIED_FRAUD')).map((data) => ({
        ...data,
        verification: { rejectReason: { rejectReasonCode: 'X-unknown' } },
      })),
      fc
        .tuple(scanData(fc.constant('APPROVED_VERIFIED')), unknownSimilarity)
        .map(([data, similarity]) => ({
          ...data,
          verification: { identityVerification: { similarity } },
        })),
    );
    await fc.assert(
      fc.asyncProperty(verdict, async (data) => {
        const mapped = mapNetverifyVerdict(data as ScanData);
        expectKnownReasons(mapped.reasons);
        expect(mapped.unmatched.length).toBeGreaterThan(0);
        expect(mapped.reasons).toContain('UNKNOWN');
        expect(mapped.reasons[0]).not.toBe('CLEAR');
        expect(await statusOf(mapped.reasons)).not.toBe('registered');
      }),
      PARAMETERS,
    );
  });
});
