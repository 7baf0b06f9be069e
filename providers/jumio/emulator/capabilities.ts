/**
 * How the emulator builds a processed workflow's `decision` and
 * `capabilities` from the labels a test chose, in the shapes
 * docs/provider-facts.md records:
 *
 * - every capability is an array of results, each
 *   `{id, credentials: [{id, category}], decision: {type, details: {label}}, data?}`;
 *   usability answers one result per credential (ID, SELFIE, FACEMAP)
 *   (docs/provider-facts.md#j-dec-7);
 * - capabilities depend on each other: usability → imageChecks → extraction →
 *   {dataChecks, watchlistScreening, addressValidation, proofOfResidency,
 *   drivingLicenseVerification}, and usability → {liveness, similarity,
 *   authentication}; a capability whose prerequisite did not run, or whose
 *   credential's usability was rejected, answers `NOT_EXECUTED` with
 *   `PRECONDITION_NOT_FULFILLED` (docs/provider-facts.md#j-dec-6). A rejection
 *   by any other capability does not stop the ones after it (the document is
 *   still read when its image checks fail);
 * - `data`: extraction's person (docs/provider-facts.md#j-extr-5), liveness's
 *   type and estimated age (docs/provider-facts.md#j-live-15), similarity's
 *   verdict (docs/provider-facts.md#j-sim-6), screening's search
 *   (docs/provider-facts.md#j-watch-11) and image checks' face search
 *   (docs/provider-facts.md#j-img-33);
 * - the workflow's decision is REJECTED when any result is, else WARNING, else
 *   NOT_EXECUTED, else PASSED; its label is its type
 *   (docs/provider-facts.md#j-dec-4) and its score lies in the type's default
 *   band (docs/provider-facts.md#j-dec-2, docs/provider-facts.md#j-dec-3).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ExtractedPerson } from 'idv-providers';
import type {
  CapabilityJson,
  CapabilityLabel,
  CredentialCategory,
  DecisionType,
  JumioLabelVerdict,
  StoredCredential,
} from './state';
import { SAMPLE_PERSON } from './verdicts';

/** A capability the emulated one waits for: any result of it, or its result for one credential. */
interface Requirement {
  capability: string;
  credential?: CredentialCategory | undefined;
}

/** Which credentials a capability evaluates and which capabilities it waits for. */
interface CapabilitySpec {
  credentials: readonly CredentialCategory[];
  after: readonly Requirement[];
}

const AFTER_EXTRACTION: CapabilitySpec = {
  credentials: ['ID'],
  after: [{ capability: 'extraction' }],
};
const ON_THE_SELFIE: CapabilitySpec = {
  credentials: ['SELFIE', 'FACEMAP'],
  after: [{ capability: 'usability', credential: 'SELFIE' }],
};

/** The capabilities in the order Jumio runs them (docs/provider-facts.md#j-dec-6). */
const SPECS: Readonly<Record<string, CapabilitySpec>> = {
  usability: { credentials: ['ID', 'SELFIE', 'FACEMAP'], after: [] },
  imageChecks: { credentials: ['ID'], after: [{ capability: 'usability', credential: 'ID' }] },
  extraction: { credentials: ['ID'], after: [{ capability: 'imageChecks' }] },
  dataChecks: AFTER_EXTRACTION,
  watchlistScreening: AFTER_EXTRACTION,
  addressValidation: AFTER_EXTRACTION,
  proofOfResidency: AFTER_EXTRACTION,
  drivingLicenseVerification: AFTER_EXTRACTION,
  liveness: ON_THE_SELFIE,
  similarity: {
    credentials: ['ID', 'SELFIE'],
    after: [
      { capability: 'usability', credential: 'ID' },
      { capability: 'usability', credential: 'SELFIE' },
    ],
  },
  authentication: ON_THE_SELFIE,
};

/** A capability the emulator knows nothing about: judged on the ID, waiting for nothing. */
const OTHER: CapabilitySpec = { credentials: ['ID'], after: [] };

/** What an ID + selfie workflow answers when a test chooses nothing (docs/provider-facts.md#j-wf-3). */
const DEFAULT_CAPABILITIES = [
  'usability',
  'imageChecks',
  'extraction',
  'dataChecks',
  'liveness',
  'similarity',
];

/** The label a capability passes with. */
const PASS_LABEL: Readonly<Record<string, string>> = { similarity: 'MATCH' };

const SCORES: Readonly<Record<DecisionType, number>> = {
  PASSED: 0,
  WARNING: 50,
  REJECTED: 100,
  NOT_EXECUTED: -1,
};

/** Extraction data as Jumio serves it (docs/provider-facts.md#j-extr-5). */
export function extractionData(person: ExtractedPerson): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (person.documentType !== undefined) data['type'] = person.documentType;
  if (person.firstName !== undefined) data['firstName'] = person.firstName;
  if (person.lastName !== undefined) data['lastName'] = person.lastName;
  if (person.dateOfBirth !== undefined) data['dateOfBirth'] = person.dateOfBirth;
  if (person.documentExpiry !== undefined) data['expiryDate'] = person.documentExpiry;
  if (person.documentNumber !== undefined) data['documentNumber'] = person.documentNumber;
  if (person.issuingCountry !== undefined) data['issuingCountry'] = person.issuingCountry;
  if (person.nationality !== undefined) data['nationality'] = person.nationality;
  return data;
}

/** Whole years from `dateOfBirth` (`YYYY-MM-DD`) to `now`, if it is a date. */
function ageOn(dateOfBirth: string | undefined, now: number): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth ?? '');
  if (match === null) return undefined;
  const today = new Date(now);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const before =
    today.getUTCMonth() + 1 < month ||
    (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  return today.getUTCFullYear() - year - (before ? 1 : 0);
}

/** The `data` of a result, for the capabilities whose data the facts describe. */
function dataOf(
  capability: string,
  chosen: CapabilityLabel,
  person: ExtractedPerson,
  now: number,
): Record<string, unknown> | undefined {
  const ran = chosen.type !== 'NOT_EXECUTED';
  switch (capability) {
    case 'extraction':
      return chosen.type === 'PASSED' ? extractionData(person) : undefined;
    case 'liveness': {
      if (!ran) return undefined;
      const age = ageOn(person.dateOfBirth, now);
      // AGE_DIFFERENCE: the estimate lies far from the document's date of birth.
      const predicted =
        age === undefined ? undefined : age + (chosen.label === 'AGE_DIFFERENCE' ? 25 : 0);
      return {
        type: 'JUMIO_STANDARD',
        ...(predicted === undefined
          ? {}
          : {
              predictedAge: predicted,
              ageConfidenceRange: `${Math.max(0, predicted - 6)}-${predicted + 6}`,
            }),
      };
    }
    case 'similarity':
      return ran && ['MATCH', 'NO_MATCH', 'NOT_POSSIBLE'].includes(chosen.label)
        ? { similarity: chosen.label }
        : undefined;
    case 'watchlistScreening':
      if (!ran) {
        return { searchStatus: chosen.label === 'TECHNICAL_ERROR' ? 'ERROR' : 'NOT_DONE' };
      }
      return {
        searchDate: new Date(now).toISOString(),
        searchStatus: 'DONE',
        searchId: randomUUID(),
        searchReference: randomUUID(),
        searchResults: chosen.label === 'ALERT' ? 1 : 0,
      };
    case 'imageChecks':
      return ran
        ? {
            faceSearchFindings: {
              status: 'DONE',
              findings: chosen.label === 'REPEATED_FACE' ? [randomUUID()] : [],
            },
          }
        : undefined;
    default:
      return undefined;
  }
}

/** True when a requirement stops the capability: its result did not run, or usability rejected the credential. */
function blocks(requirement: Requirement, built: Map<string, CapabilityLabel[]>): boolean {
  return (built.get(requirement.capability) ?? []).some(
    (result) =>
      (requirement.credential === undefined ||
        (result.credential ?? 'ID') === requirement.credential) &&
      (result.type === 'NOT_EXECUTED' ||
        (requirement.capability === 'usability' && result.type === 'REJECTED')),
  );
}

const label = (capability: string, type: DecisionType, value: string): CapabilityLabel => ({
  capability,
  type,
  label: value,
});

/** The results of one capability: the chosen ones, else skipped or passed. */
function resultsOf(
  name: string,
  spec: CapabilitySpec,
  chosen: readonly CapabilityLabel[] | undefined,
  present: readonly CredentialCategory[],
  built: Map<string, CapabilityLabel[]>,
): CapabilityLabel[] {
  const skipped = spec.after.some((requirement) => blocks(requirement, built));
  const fallback = skipped
    ? label(name, 'NOT_EXECUTED', 'PRECONDITION_NOT_FULFILLED')
    : label(name, 'PASSED', PASS_LABEL[name] ?? 'OK');
  if (name !== 'usability')
    return chosen === undefined || chosen.length === 0 ? [fallback] : [...chosen];
  // Usability answers one result per credential; the chosen ones replace that credential's.
  return present.flatMap((credential) => {
    const mine = (chosen ?? []).filter((c) => (c.credential ?? 'ID') === credential);
    return mine.length > 0
      ? mine.map((c) => ({ ...c, credential }))
      : [{ ...fallback, credential }];
  });
}

/** Builds a processed workflow's `decision` and `capabilities` from labels. */
export function buildCapabilities(
  verdict: JumioLabelVerdict,
  credentials: readonly StoredCredential[],
  now: number,
): {
  decision: { type: string; details: { label: string }; risk: { score: number } };
  capabilities: Record<string, CapabilityJson[]>;
} {
  const person = verdict.person ?? SAMPLE_PERSON;
  const chosen = new Map<string, CapabilityLabel[]>();
  for (const entry of verdict.capabilities ?? []) {
    chosen.set(entry.capability, [...(chosen.get(entry.capability) ?? []), entry]);
  }
  const wanted = new Set([...DEFAULT_CAPABILITIES, ...chosen.keys()]);
  const names = [
    ...Object.keys(SPECS).filter((name) => wanted.has(name)),
    ...[...wanted].filter((name) => !Object.hasOwn(SPECS, name)),
  ].filter((name) => !(verdict.omit ?? []).includes(name));
  const byCategory = new Map(credentials.map((c) => [c.category, c]));
  const present = (['ID', 'SELFIE', 'FACEMAP'] as const).filter((c) => byCategory.has(c));
  const ref = (category: string) => {
    const found = byCategory.get(category);
    return found === undefined ? [] : [{ id: found.id, category: found.category }];
  };

  const built = new Map<string, CapabilityLabel[]>();
  const capabilities: Record<string, CapabilityJson[]> = {};
  for (const name of names) {
    const spec = Object.hasOwn(SPECS, name) ? (SPECS[name] as CapabilitySpec) : OTHER;
    const results = resultsOf(name, spec, chosen.get(name), present, built);
    built.set(name, results);
    capabilities[name] = results.map((result) => {
      const data = dataOf(name, result, person, now);
      return {
        id: randomUUID(),
        credentials:
          name === 'usability' ? ref(result.credential ?? 'ID') : spec.credentials.flatMap(ref),
        decision: { type: result.type, details: { label: result.label } },
        ...(data === undefined ? {} : { data }),
      };
    });
  }

  const types = Object.values(capabilities).flatMap((list) => list.map((c) => c.decision.type));
  const derived: DecisionType =
    (['REJECTED', 'WARNING', 'NOT_EXECUTED'] as const).find((t) => types.includes(t)) ?? 'PASSED';
  const type = verdict.decision ?? derived;
  return {
    decision: {
      type,
      details: { label: verdict.decisionLabel ?? type },
      risk: { score: SCORES[type as DecisionType] ?? 50 },
    },
    capabilities,
  };
}
