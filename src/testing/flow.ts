/**
 * The whole verification flow, driven once through the provider-neutral
 * interface against an emulator: what a host backend does, in order. The
 * conformance suite and the provider-swapping test run it for every provider.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type {
  DocumentInfo,
  ExtractedPerson,
  IdentityVerificationProvider,
  ReasonCode,
  VerificationResult,
  VerificationSession,
  WebhookEvent,
} from 'idv-providers';
import type { EmulatorDelivery, ProviderEmulator } from 'idv-providers/emulator-kit';

/** The person every flow scenario's document shows unless told otherwise. */
export const SAMPLE_PERSON: Readonly<
  Required<Pick<ExtractedPerson, 'firstName' | 'lastName' | 'dateOfBirth'>>
> = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  dateOfBirth: '1990-12-10',
};

/**
 * The country of residence every flow scenario's person gives when starting
 * (ISO 3166-1 alpha-3); Onfido requires one for a check to run.
 */
export const SAMPLE_COUNTRY_OF_RESIDENCE = 'GBR';

/** What one run of the flow observed. */
export interface FlowRun {
  /** What `startVerification` returned. */
  session: VerificationSession;
  /** The webhook or callback the provider sent, if it sent one. */
  delivery: EmulatorDelivery | undefined;
  /** The verified event, if there was a delivery. */
  event: WebhookEvent | undefined;
  /** The normalised result. */
  result: VerificationResult;
  /** Each stored document with the SHA-256 of the bytes downloaded and of the bytes the emulator served. */
  documents: Array<{
    info: DocumentInfo;
    downloadedSha256: string;
    servedSha256: string | undefined;
    bytes: number;
  }>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Runs the flow for one identity: start, the customer's journey with the
 * verdict the emulator is told to give, capture finished (where the provider
 * needs it), the webhook or callback verified, the result fetched, and every
 * document downloaded.
 */
export async function runVerificationFlow(
  idv: IdentityVerificationProvider,
  emulator: ProviderEmulator,
  scenario: { identityReference: string; reason: ReasonCode; person?: ExtractedPerson },
): Promise<FlowRun> {
  const person = scenario.person ?? SAMPLE_PERSON;
  const session = await idv.startVerification({
    identityReference: scenario.identityReference,
    person: {
      firstName: person.firstName ?? 'Ada',
      lastName: person.lastName ?? 'Lovelace',
      countryOfResidence: SAMPLE_COUNTRY_OF_RESIDENCE,
    },
  });
  emulator.setVerdict(session.session.subjectId, { reason: scenario.reason, person });
  const before = emulator.deliveries().length;
  await emulator.completeCustomerJourney(session.session);

  let ref = session.session;
  if (idv.capabilities.requiresCompleteCapture && scenario.reason !== 'EXPIRED') {
    const captured = await idv.completeCapture(ref);
    ref = { ...ref, ...captured, subjectId: captured.subjectId ?? ref.subjectId };
  }

  const sent = emulator.deliveries().slice(before);
  const delivery = sent.at(-1);
  let event: WebhookEvent | undefined;
  if (delivery !== undefined) {
    event = await idv.verifyWebhook({ body: delivery.body, headers: delivery.headers });
  }
  const result = await idv.getResult(event?.actionable ? { ...ref, ...event.session } : ref);

  const documents: FlowRun['documents'] = [];
  if (scenario.reason !== 'EXPIRED') {
    for (const info of await idv.listDocuments(result.session)) {
      const download = await idv.downloadDocument(info);
      const chunks: Buffer[] = [];
      for await (const chunk of download.body) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      const served = emulator.servedBytes(info.id);
      documents.push({
        info,
        downloadedSha256: sha256(bytes),
        servedSha256: served === undefined ? undefined : sha256(served),
        bytes: bytes.length,
      });
    }
  }
  return { session, delivery, event, result, documents };
}
