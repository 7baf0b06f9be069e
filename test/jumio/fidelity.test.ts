/**
 * Fidelity of the KYX mapping and the emulator to Jumio's published labels,
 * checked against the project's record of facts (docs/provider-facts.md)
 * rather than against each other alone:
 *
 * - every row of the adapter's table cites a fact whose text names the row's
 *   label and decision type (and capability), and carries the fact's marker
 *   when it is historical or unconfirmed;
 * - every row follows the rule for its decision type, and its next step is
 *   the one its reason leads to;
 * - the drift test: the emulator's list of published labels (written from the
 *   facts, providers/jumio/emulator/labels.ts) and the adapter's table have
 *   the same (capability, decision, label) entries; for every row the
 *   emulator answers with the label over MSW and the adapter maps it to the
 *   row's reason;
 * - the emulator produces a representative for every reason it advertises.
 *
 * The hand-transcribed expectations of each row are in kyx-mapping.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createProvider,
  REASON_CODES,
  type ReasonCode,
  reasonFamily,
  statusForReason,
} from 'idv-providers';
import { findJumioRow, JUMIO_MAPPING, type JumioMappingRow } from 'idv-providers/jumio';
import { createTestClock, JUMIO_PUBLISHED_LABELS } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { useJumioEmulator } from './harness';

const { emulator } = useJumioEmulator();

const FACTS = readFileSync(
  fileURLToPath(new URL('../../docs/provider-facts.md', import.meta.url)),
  'utf8',
);

/** The text of a fact: its line (a table row) or its paragraph (a list item), by anchor. */
function factText(anchor: string): string | undefined {
  const lines = FACTS.split('\n');
  const at = lines.findIndex((line) => line.includes(`<a id="${anchor}"></a>`));
  if (at < 0) return undefined;
  const first = lines[at] as string;
  if (first.startsWith('|')) return first;
  const text = [first];
  for (const line of lines.slice(at + 1)) {
    if (line.startsWith('- ') || line.startsWith('#')) break;
    text.push(line);
  }
  return text.join('\n');
}

/** A fact's marker; a row that says "as J-USAB-18" has that fact's marker. */
function markerOf(anchor: string): string | undefined {
  const text = factText(anchor) ?? '';
  const own = /\*\*(confirmed|historical|unconfirmed)\*\*/.exec(text)?.[1];
  if (own !== undefined) return own;
  const same = /\| as (J-[A-Z]+-\d+) \|/.exec(text)?.[1];
  return same === undefined ? undefined : markerOf(same.toLowerCase());
}

/** The capability a fact's prefix stands for (J-CAP facts name it in their text). */
const CAPABILITY_OF_PREFIX: Record<string, string> = {
  usab: 'usability',
  img: 'imageChecks',
  data: 'dataChecks',
  live: 'liveness',
  sim: 'similarity',
  watch: 'watchlistScreening',
  extr: 'extraction',
};

const anchorOf = (row: JumioMappingRow) => row.source.replace(/^docs\/provider-facts\.md#/, '');
const OWN_ROWS = JUMIO_MAPPING.filter((row) => row.capability !== '*');
const NEXT_STEP: Record<string, JumioMappingRow['next']> = {
  registered: 'proceed',
  retry: 'retry',
  rejected: 'rejected',
  awaiting_registration: 'review',
};

describe('the mapping table against docs/provider-facts.md', () => {
  it.each(JUMIO_MAPPING.map((row) => [row.key, row] as const))(
    '%s cites a fact that exists',
    (_key, row) => {
      expect(row.source).toMatch(/^docs\/provider-facts\.md#j-[a-z]+-\d+$/);
      expect(factText(anchorOf(row)), row.source).toBeDefined();
    },
  );

  it.each(OWN_ROWS.map((row) => [row.key, row] as const))(
    '%s: the fact names the label, the decision type and the capability',
    (_key, row) => {
      const text = factText(anchorOf(row)) ?? '';
      expect(text).toContain(`\`${row.label}\``);
      expect(text).toContain(row.decision);
      const prefix = /^j-([a-z]+)-/.exec(anchorOf(row))?.[1] ?? '';
      if (prefix === 'cap') expect(text).toContain(`| ${row.capability} |`);
      else expect(CAPABILITY_OF_PREFIX[prefix]).toBe(row.capability);
    },
  );

  it.each(OWN_ROWS.map((row) => [row.key, row] as const))(
    '%s carries the fact’s marker when it is historical or unconfirmed',
    (_key, row) => {
      const marker = markerOf(anchorOf(row));
      if (marker === 'historical' || marker === 'unconfirmed') {
        expect(row.note ?? '').toMatch(new RegExp(`^${marker}\\b`));
      } else {
        expect(row.note ?? '').not.toMatch(/^(historical|unconfirmed)\b/);
      }
    },
  );
});

describe('the mapping table follows its rule', () => {
  it.each(JUMIO_MAPPING.map((row) => [row.key, row] as const))(
    '%s: the reason fits the decision type and the next step fits the reason',
    (_key, row) => {
      const family = row.reason === null ? null : reasonFamily(row.reason);
      const allowed: Record<string, ReadonlyArray<string | null>> = {
        PASSED: ['CLEAR'],
        REJECTED: ['REJECTED', 'SUSPECTED'],
        WARNING: ['CAUTION'],
        NOT_EXECUTED: [null, 'UNKNOWN', 'REJECTED'],
      };
      expect(allowed[row.decision]).toContain(family);
      expect(row.next).toBe(
        row.reason === null ? 'decided-elsewhere' : NEXT_STEP[statusForReason(row.reason, true)],
      );
      if (row.decision === 'NOT_EXECUTED' || row.reason === 'UNKNOWN') {
        // Every choice the facts leave to the library says why.
        expect(row.note ?? '').not.toBe('');
      }
    },
  );
});

describe('drift: the emulator’s published labels and the adapter’s table', () => {
  it('every label the emulator publishes has a row of its own, citing the same fact', () => {
    const missing = JUMIO_PUBLISHED_LABELS.filter((entry) => {
      const row = findJumioRow(entry.capability, entry.decision, entry.label);
      return (
        row?.capability !== entry.capability ||
        row.source !== `docs/provider-facts.md#${entry.fact}`
      );
    });
    expect(missing).toEqual([]);
  });

  it('every row of the table is a label the emulator publishes', () => {
    const published = new Set(
      JUMIO_PUBLISHED_LABELS.map((e) => `${e.capability}.${e.decision}.${e.label}`),
    );
    expect(OWN_ROWS.filter((row) => !published.has(row.key)).map((row) => row.key)).toEqual([]);
  });

  it.each(OWN_ROWS.map((row) => [row.key, row] as const))(
    'the emulator answers %s and the adapter maps it to the row’s reason',
    async (_key, row) => {
      const idv = await createProvider(
        emulator.config({ autoRegistration: true, clock: createTestClock() }),
      );
      const { session } = await idv.startVerification({ identityReference: 'identity-drift' });
      emulator.setCapabilityResult(session.subjectId ?? '', {
        capability: row.capability,
        decision: row.decision,
        label: row.label,
      });
      await emulator.completeCustomerJourney(session);

      // What the emulated retrieval API serves: the label, in Jumio's shape (J-DEC-7).
      const served = emulator.execution(session.attemptId ?? '')?.capabilities?.[row.capability];
      expect(served).toContainEqual(
        expect.objectContaining({
          id: expect.any(String),
          credentials: expect.arrayContaining([
            expect.objectContaining({ id: expect.any(String), category: expect.any(String) }),
          ]),
          decision: { type: row.decision, details: { label: row.label } },
        }),
      );

      const result = await idv.getResult(session);
      const expected: ReasonCode = row.reason ?? 'UNKNOWN';
      expect(result.reasons).toEqual([expected]);
      expect(result.status).toBe(statusForReason(expected, true));
    },
  );
});

describe('setCapabilityResult', () => {
  async function started() {
    const idv = await createProvider(emulator.config({ clock: createTestClock() }));
    return { idv, ...(await idv.startVerification({ identityReference: 'identity-choose' })) };
  }

  it('refuses a label the facts do not record, and a decision type the label does not come with', async () => {
    const { session } = await started();
    const id = session.subjectId ?? '';
    expect(() =>
      emulator.setCapabilityResult(id, {
        capability: 'imageChecks',
        decision: 'REJECTED',
        label: 'HOLOGRAM_MISSING',
      }),
    ).toThrow('Jumio publishes no imageChecks REJECTED label "HOLOGRAM_MISSING"');
    // J-WATCH-10: screening never answers REJECTED.
    expect(() =>
      emulator.setCapabilityResult(id, {
        capability: 'watchlistScreening',
        decision: 'REJECTED',
        label: 'ALERT',
      }),
    ).toThrow('publishes no watchlistScreening REJECTED');
  });

  it('keeps earlier choices for other capabilities and replaces one for the same capability', async () => {
    const { idv, session } = await started();
    const id = session.subjectId ?? '';
    emulator.setCapabilityResult(id, {
      capability: 'dataChecks',
      decision: 'REJECTED',
      label: 'MRZ_CHECKSUM',
    });
    emulator.setCapabilityResult(id, {
      capability: 'watchlistScreening',
      decision: 'WARNING',
      label: 'ALERT',
    });
    emulator.setCapabilityResult(id, {
      capability: 'dataChecks',
      decision: 'WARNING',
      label: 'LOOKUPS_MEDIUM_RISK_DEVICE',
    });
    await emulator.completeCustomerJourney(session);
    const result = await idv.getResult(session);
    expect(result.reasons).toEqual(['CAUTION_DATA_COMPARISON', 'CAUTION_WATCHLIST']);
    expect(result.person).not.toBeNull();
  });

  it('judges usability per credential: an unusable selfie skips liveness and similarity, not the document checks (J-DEC-6, J-DEC-7)', async () => {
    const { idv, session } = await started();
    emulator.setCapabilityResult(session.subjectId ?? '', {
      capability: 'usability',
      decision: 'REJECTED',
      label: 'BLURRED',
      credential: 'SELFIE',
    });
    await emulator.completeCustomerJourney(session);
    const capabilities = emulator.execution(session.attemptId ?? '')?.capabilities ?? {};
    expect(
      capabilities['usability']?.map((c) => [c.credentials[0]?.category, c.decision.type]),
    ).toEqual([
      ['ID', 'PASSED'],
      ['SELFIE', 'REJECTED'],
      ['FACEMAP', 'PASSED'],
    ]);
    for (const name of ['liveness', 'similarity']) {
      expect(capabilities[name]?.[0]?.decision).toEqual({
        type: 'NOT_EXECUTED',
        details: { label: 'PRECONDITION_NOT_FULFILLED' },
      });
    }
    for (const name of ['imageChecks', 'extraction', 'dataChecks']) {
      expect(capabilities[name]?.[0]?.decision.type).toBe('PASSED');
    }
    const result = await idv.getResult(session);
    expect(result.reasons).toEqual(['REJECTED_IMAGE_INTEGRITY']);
    expect(result.person).not.toBeNull();
  });

  it('serves the data the facts describe: liveness age, similarity, screening (J-LIVE-15, J-SIM-6, J-WATCH-11)', async () => {
    const { session } = await started();
    const id = session.subjectId ?? '';
    emulator.setCapabilityResult(id, {
      capability: 'liveness',
      decision: 'WARNING',
      label: 'AGE_DIFFERENCE',
    });
    emulator.setCapabilityResult(id, {
      capability: 'watchlistScreening',
      decision: 'WARNING',
      label: 'ALERT',
    });
    await emulator.completeCustomerJourney(session);
    const capabilities = emulator.execution(session.attemptId ?? '')?.capabilities ?? {};
    // The sample person was born 1990-04-12; the test clock stands at 2026-01-01.
    expect(capabilities['liveness']?.[0]?.data).toEqual({
      type: 'JUMIO_STANDARD',
      predictedAge: 35 + 25,
      ageConfidenceRange: '54-66',
    });
    expect(capabilities['liveness']?.[0]?.credentials.map((c) => c.category)).toEqual([
      'SELFIE',
      'FACEMAP',
    ]);
    expect(capabilities['similarity']?.[0]?.data).toEqual({ similarity: 'MATCH' });
    expect(capabilities['watchlistScreening']?.[0]?.data).toMatchObject({
      searchStatus: 'DONE',
      searchResults: 1,
    });
  });
});

describe('the reasons the emulator advertises', () => {
  it.each(REASON_CODES.map((reason) => [reason] as const))(
    '%s: produced when advertised (KYX), refused otherwise',
    async (reason) => {
      const idv = await createProvider(emulator.config({ clock: createTestClock() }));
      const { session } = await idv.startVerification({ identityReference: 'identity-reason' });
      if (!emulator.reasons().includes(reason)) {
        expect(() => emulator.setVerdict(session.subjectId ?? '', { reason })).toThrow(
          `maps to ${reason}`,
        );
        return;
      }
      emulator.setVerdict(session.subjectId ?? '', { reason });
      await emulator.completeCustomerJourney(session);
      const result = await idv.getResult(session);
      expect(result.reasons).toEqual([reason]);
    },
  );

  it.each(REASON_CODES.map((reason) => [reason] as const))(
    '%s: produced when advertised (Netverify), refused otherwise',
    async (reason) => {
      const idv = await createProvider(
        emulator.config({ mode: 'netverify', clock: createTestClock() }),
      );
      const { session } = await idv.startVerification({ identityReference: 'identity-reason' });
      if (!emulator.reasons('netverify').includes(reason)) {
        expect(() => emulator.setVerdict(session.subjectId ?? '', { reason })).toThrow(
          `maps to ${reason}`,
        );
        return;
      }
      emulator.setVerdict(session.subjectId ?? '', { reason });
      await emulator.completeCustomerJourney(session);
      const result = await idv.getResult(session);
      expect(result.reasons).toEqual([reason]);
    },
  );

  it('advertises, for KYX, every reason some row of the table yields', () => {
    const yielded = new Set(
      JUMIO_MAPPING.map((row) => row.reason).filter((r): r is ReasonCode => r !== null),
    );
    yielded.add('EXPIRED');
    expect([...emulator.reasons()].sort()).toEqual([...yielded].sort());
  });
});
