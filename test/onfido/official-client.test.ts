/**
 * Onfido's official Node client, `@onfido/api` (docs/provider-facts.md#o-src-1),
 * unmodified, against the MSW emulator, for every call the adapter makes and
 * the few its tests name: if the emulator answers what the client cannot read,
 * or drifts from the shapes the client's models (generated from Onfido's
 * OpenAPI spec) describe, this file fails. It asserts on the values the client
 * returns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Applicant,
  type Check,
  Configuration,
  DefaultApi,
  type DocumentReport,
  type FacialSimilarityPhotoReport,
  FileTransfer,
  Region,
  type Report,
  type Webhook,
  WebhookEventVerifier,
  type WorkflowRun,
} from '@onfido/api';
import { isAxiosError } from 'axios';
import { generatePng } from 'idv-providers/emulator-kit';
import { describe, expect, it } from 'vitest';
import { useOnfidoEmulator } from './helpers';

const { emulator } = useOnfidoEmulator();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const PNG = Buffer.from(generatePng('official-client', 48, 32, 'official-client'));

function client(): DefaultApi {
  return new DefaultApi(new Configuration({ apiToken: emulator.apiToken, region: Region.EU }));
}

/** An applicant with a location, a document (front), a live photo, and a finished check. */
async function verified(onfido: DefaultApi) {
  const applicant = (
    await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      dob: '1815-12-10',
      location: { country_of_residence: 'GBR', ip_address: '203.0.113.7' },
      consents: [{ name: 'privacy_notices_read', granted: true }],
    })
  ).data;
  const document = (
    await onfido.uploadDocument(
      'passport',
      applicant.id,
      new FileTransfer(PNG, 'passport.png'),
      undefined,
      'front',
      'GBR',
    )
  ).data;
  const photo = (await onfido.uploadLivePhoto(applicant.id, new FileTransfer(PNG, 'selfie.png')))
    .data;
  const created = (
    await onfido.createCheck({
      applicant_id: applicant.id,
      report_names: ['document', 'facial_similarity_photo'],
    })
  ).data;
  return { applicant, document, photo, created };
}

describe('the official client against the emulator', () => {
  it('creates an applicant with its location, and finds and updates it', async () => {
    const onfido = client();
    const { data } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'USA' },
      consents: [{ name: 'privacy_notices_read', granted: true }],
    });
    const expected: Partial<Applicant> = {
      first_name: 'Ada',
      last_name: 'Lovelace',
      sandbox: true,
      location: { country_of_residence: 'USA' },
    };
    expect(data).toMatchObject(expected);
    expect(data.id).toMatch(UUID);
    expect(data.created_at).toMatch(ISO);
    expect(data.href).toBe(`/v3.6/applicants/${data.id}`);
    expect(data).toMatchObject({ delete_at: null, dob: null, id_numbers: [] });

    expect((await onfido.findApplicant(data.id)).data).toEqual(data);
    const updated = await onfido.updateApplicant(data.id, {
      location: { country_of_residence: 'CAN', ip_address: '198.51.100.4' },
    });
    expect(updated.data.location).toEqual({
      country_of_residence: 'CAN',
      ip_address: '198.51.100.4',
    });
    const consents = (await onfido.findApplicantConsents(data.id)).data;
    expect(consents).toContainEqual({
      name: 'privacy_notices_read',
      granted: true,
      granted_at: new Date(emulator.clock.now()).toISOString(),
    });
    expect(consents.map((c) => c.name).sort()).toEqual([
      'phone_number_verification',
      'privacy_notices_read',
      'ssn_verification',
    ]);
    const listed = (await onfido.listApplicants(1, 1)).data.applicants;
    expect(listed.map((a) => a.id)).toEqual([data.id]);
  });

  it('generates an SDK token (200)', async () => {
    const onfido = client();
    const { data: applicant } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'GBR' },
    });
    const answer = await onfido.generateSdkToken({
      applicant_id: applicant.id,
      referrer: 'https://verify.example.com/*',
    });
    expect(answer.status).toBe(200);
    expect(answer.data.token.split('.')).toHaveLength(3);
  });

  it('creates a check, finds it complete, lists and finds its reports', async () => {
    const onfido = client();
    const { applicant, document, photo, created } = await verified(onfido);
    const expectedNew: Partial<Check> = {
      applicant_id: applicant.id,
      status: 'in_progress',
      version: '3.6',
      paused: false,
      sandbox: true,
      tags: [],
    };
    expect(created).toMatchObject(expectedNew);
    expect(created).toMatchObject({ result: null, form_uri: null, redirect_uri: null });
    expect(created.href).toBe(`/v3.6/checks/${created.id}`);
    expect(created.results_uri).toBe(`https://dashboard.onfido.com/checks/${created.id}`);

    const check = (await onfido.findCheck(created.id)).data;
    expect(check).toMatchObject({ status: 'complete', result: 'clear' });
    expect(check.report_ids).toHaveLength(2);
    expect((await onfido.listChecks(applicant.id)).data.checks.map((c) => c.id)).toEqual([
      created.id,
    ]);

    const reports: Report[] = (await onfido.listReports(created.id)).data.reports;
    expect(reports.map((r) => r.name)).toEqual(['document', 'facial_similarity_photo']);
    const [doc, face] = reports as [DocumentReport, FacialSimilarityPhotoReport];
    expect(doc).toMatchObject({
      status: 'complete',
      result: 'clear',
      sub_result: 'clear',
      check_id: created.id,
      documents: [{ id: document.id }],
    });
    expect(doc.href).toBe(`/v3.6/reports/${doc.id}`);
    expect(Object.keys(doc.breakdown ?? {}).sort()).toEqual([
      'age_validation',
      'compromised_document',
      'data_comparison',
      'data_consistency',
      'data_validation',
      'image_integrity',
      'issuing_authority',
      'police_record',
      'visual_authenticity',
    ]);
    expect(Object.keys(doc.breakdown?.data_comparison?.breakdown ?? {})).toHaveLength(8);
    expect(doc.breakdown?.police_record).toEqual({ result: 'clear' });
    expect(doc.properties).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(face).toMatchObject({
      status: 'complete',
      result: 'clear',
      sub_result: null,
      documents: [{ id: document.id }],
      live_photos: [{ id: photo.id }],
      live_videos: [],
      motion_captures: [],
      id_photos: [],
      properties: { score: 0.93 },
    });
    expect(face.breakdown?.face_comparison?.breakdown?.face_match?.result).toBe('clear');

    expect((await onfido.findReport(doc.id)).data).toEqual(doc);
  });

  it('resumes a paused check (204)', async () => {
    const onfido = client();
    const { created } = await verified(onfido);
    await emulator.reopenCheck(created.id);
    emulator.holdCheck(created.id, 'paused');
    expect((await onfido.findCheck(created.id)).data).toMatchObject({
      status: 'paused',
      paused: true,
    });
    expect((await onfido.resumeCheck(created.id)).status).toBe(204);
    expect((await onfido.findCheck(created.id)).data).toMatchObject({
      status: 'complete',
      paused: false,
    });
  });

  it('lists and downloads documents, live photos, motion captures and ID photos', async () => {
    const onfido = client();
    const { applicant, document, photo } = await verified(onfido);
    expect(document).toMatchObject({
      type: 'passport',
      side: 'front',
      issuing_country: 'GBR',
      file_type: 'png',
      file_name: 'passport.png',
      file_size: PNG.length,
      applicant_id: applicant.id,
    });
    expect(photo).toMatchObject({ file_type: 'image/png', file_name: 'selfie.png' });
    const idPhoto = (await onfido.uploadIdPhoto(applicant.id, new FileTransfer(PNG, 'id.png')))
      .data;
    expect(idPhoto).toMatchObject({ file_type: 'image/png', file_size: PNG.length });
    const motion = emulator.addMedia(applicant.id, 'motion_captures');
    const video = emulator.addMedia(applicant.id, 'live_videos');

    const documents = (await onfido.listDocuments(applicant.id)).data.documents;
    expect(documents.map((d) => d.id)).toEqual([document.id]);
    const photos = (await onfido.listLivePhotos(applicant.id)).data.live_photos;
    expect(photos.map((p) => [p.id, p.file_type])).toEqual([[photo.id, 'image/png']]);
    const captures = (await onfido.listMotionCaptures(applicant.id)).data.motion_captures;
    expect(captures.map((m) => [m.id, m.file_type])).toEqual([[motion, 'video/mp4']]);
    const idPhotos = (await onfido.listIdPhotos(applicant.id)).data.id_photos;
    expect(idPhotos.map((p) => p.id)).toEqual([idPhoto.id]);
    const videos = (await onfido.listLiveVideos(applicant.id)).data.live_videos;
    expect(videos.map((v) => [v.id, v.file_type])).toEqual([[video, 'video/quicktime']]);

    // As the client's own tests read a download: `data.slice()` of the text
    // (NODE-TESTS documents.test.ts: "PNG" at 1..4); and byte for byte with
    // the client's per-call option `responseType: 'arraybuffer'`.
    const exact = { responseType: 'arraybuffer' } as const;
    const downloads = [
      [
        'documents',
        document.id,
        'image/png',
        (o?: typeof exact) => onfido.downloadDocument(document.id, o),
      ],
      [
        'live_photos',
        photo.id,
        'image/png',
        (o?: typeof exact) => onfido.downloadLivePhoto(photo.id, o),
      ],
      [
        'id_photos',
        idPhoto.id,
        'image/png',
        (o?: typeof exact) => onfido.downloadIdPhoto(idPhoto.id, o),
      ],
      [
        'motion_captures',
        motion,
        'video/mp4',
        (o?: typeof exact) => onfido.downloadMotionCapture(motion, o),
      ],
      [
        'live_videos',
        video,
        'video/quicktime',
        (o?: typeof exact) => onfido.downloadLiveVideo(video, o),
      ],
    ] as const;
    for (const [kind, id, type, download] of downloads) {
      const answer = await download();
      expect(answer.status, kind).toBe(200);
      expect(answer.headers['content-type'], kind).toBe(type);
      expect(answer.data, kind).toBeInstanceOf(FileTransfer);
      const text = (answer.data as FileTransfer).buffer as unknown as string;
      if (type === 'image/png') expect(text.slice(1, 4), kind).toBe('PNG');
      else expect(text.slice(4, 8), kind).toBe('ftyp');

      const bytes = (await download(exact)).data as FileTransfer;
      expect(Buffer.isBuffer(bytes.buffer), kind).toBe(true);
      expect(bytes.buffer.equals(Buffer.from(emulator.servedBytes(id)!)), kind).toBe(true);
    }
    const named = (await onfido.downloadDocument(document.id)).data as FileTransfer;
    expect(named.filename).toBe('passport.png');
  });

  it('creates and lists webhooks as the sandbox answers them', async () => {
    const onfido = client();
    const created = (
      await onfido.createWebhook({
        url: 'https://backend.example.com/onfido',
        events: ['check.completed', 'check.reopened'],
      })
    ).data;
    const expected: Partial<Webhook> = {
      url: 'https://backend.example.com/onfido',
      enabled: true,
      events: ['check.completed', 'check.reopened'],
      environments: ['sandbox'],
      payload_version: 3,
      oauth_enabled: false,
    };
    expect(created).toMatchObject(expected);
    expect(created).toMatchObject({ oauth_server_url: null, oauth_server_client_id: null });
    expect(created.token).toMatch(/^\S{16,}$/);
    const listed = (await onfido.listWebhooks()).data.webhooks;
    expect(listed.map((w) => w.url)).toContain('https://backend.example.com/onfido');
    expect(listed.every((w) => w.payload_version === 3)).toBe(true);
  });

  it('creates, finds and lists Studio workflow runs', async () => {
    const onfido = client();
    const { data: applicant } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'GBR' },
    });
    const expiresAt = new Date(emulator.clock.now() + 3_600_000).toISOString();
    const run = (
      await onfido.createWorkflowRun({
        workflow_id: emulator.workflowId,
        applicant_id: applicant.id,
        customer_user_id: 'identity-7',
        link: { expires_at: expiresAt, language: 'de_DE' },
      })
    ).data;
    const expected: Partial<WorkflowRun> = {
      applicant_id: applicant.id,
      workflow_id: emulator.workflowId,
      status: 'awaiting_input',
      customer_user_id: 'identity-7',
      workflow_version_id: 1,
    };
    expect(run).toMatchObject(expected);
    expect(run).toMatchObject({ output: null, error: null });
    expect(run.link).toMatchObject({ expires_at: expiresAt, language: 'de_DE' });
    expect(run.link?.url).toMatch(/^https:\/\/eu\.onfido\.app\/l\//);
    expect(run.sdk_token?.split('.')).toHaveLength(3);
    expect((await onfido.findWorkflowRun(run.id)).data).toEqual(run);
    const listed = (await onfido.listWorkflowRuns()).data;
    expect(Array.isArray(listed)).toBe(true);
    expect(listed.map((r) => r.id)).toContain(run.id);
  });

  it('verifies the emulator’s webhook deliveries, which carry no SDK token', async () => {
    const onfido = client();
    const { data: applicant } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'GBR' },
    });
    const run = (
      await onfido.createWorkflowRun({
        workflow_id: emulator.workflowId,
        applicant_id: applicant.id,
      })
    ).data;
    await emulator.completeCustomerJourney({ provider: 'onfido', attemptId: run.id });
    const delivery = emulator.deliveries().at(-1)!;
    const verifier = new WebhookEventVerifier(emulator.webhookToken);
    const event = verifier.readPayload(
      delivery.body,
      delivery.headers['x-sha2-signature']!,
    ) as unknown as {
      payload: { action: string; resource: Record<string, unknown>; object: { id: string } };
    };
    expect(event.payload.action).toBe('workflow_run.completed');
    expect(event.payload.object.id).toBe(run.id);
    expect(event.payload.resource).toMatchObject({
      id: run.id,
      applicant_id: applicant.id,
      workflow_run_id: run.id,
      status: 'approved',
    });
    expect(event.payload.resource).not.toHaveProperty('sdk_token');
    expect(delivery.body).not.toContain(run.sdk_token!);
  });

  it('authenticates with OAuth2 client credentials at the emulated token endpoint', async () => {
    const onfido = new DefaultApi(
      new Configuration({
        oauthClientId: emulator.clientId,
        oauthClientSecret: emulator.clientSecret,
        region: Region.EU,
      }),
    );
    const { data } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'GBR' },
    });
    expect((await onfido.findApplicant(data.id)).data.id).toBe(data.id);
    expect(emulator.requestCount('POST', /\/oauth\/token$/)).toBe(1);
    expect(emulator.issuedAccessTokens()).toHaveLength(1);
  });

  it('answers errors in the shape the client documents', async () => {
    const onfido = client();
    const missing = await onfido
      .findApplicant('00000000-0000-0000-0000-000000000000')
      .catch((e: unknown) => e);
    expect(isAxiosError(missing)).toBe(true);
    if (!isAxiosError(missing)) return;
    expect(missing.response?.status).toBe(404);
    expect(missing.response?.data).toEqual({
      error: {
        type: 'resource_not_found',
        message:
          'Could not find the following resource: Applicant with id=00000000-0000-0000-0000-000000000000',
        fields: {},
      },
    });
    const { data: applicant } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    const refused = await onfido
      .createCheck({ applicant_id: applicant.id, report_names: ['document'] })
      .catch((e: unknown) => e);
    expect(isAxiosError(refused) && refused.response?.status).toBe(422);
  });
});

describe('the emulator is typed with the client', () => {
  it('imports the client only for its types, so the build never needs it', () => {
    const dir = 'providers/onfido/emulator';
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    const importing = files.filter((f) =>
      readFileSync(join(dir, f), 'utf8').includes("'@onfido/api'"),
    );
    expect(importing.length).toBeGreaterThan(4);
    for (const file of importing) {
      const text = readFileSync(join(dir, file), 'utf8');
      const imports = [...text.matchAll(/^import\s+(type\s+)?[^;]*?from '@onfido\/api';$/gms)];
      expect(imports.length, file).toBeGreaterThan(0);
      expect(
        imports.every((m) => m[1] !== undefined),
        `${file} imports @onfido/api at run time`,
      ).toBe(true);
    }
  });
});
