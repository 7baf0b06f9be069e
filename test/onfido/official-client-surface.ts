/**
 * The API surface a backend reaches with Onfido's official Node client,
 * `@onfido/api` 6.2.0 (docs/provider-facts.md#o-src-1), unmodified, beyond the
 * calls the adapter makes: one test per route and per shape, asserting on the
 * values the client returns. Run twice, over MSW and over HTTP
 * (official-client-surface.msw.test.ts, official-client-surface.http.test.ts).
 */
import {
  type Applicant,
  type DefaultApi,
  type DocumentReport,
  type DocumentWithDriverVerificationReport,
  type DocumentWithDrivingLicenceInformationReport,
  type FacialSimilarityMotionReport,
  FileTransfer,
  type Report,
  type ReportName,
} from '@onfido/api';
import { isAxiosError } from 'axios';
import { generatePng } from 'idv-providers/emulator-kit';
import { ONFIDO_SAMPLE_MEDIA, type OnfidoEmulator } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';

/** Where the suite runs: the emulator, and the official client configured for it. */
export interface SurfaceTarget {
  emulator: OnfidoEmulator;
  client(token?: string): DefaultApi;
}

/** The workflow both runs declare: `--onfido-workflow` over HTTP, the `workflows` option over MSW. */
export const MOTION_WORKFLOW = {
  id: '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  steps: ['document', 'facial_similarity_motion', 'watchlist_standard'],
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY = 24 * 60 * 60 * 1000;
const PNG = Buffer.from(generatePng('official-client-surface', 48, 32, 'surface'));
/** NFC chip data as Onfido's own tests upload it (the security object `sod`, data groups). */
const NFC_DATA = Buffer.from(
  JSON.stringify({ sod: [119, -126, 5, 95, 48], dg1: [97, 91, 95], dg2: [117, -126, 39] }),
);
const EXACT = { responseType: 'arraybuffer' } as const;

/** The body of an axios error the client threw, or a failure. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAxiosError(error) || error.response === undefined) {
    throw new Error(`expected an HTTP error, got ${String(error)}`);
  }
  return { status: error.response.status, data: error.response.data };
}

const notFound = (what: string) => ({
  status: 404,
  data: {
    error: {
      type: 'resource_not_found',
      message: `Could not find the following resource: ${what}`,
      fields: {},
    },
  },
});

/** The text of a download read as the client reads it by default (a string of the bytes). */
const text = (file: unknown): string => (file as FileTransfer).buffer as unknown as string;

/** Registers the surface tests for `target` (called inside the file's describe). */
export function surfaceSuite(target: () => SurfaceTarget): void {
  const emulator = () => target().emulator;
  const client = (token?: string) => target().client(token);

  async function applicant(extra: Record<string, unknown> = {}): Promise<Applicant> {
    return (
      await client().createApplicant({
        first_name: 'Ada',
        last_name: 'Lovelace',
        location: { country_of_residence: 'GBR', ip_address: '203.0.113.7' },
        ...extra,
      })
    ).data;
  }

  async function withDocuments(onfido: DefaultApi, a: Applicant) {
    const front = (
      await onfido.uploadDocument(
        'driving_licence',
        a.id,
        new FileTransfer(PNG, 'front.png'),
        undefined,
        'front',
        'GBR',
      )
    ).data;
    const photo = (await onfido.uploadLivePhoto(a.id, new FileTransfer(PNG, 'selfie.png'))).data;
    return { front, photo };
  }

  async function finishedCheck(
    reportNames: readonly string[],
    extra: Record<string, unknown> = {},
  ) {
    const onfido = client();
    const a = await applicant(extra);
    const { front, photo } = await withDocuments(onfido, a);
    const check = (
      await onfido.createCheck({
        applicant_id: a.id,
        report_names: [...reportNames] as ReportName[],
      })
    ).data;
    const reports = (await onfido.listReports(check.id)).data.reports;
    return { onfido, applicant: a, front, photo, check, reports };
  }

  describe('applicants', () => {
    it('keeps the address and ID numbers posted, null for every address field not given', async () => {
      const created = await applicant({
        email: 'ada@example.com',
        dob: '1815-12-10',
        phone_number: '+442079460000',
        address: {
          postcode: 'NW1 6XE',
          country: 'GBR',
          building_number: '221B',
          street: 'Baker Street',
          town: 'London',
        },
        id_numbers: [{ type: 'tax_id', value: 'AB123456C' }],
      });
      expect(created).toMatchObject({
        email: 'ada@example.com',
        dob: '1815-12-10',
        phone_number: '+442079460000',
        delete_at: null,
        id_numbers: [{ type: 'tax_id', value: 'AB123456C' }],
        location: { country_of_residence: 'GBR', ip_address: '203.0.113.7' },
        href: `/v3.6/applicants/${created.id}`,
      });
      expect(created.address).toEqual({
        postcode: 'NW1 6XE',
        country: 'GBR',
        flat_number: null,
        building_number: '221B',
        building_name: null,
        street: 'Baker Street',
        sub_street: null,
        town: 'London',
        state: null,
        line1: null,
        line2: null,
        line3: null,
      });
      expect((await client().findApplicant(created.id)).data).toEqual(created);
    });

    it('updates an applicant in part: an address or ID numbers sent replace the old ones', async () => {
      const onfido = client();
      const created = await applicant({
        address: { postcode: 'NW1 6XE', country: 'GBR', street: 'Baker Street' },
        id_numbers: [{ type: 'tax_id', value: 'AB123456C' }],
      });
      const updated = (
        await onfido.updateApplicant(created.id, {
          first_name: 'Augusta',
          email: 'augusta@example.com',
          address: { postcode: '10001', country: 'USA', line1: '350 Fifth Avenue', state: 'NY' },
          id_numbers: [{ type: 'ssn', value: '123-45-6789', state_code: 'NY' }],
          location: { country_of_residence: 'USA' },
          consents: [{ name: 'phone_number_verification', granted: true }],
        })
      ).data;
      expect(updated).toMatchObject({
        id: created.id,
        first_name: 'Augusta',
        last_name: 'Lovelace',
        email: 'augusta@example.com',
        id_numbers: [{ type: 'ssn', value: '123-45-6789', state_code: 'NY' }],
        location: { country_of_residence: 'USA', ip_address: '203.0.113.7' },
      });
      expect(updated.address).toMatchObject({
        postcode: '10001',
        country: 'USA',
        line1: '350 Fifth Avenue',
        state: 'NY',
        street: null,
      });
      expect((await onfido.findApplicant(created.id)).data).toEqual(updated);
      const consents = (await onfido.findApplicantConsents(created.id)).data;
      expect(consents.find((c) => c.name === 'phone_number_verification')).toEqual({
        name: 'phone_number_verification',
        granted: true,
        granted_at: new Date(emulator().clock.now()).toISOString(),
      });
      expect(consents.find((c) => c.name === 'privacy_notices_read')).toMatchObject({
        granted: false,
        granted_at: null,
      });
      const refused = await refusal(
        onfido.updateApplicant(created.id, { address: { postcode: '', country: 'GB' as never } }),
      );
      expect(refused.status).toBe(422);
      expect(refused.data).toMatchObject({
        error: {
          type: 'validation_error',
          fields: {
            'address.postcode': ["can't be blank"],
            'address.country': ['must be a 3-letter country code'],
          },
        },
      });
    });

    it('deletes an applicant into the archive, lists it with include_deleted, and restores it', async () => {
      const onfido = client();
      const created = await applicant();
      const { front } = await withDocuments(onfido, created);
      const deletedAt = emulator().clock.now();
      expect((await onfido.deleteApplicant(created.id)).status).toBe(204);
      expect(await refusal(onfido.findApplicant(created.id))).toEqual(
        notFound(`Applicant with id=${created.id}`),
      );
      expect(await refusal(onfido.findDocument(front.id))).toEqual(
        notFound(`Document with id=${front.id}`),
      );
      expect(
        (await onfido.listApplicants(1, 20, false)).data.applicants.map((a) => a.id),
      ).not.toContain(created.id);
      const archived = (await onfido.listApplicants(1, 20, true)).data.applicants.find(
        (a) => a.id === created.id,
      );
      expect(archived?.delete_at).toBe(new Date(deletedAt + 20 * DAY).toISOString());

      expect((await onfido.restoreApplicant(created.id)).status).toBe(204);
      expect((await onfido.findApplicant(created.id)).data).toMatchObject({
        id: created.id,
        delete_at: null,
      });
      expect((await onfido.findDocument(front.id)).data.id).toBe(front.id);
      const again = await refusal(onfido.restoreApplicant(created.id));
      expect(again.status).toBe(422);
    });

    it('forgets a deleted applicant and its records once the deletion delay has passed', async () => {
      const onfido = client();
      const created = await applicant();
      const { front } = await withDocuments(onfido, created);
      await onfido.deleteApplicant(created.id);
      emulator().clock.advance(20 * DAY - 1);
      expect((await onfido.listApplicants(1, 20, true)).data.applicants.map((a) => a.id)).toContain(
        created.id,
      );
      emulator().clock.advance(1);
      expect(await refusal(onfido.restoreApplicant(created.id))).toEqual(
        notFound(`Applicant with id=${created.id}`),
      );
      expect(
        (await onfido.listApplicants(1, 20, true)).data.applicants.map((a) => a.id),
      ).not.toContain(created.id);
      expect(emulator().servedBytes(front.id)).toBeUndefined();
    });

    it('refuses to delete an applicant whose check is still running', async () => {
      const { onfido, applicant: a, check } = await finishedCheck(['document']);
      await emulator().reopenCheck(check.id);
      const refused = await refusal(onfido.deleteApplicant(a.id));
      expect(refused.status).toBe(422);
      expect(refused.data).toMatchObject({ error: { type: 'deletion_incomplete_checks' } });
      expect((await onfido.findApplicant(a.id)).data.delete_at).toBeNull();
    });
  });

  describe('documents read by NFC', () => {
    it('takes NFC chip data through the document upload and serves the chip’s face', async () => {
      const onfido = client();
      const a = await applicant();
      const nfc = (
        await onfido.uploadDocument('passport', a.id, new FileTransfer(NFC_DATA, 'nfc_data.json'))
      ).data;
      expect(nfc).toMatchObject({
        type: 'passport',
        file_type: 'json',
        file_name: 'nfc_data.json',
      });
      const face = await onfido.downloadNfcFace(nfc.id);
      expect(face.status).toBe(200);
      expect(face.headers['content-type']).toBe('image/png');
      expect(text(face.data).slice(1, 4)).toBe('PNG');
      expect((face.data as FileTransfer).filename).toBe(`${nfc.id}_nfc_face.png`);

      const { front } = await withDocuments(onfido, a);
      expect((await refusal(onfido.downloadNfcFace(front.id))).status).toBe(404);
      expect(await refusal(onfido.downloadNfcFace('00000000-0000-4000-8000-000000000000'))).toEqual(
        notFound('Document with id=00000000-0000-4000-8000-000000000000'),
      );

      const check = (
        await onfido.createCheck({
          applicant_id: a.id,
          report_names: ['document'],
          document_ids: [nfc.id],
        })
      ).data;
      const [report] = (await onfido.listReports(check.id)).data.reports as [DocumentReport];
      expect(report.documents).toEqual([{ id: nfc.id }]);
      expect(report.properties?.nfc).toEqual({
        document_type: 'driving_licence',
        issuing_country: 'GBR',
        full_name: 'Ada Lovelace',
        document_number: expect.stringMatching(/^D\d{9}$/),
        nationality: 'GBR',
        date_of_birth: '1988-04-17',
        date_of_expiry: '2031-09-30',
      });
      expect(Object.keys(report.breakdown?.issuing_authority?.breakdown ?? {}).sort()).toEqual([
        'nfc_active_authentication',
        'nfc_passive_authentication',
      ]);
    });
  });

  describe('ID photos', () => {
    it('uploads, lists, finds and downloads ID photos, named by a uuid as the sandbox does', async () => {
      const onfido = client();
      const a = await applicant();
      const photo = (await onfido.uploadIdPhoto(a.id, new FileTransfer(PNG, 'my-id.png'))).data;
      expect(photo).toEqual({
        id: expect.stringMatching(UUID),
        created_at: new Date(emulator().clock.now()).toISOString(),
        href: `/v3.6/id_photos/${photo.id}`,
        download_href: `/v3.6/id_photos/${photo.id}/download`,
        file_name: `${photo.id}.png`,
        file_type: 'image/png',
        file_size: PNG.length,
      });
      expect((await onfido.listIdPhotos(a.id)).data.id_photos).toEqual([photo]);
      expect((await onfido.findIdPhoto(photo.id)).data).toEqual(photo);
      const file = (await onfido.downloadIdPhoto(photo.id, EXACT)).data as FileTransfer;
      expect(file.buffer.equals(PNG)).toBe(true);
      expect(file.filename).toBe(`${photo.id}.png`);
      expect(await refusal(onfido.findIdPhoto('00000000-0000-4000-8000-000000000000'))).toEqual(
        notFound('IdPhoto with id=00000000-0000-4000-8000-000000000000'),
      );
    });
  });

  describe('recorded media', () => {
    const { applicantId, liveVideoIds, motionCaptureIds } = ONFIDO_SAMPLE_MEDIA;

    it('lists, finds and downloads the sample motion captures, and a frame of each', async () => {
      const onfido = client();
      const listed = (await onfido.listMotionCaptures(applicantId)).data.motion_captures;
      expect(listed.map((m) => m.id)).toEqual([...motionCaptureIds]);
      const [first] = listed;
      expect(first).toEqual({
        id: motionCaptureIds[0],
        created_at: new Date(emulator().clock.now() - 30 * DAY).toISOString(),
        href: `/v3.6/motion_captures/${motionCaptureIds[0]}`,
        download_href: `/v3.6/motion_captures/${motionCaptureIds[0]}/download`,
        file_name: `${motionCaptureIds[0]}.mp4`,
        file_type: 'video/mp4',
        file_size: emulator().servedBytes(motionCaptureIds[0])?.length,
      });
      expect((await onfido.findMotionCapture(motionCaptureIds[1])).data).toEqual(listed[1]);
      const video = await onfido.downloadMotionCapture(motionCaptureIds[0], EXACT);
      expect(video.headers['content-type']).toBe('video/mp4');
      expect((video.data as FileTransfer).buffer.subarray(4, 12).toString('latin1')).toBe(
        'ftypisom',
      );
      const frame = await onfido.downloadMotionCaptureFrame(motionCaptureIds[0]);
      expect(frame.status).toBe(200);
      expect(frame.headers['content-type']).toBe('image/jpeg');
      expect(text(frame.data).slice(0, 10)).toContain('JFIF');
      expect((frame.data as FileTransfer).filename).toBe(`${motionCaptureIds[0]}_frame.jpg`);
      expect(
        await refusal(onfido.downloadMotionCaptureFrame('00000000-0000-4000-8000-000000000000')),
      ).toEqual(notFound('MotionCapture with id=00000000-0000-4000-8000-000000000000'));
    });

    it('lists live videos without their challenge, finds one with it, downloads it and a frame', async () => {
      const onfido = client();
      const listed = (await onfido.listLiveVideos(applicantId)).data.live_videos;
      expect(listed.map((v) => v.id)).toEqual([...liveVideoIds]);
      expect(listed[0]).toMatchObject({
        file_name: 'video.mov',
        file_type: 'video/quicktime',
        challenge: null,
        languages: null,
        download_href: `/v3.6/live_videos/${liveVideoIds[0]}/download`,
      });
      const found = (await onfido.findLiveVideo(liveVideoIds[0])).data;
      expect(found.challenge).toEqual([
        { type: 'recite', query: expect.arrayContaining([expect.any(Number)]) },
        { type: 'movement', query: expect.stringMatching(/^turn(Left|Right)$/) },
      ]);
      expect(found).toMatchObject({ ...listed[0], challenge: found.challenge });
      const video = await onfido.downloadLiveVideo(liveVideoIds[1], EXACT);
      expect(video.headers['content-type']).toBe('video/quicktime');
      expect((video.data as FileTransfer).filename).toBe('video.mov');
      expect(
        (video.data as FileTransfer).buffer.equals(
          Buffer.from(emulator().servedBytes(liveVideoIds[1])!),
        ),
      ).toBe(true);
      const frame = await onfido.downloadLiveVideoFrame(liveVideoIds[1], EXACT);
      const jpeg = (frame.data as FileTransfer).buffer;
      expect(frame.headers['content-type']).toBe('image/jpeg');
      expect([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      expect(jpeg.subarray(6, 10).toString('latin1')).toBe('JFIF');
    });
  });

  describe('checks', () => {
    it('keeps webhook_ids, the consent flag, tags and redirect_uri, and sends its events to those webhooks only', async () => {
      const onfido = client();
      const hooks = await Promise.all(
        ['https://one.example.com/onfido', 'https://two.example.com/onfido'].map(
          async (url) => (await onfido.createWebhook({ url, events: ['check.completed'] })).data,
        ),
      );
      const a = await applicant();
      await withDocuments(onfido, a);
      const sent = emulator().deliveries().length;
      const created = (
        await onfido.createCheck({
          applicant_id: a.id,
          report_names: ['document'],
          webhook_ids: hooks.map((h) => h.id),
          privacy_notices_read_consent_given: true,
          tags: ['onboarding', 'uk'],
          redirect_uri: 'https://app.example.com/done',
        })
      ).data;
      expect(created).toMatchObject({
        webhook_ids: hooks.map((h) => h.id),
        privacy_notices_read_consent_given: true,
        tags: ['onboarding', 'uk'],
        redirect_uri: 'https://app.example.com/done',
        status: 'in_progress',
      });
      const found = (await onfido.findCheck(created.id)).data;
      expect(found).toMatchObject({ webhook_ids: hooks.map((h) => h.id), status: 'complete' });
      const events = emulator()
        .deliveries()
        .slice(sent)
        .map((d) => [
          d.url,
          (JSON.parse(d.body) as { payload: { action: string } }).payload.action,
        ]);
      expect(events).toEqual([
        ['https://one.example.com/onfido', 'check.completed'],
        ['https://two.example.com/onfido', 'check.completed'],
      ]);
      const unknown = await refusal(
        onfido.createCheck({
          applicant_id: a.id,
          report_names: ['document'],
          webhook_ids: ['00000000-0000-4000-8000-000000000000'],
        }),
      );
      expect(unknown.status).toBe(422);
    });

    it('answers privacy_notices_read_consent_given null when it was not sent', async () => {
      const { check } = await finishedCheck(['document']);
      expect(check).toMatchObject({ privacy_notices_read_consent_given: null, webhook_ids: [] });
    });

    it('downloads a check as a small valid PDF', async () => {
      const { onfido, check } = await finishedCheck(['document']);
      const file = await onfido.downloadCheck(check.id);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(text(file.data).slice(0, 5)).toBe('%PDF-');
      expect((file.data as FileTransfer).filename).toBe(`check_${check.id}.pdf`);
      const pdf = ((await onfido.downloadCheck(check.id, EXACT)).data as FileTransfer).buffer;
      const body = pdf.toString('latin1');
      expect(body.trimEnd().endsWith('%%EOF')).toBe(true);
      const xref = Number(/startxref\n(\d+)/.exec(body)?.[1]);
      expect(body.slice(xref, xref + 4)).toBe('xref');
      expect(body).toContain(`check ${check.id}`);
      expect(await refusal(onfido.downloadCheck('00000000-0000-4000-8000-000000000000'))).toEqual(
        notFound('Check with id=00000000-0000-4000-8000-000000000000'),
      );
    });
  });

  describe('reports', () => {
    it('resumes a report paused for approval: report.resumed, then the check completes', async () => {
      const { onfido, check, reports } = await finishedCheck(['document', 'watchlist_standard']);
      await emulator().reopenCheck(check.id);
      const held = reports[1] as Report;
      await emulator().holdReport(held.id);
      await emulator().completeChecks();
      expect((await onfido.findReport(held.id)).data.status).toBe('awaiting_approval');
      expect((await onfido.findCheck(check.id)).data.status).toBe('reopened');
      expect((await onfido.resumeReport(held.id)).status).toBe(204);
      expect((await onfido.findReport(held.id)).data).toMatchObject({
        status: 'complete',
        result: 'clear',
      });
      expect((await onfido.findCheck(check.id)).data).toMatchObject({
        status: 'complete',
        result: 'clear',
      });
      const actions = emulator()
        .deliveries()
        .map(
          (d) =>
            (JSON.parse(d.body) as { payload: { action: string; object: { id: string } } }).payload,
        )
        .filter((p) => p.object.id === held.id)
        .map((p) => p.action);
      expect(actions).toEqual(['report.awaiting_approval', 'report.resumed']);
    });

    it('cancels a report paused for approval: report.cancelled, and the check completes without it', async () => {
      const { onfido, check, reports } = await finishedCheck(['document', 'watchlist_standard']);
      await emulator().reopenCheck(check.id);
      const held = reports[1] as Report;
      await emulator().holdReport(held.id);
      expect((await onfido.cancelReport(held.id)).status).toBe(204);
      expect((await onfido.findReport(held.id)).data).toMatchObject({
        status: 'cancelled',
        result: null,
        breakdown: [],
      });
      expect((await onfido.findCheck(check.id)).data).toMatchObject({
        status: 'complete',
        result: 'clear',
      });
      const last = JSON.parse(emulator().deliveries().at(-2)?.body ?? '{}') as {
        payload: { action: string; object: { id: string; status: string } };
      };
      expect(last.payload).toMatchObject({
        action: 'report.cancelled',
        object: { id: held.id, status: 'cancelled' },
      });
    });

    it('answers 204 to resume and cancel of a report that is not paused, as the sandbox does', async () => {
      const { onfido, reports } = await finishedCheck(['document']);
      const report = reports[0] as Report;
      expect((await onfido.resumeReport(report.id)).status).toBe(204);
      expect((await onfido.cancelReport(report.id)).status).toBe(204);
      expect((await onfido.findReport(report.id)).data.status).toBe('complete');
      expect(await refusal(onfido.resumeReport('00000000-0000-4000-8000-000000000000'))).toEqual(
        notFound('Report with id=00000000-0000-4000-8000-000000000000'),
      );
    });
  });

  describe('report shapes', () => {
    it('sends every breakdown entry of the spec, and the documents it read', async () => {
      const { reports, front } = await finishedCheck(['document_video']);
      const report = reports[0] as DocumentReport;
      expect(report.documents).toEqual([{ id: front.id }]);
      expect(report.breakdown?.data_comparison?.breakdown?.issuing_country).toEqual({
        result: 'clear',
        properties: {},
      });
      expect(Object.keys(report.breakdown?.data_validation?.breakdown ?? {}).sort()).toEqual([
        'barcode',
        'date_of_birth',
        'document_expiration',
        'document_numbers',
        'expiry_date',
        'gender',
        'mrz',
      ]);
    });

    it('reads the applicant’s address on the address kinds', async () => {
      const { reports } = await finishedCheck(['document_with_address_information'], {
        address: {
          postcode: 'NW1 6XE',
          country: 'GBR',
          building_number: '221B',
          street: 'Baker Street',
          town: 'London',
        },
      });
      expect((reports[0] as DocumentReport).properties).toMatchObject({
        first_name: 'Ada',
        address: '221B Baker Street, London, NW1 6XE',
        address_lines: {
          street_address: '221B Baker Street',
          city: 'London',
          postal_code: 'NW1 6XE',
          country: 'GBR',
          country_code: 'GBR',
        },
      });
    });

    it('sends the licence categories on the driving licence kinds', async () => {
      const { reports } = await finishedCheck([
        'document_with_driving_licence_information',
        'document_with_driver_verification',
      ]);
      const [licence, driver] = reports as [
        DocumentWithDrivingLicenceInformationReport,
        DocumentWithDriverVerificationReport,
      ];
      expect(licence.properties?.driving_licence_information).toEqual([
        { category: 'B', codes: '', obtainment_date: '2010-06-01', expiry_date: '2031-09-30' },
      ]);
      expect(driver.properties).toMatchObject({
        drivers_licence: true,
        restricted_licence: false,
        manual_transmission_restriction: false,
        raw_vehicle_classes: 'C',
        passenger_vehicle: { is_qualified: true, expiry_date: '2031-09-30' },
        vehicle_class_details: [{ category: 'C', expiry_date: '2031-09-30' }],
      });
    });

    it('lists the media a facial similarity report read, every array present', async () => {
      const onfido = client();
      const a = await applicant();
      const { front } = await withDocuments(onfido, a);
      const motion = emulator().addMedia(a.id, 'motion_captures');
      const check = (
        await onfido.createCheck({ applicant_id: a.id, report_names: ['facial_similarity_motion'] })
      ).data;
      const [report] = (await onfido.listReports(check.id)).data.reports as [
        FacialSimilarityMotionReport,
      ];
      expect(report).toMatchObject({
        documents: [{ id: front.id }],
        motion_captures: [{ id: motion }],
        live_videos: [],
        id_photos: [],
        sub_result: null,
      });
      expect(report.live_photos).toHaveLength(1);
      expect(Object.keys(report.breakdown?.visual_authenticity?.breakdown ?? {}).sort()).toEqual([
        'liveness_detected',
        'spoofing_detection',
      ]);
    });
  });

  describe('webhooks', () => {
    it('creates a webhook with a name and OAuth settings, and updates it in part', async () => {
      const onfido = client();
      const created = (
        await onfido.createWebhook({
          url: 'https://backend.example.com/onfido',
          events: ['check.completed'],
          environments: ['sandbox', 'live'],
          oauth_enabled: true,
          oauth_server_url: 'https://auth.example.com/token',
          oauth_server_client_id: 'onfido-hooks',
          oauth_server_client_secret: 's3cret',
          oauth_server_scope: 'webhooks',
          name: 'main',
        } as never)
      ).data as unknown as Record<string, unknown>;
      expect(created).toMatchObject({
        name: 'main',
        url: 'https://backend.example.com/onfido',
        environments: ['sandbox', 'live'],
        payload_version: 3,
        oauth_enabled: true,
        oauth_server_url: 'https://auth.example.com/token',
        oauth_server_client_id: 'onfido-hooks',
        oauth_server_client_secret: 's3cret',
        oauth_server_scope: 'webhooks',
        href: `/v3.6/webhooks/${created['id']}`,
      });
      const id = created['id'] as string;
      const updated = (
        await onfido.updateWebhook(id, {
          enabled: false,
          events: ['check.completed', 'report.completed'],
          name: 'renamed',
        } as never)
      ).data;
      expect(updated).toEqual({
        ...created,
        enabled: false,
        events: ['check.completed', 'report.completed'],
        name: 'renamed',
      });
      expect((await onfido.findWebhook(id)).data).toEqual(updated);
      const plain = (await onfido.createWebhook({ url: 'https://b.example.com/hook' })).data;
      expect(plain).toMatchObject({ name: null, oauth_enabled: false, oauth_server_url: null });
      expect(
        (await refusal(onfido.updateWebhook(id, { url: 'http://insecure.example.com' }))).status,
      ).toBe(422);
      expect(
        await refusal(onfido.updateWebhook('00000000-0000-4000-8000-000000000000', {})),
      ).toEqual(notFound('Webhook with id=00000000-0000-4000-8000-000000000000'));
    });

    it('resends the check.completed of a complete check', async () => {
      const { onfido, check } = await finishedCheck(['document']);
      const first = emulator()
        .deliveries()
        .filter((d) => d.body.includes(check.id) && d.body.includes('check.completed'));
      expect(first).toHaveLength(1);
      const answer = await onfido.resendWebhooks({
        data: [{ resource_id: check.id, event: 'check.completed' }],
      });
      expect(answer.status).toBe(204);
      const again = emulator().deliveries().at(-1);
      expect(again?.body).toBe(first[0]?.body);
      expect((await refusal(onfido.resendWebhooks({ data: [] }))).status).toBe(422);
    });
  });

  describe('Studio workflows declared with their steps', () => {
    it('runs the declared steps: a motion capture, and the reports its steps name', async () => {
      const onfido = client();
      const a = await applicant();
      const run = (
        await onfido.createWorkflowRun({
          workflow_id: MOTION_WORKFLOW.id,
          applicant_id: a.id,
          tags: ['motion'],
        })
      ).data;
      expect(run).toMatchObject({
        workflow_id: MOTION_WORKFLOW.id,
        output: null,
        tags: ['motion'],
      });
      await emulator().completeCustomerJourney({ provider: 'onfido', attemptId: run.id });
      expect((await onfido.findWorkflowRun(run.id)).data.status).toBe('approved');
      const captures = (await onfido.listMotionCaptures(a.id)).data.motion_captures;
      expect(captures).toHaveLength(1);
      expect((await onfido.listLivePhotos(a.id)).data.live_photos).toEqual([]);
      const [check] = (await onfido.listChecks(a.id)).data.checks;
      const reports = (await onfido.listReports(check?.id as string)).data.reports;
      expect(reports.map((r) => r.name)).toEqual([...MOTION_WORKFLOW.steps]);
      expect((reports[1] as FacialSimilarityMotionReport).motion_captures).toEqual([
        { id: captures[0]?.id },
      ]);
      expect(emulator().workflows()).toContainEqual({
        id: MOTION_WORKFLOW.id,
        steps: [...MOTION_WORKFLOW.steps],
      });
      const listed = (
        await onfido.listWorkflowRuns(1, 'approved', undefined, undefined, undefined, a.id)
      ).data;
      expect(listed.map((r) => r.id)).toEqual([run.id]);
      expect(
        (await onfido.listWorkflowRuns(1, 'awaiting_input', undefined, undefined, undefined, a.id))
          .data,
      ).toEqual([]);
    });

    it('refuses a workflow it was not told of', async () => {
      const a = await applicant();
      const refused = await refusal(
        client().createWorkflowRun({
          workflow_id: '00000000-0000-4000-8000-000000000000',
          applicant_id: a.id,
        }),
      );
      expect(refused).toMatchObject({
        status: 422,
        data: { error: { type: 'validation_error', fields: { workflow_id: ['not found'] } } },
      });
    });
  });

  describe('hrefs, health and credentials', () => {
    it('answers every href as the API’s own path, /v3.6/...', async () => {
      const {
        onfido,
        applicant: a,
        front,
        photo,
        check,
        reports,
      } = await finishedCheck(['document']);
      const idPhoto = (await onfido.uploadIdPhoto(a.id, new FileTransfer(PNG, 'id.png'))).data;
      const hook = (await onfido.createWebhook({ url: 'https://h.example.com/x' })).data;
      const video = (await onfido.findLiveVideo(ONFIDO_SAMPLE_MEDIA.liveVideoIds[0])).data;
      const hrefs = [
        [a.href, `/v3.6/applicants/${a.id}`],
        [check.href, `/v3.6/checks/${check.id}`],
        [reports[0]?.href, `/v3.6/reports/${reports[0]?.id}`],
        [front.href, `/v3.6/documents/${front.id}`],
        [front.download_href, `/v3.6/documents/${front.id}/download`],
        [photo.href, `/v3.6/live_photos/${photo.id}`],
        [idPhoto.href, `/v3.6/id_photos/${idPhoto.id}`],
        [video.href, `/v3.6/live_videos/${video.id}`],
        [hook.href, `/v3.6/webhooks/${hook.id}`],
      ];
      for (const [href, expected] of hrefs) expect(href).toBe(expected);
    });

    it('answers the health check', async () => {
      const answer = await client().ping();
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      expect(text(answer.data)).toBe('OK');
    });

    it('refuses an upload with a wrong token, then answers the next call', async () => {
      const a = await applicant();
      const wrong = client('api_sandbox.wrong');
      const refused = await refusal(
        wrong.uploadDocument(
          'passport',
          a.id,
          new FileTransfer(Buffer.alloc(600_000, 3), 'big.png'),
        ),
      );
      expect(refused).toMatchObject({
        status: 401,
        data: { error: { type: 'authorization_error' } },
      });
      expect((await client().findApplicant(a.id)).data.id).toBe(a.id);
      expect((await client().listDocuments(a.id)).data.documents).toEqual([]);
    });
  });
}
