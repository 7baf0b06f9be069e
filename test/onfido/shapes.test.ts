/**
 * Every report shape the API documents or is seen to send parses, maps and
 * yields a person without throwing: `breakdown` and `properties` as `{}`,
 * `[]`, `null` or absent (docs/provider-facts.md#o-rep-6, #o-open-8), null
 * property values (#o-rep-7), `sub_result: null` (#o-rep-5).
 */
import { createProvider } from 'idv-providers';
import {
  extractPerson,
  mapOnfidoCheck,
  type OnfidoReport,
  onfidoApplicantSchema,
  onfidoCheckSchema,
  onfidoReportSchema,
  onfidoWebhookSchema,
  onfidoWorkflowRunSchema,
  reportKeys,
} from 'idv-providers/onfido';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ADA, check, useOnfidoEmulator } from './helpers';

const parse = (raw: Record<string, unknown>): OnfidoReport =>
  onfidoReportSchema.parse({ id: 'r-1', name: 'document', ...raw });

describe('report shapes', () => {
  it.each([
    [
      'awaiting data, with array breakdown and properties',
      { status: 'awaiting_data', breakdown: [], properties: [] },
      'document.status.awaiting_data',
    ],
    [
      'cancelled, with array breakdown and properties',
      { status: 'cancelled', result: null, sub_result: null, breakdown: [], properties: [] },
      'document.status.cancelled',
    ],
    [
      'withdrawn, with null breakdown and properties',
      { status: 'withdrawn', breakdown: null, properties: null },
      'document.status.withdrawn',
    ],
    ['without a status', { breakdown: {} }, 'document.status.none'],
  ])('parses a report %s, and maps it to UNKNOWN', (_what, raw, key) => {
    const parsed = parse(raw);
    expect(parsed.breakdown ?? {}).toEqual({});
    expect(reportKeys(parsed)).toEqual([key]);
    const mapped = mapOnfidoCheck(check([parsed]), [parsed]);
    expect(mapped.reasons).toEqual(['UNKNOWN']);
    expect(mapped.unmatched).toEqual([key]);
    expect(extractPerson([parsed])).toBeNull();
  });

  it('parses sub-breakdowns and entries that are arrays, null or without a result', () => {
    const parsed = parse({
      status: 'complete',
      result: 'consider',
      sub_result: 'caution',
      breakdown: {
        data_comparison: {
          result: 'consider',
          breakdown: { first_name: { result: 'consider', properties: [] } },
        },
        image_integrity: { result: 'clear', breakdown: [] },
        police_record: { result: null },
        age_validation: null,
        issuing_authority: [],
        compromised_document: { breakdown: null },
      },
      properties: {
        first_name: 'Ada',
        last_name: null,
        gender: null,
        date_of_expiry: [],
        nationality: null,
      },
    });
    expect(reportKeys(parsed)).toEqual(['document.caution.data_comparison']);
    expect(mapOnfidoCheck(check([parsed]), [parsed]).reasons).toEqual(['CAUTION_DATA_COMPARISON']);
    expect(extractPerson([parsed])).toEqual({ firstName: 'Ada' });
  });

  it('parses a facial similarity report with sub_result null and every media array', () => {
    const parsed = onfidoReportSchema.parse({
      id: 'r-2',
      name: 'facial_similarity_photo',
      status: 'complete',
      result: 'clear',
      sub_result: null,
      breakdown: {
        face_comparison: {
          result: 'clear',
          breakdown: { face_match: { result: 'clear', properties: { score: 0.9 } } },
        },
      },
      properties: { score: 0.9 },
      documents: [],
      live_photos: [{ id: 'p-1' }],
      live_videos: [],
      motion_captures: [],
      id_photos: [],
    });
    expect(reportKeys(parsed)).toEqual([]);
  });

  it('reads checks, runs, applicants and webhooks with only the fields the spec requires', () => {
    expect(onfidoCheckSchema.parse({ id: 'c-1', applicant_id: 'a-1' })).toMatchObject({
      id: 'c-1',
      status: 'none',
    });
    expect(onfidoWorkflowRunSchema.parse({ id: 'w-1', output: null, error: null })).toMatchObject({
      status: 'none',
    });
    expect(onfidoApplicantSchema.parse({ id: 'a-1' }).created_at).toBeUndefined();
    expect(onfidoWebhookSchema.parse({ id: 'h-1' }).url).toBe('');
  });

  it('still refuses a report without an id or a name', () => {
    expect(onfidoReportSchema.safeParse({ name: 'document' }).success).toBe(false);
    expect(onfidoReportSchema.safeParse({ id: 'r-3' }).success).toBe(false);
  });
});

describe('report shapes over HTTP', () => {
  const { emulator, server } = useOnfidoEmulator();

  it('maps a check whose reports arrive with array breakdown and properties', async () => {
    const idv = await createProvider(emulator.config());
    const started = await idv.startVerification({
      identityReference: 'identity-shapes',
      person: ADA,
    });
    await emulator.completeCustomerJourney(started.session);
    const session = await idv.completeCapture(started.session);
    const reports = (await (
      await fetch(`https://api.eu.onfido.com/v3.6/reports?check_id=${session.attemptId}`, {
        headers: { Authorization: `Token token=${emulator.apiToken}` },
      })
    ).json()) as { reports: Array<Record<string, unknown>> };
    server.use(
      http.get('https://api.eu.onfido.com/v3.6/reports', () =>
        HttpResponse.json({
          reports: reports.reports.map((r, i) =>
            i === 0
              ? { ...r, status: 'cancelled', result: null, breakdown: [], properties: [] }
              : { ...r, sub_result: null, properties: [] },
          ),
        }),
      ),
    );
    const result = await idv.getResult(session);
    expect(result.status).toBe('awaiting_registration');
    expect(result.reasons).toEqual(['UNKNOWN']);
    expect(result.person).toBeNull();
    expect(result.providerLabels).toContainEqual({ source: 'document.status', value: 'cancelled' });
  });
});
