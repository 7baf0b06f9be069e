/**
 * The media of the face besides live photos (docs/provider-facts.md#o-med-1):
 * motion captures and live videos (kind `video`) and ID photos (kind
 * `selfie`), listed and downloaded with the documents; and a Studio run's
 * link expiry as the session's expiry.
 */
import { createHash } from 'node:crypto';
import { createProvider } from 'idv-providers';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ADA, readAll, useOnfidoEmulator } from './helpers';

const { emulator, server } = useOnfidoEmulator({ workflowLinkLifetimeMs: 30 * 60 * 1000 });
const EU = 'https://api.eu.onfido.com/v3.6';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function captured() {
  const idv = await createProvider(emulator.config());
  const started = await idv.startVerification({ identityReference: 'identity-media', person: ADA });
  await emulator.completeCustomerJourney(started.session);
  return { idv, session: started.session };
}

describe('motion captures, live videos and ID photos', () => {
  it('are listed after the documents and live photos, with their kind and MIME type', async () => {
    const { idv, session } = await captured();
    const motion = emulator.addMedia(session.subjectId, 'motion_captures');
    const video = emulator.addMedia(session.subjectId, 'live_videos');
    const idPhoto = emulator.addMedia(session.subjectId, 'id_photos');
    const docs = await idv.listDocuments(session);
    expect(docs.map((d) => [d.kind, d.side, d.contentType])).toEqual([
      ['document', 'front', 'image/png'],
      ['document', 'back', 'image/png'],
      ['selfie', 'face', 'image/png'],
      ['video', 'face', 'video/quicktime'],
      ['video', 'face', 'video/mp4'],
      ['selfie', 'face', 'image/png'],
    ]);
    const byId = new Map(docs.map((d) => [d.id, d]));
    expect(byId.get(motion)?.downloadUrl).toBe(`${EU}/motion_captures/${motion}/download`);
    expect(byId.get(video)?.downloadUrl).toBe(`${EU}/live_videos/${video}/download`);
    expect(byId.get(idPhoto)?.downloadUrl).toBe(`${EU}/id_photos/${idPhoto}/download`);
    expect(byId.get(motion)?.fileName).toMatch(/\.mp4$/);
  });

  it('downloads a motion capture and an ID photo byte for byte', async () => {
    const { idv, session } = await captured();
    const motion = emulator.addMedia(session.subjectId, 'motion_captures');
    const idPhoto = emulator.addMedia(session.subjectId, 'id_photos');
    const docs = await idv.listDocuments(session);
    for (const [id, type] of [
      [motion, 'video/mp4'],
      [idPhoto, 'image/png'],
    ] as const) {
      const doc = docs.find((d) => d.id === id)!;
      const download = await idv.downloadDocument(doc);
      const bytes = await readAll(download.body);
      expect(download.contentType).toBe(type);
      expect(download.size).toBe(bytes.length);
      expect(sha256(bytes)).toBe(emulator.servedSha256(id));
    }
    const motionBytes = emulator.servedBytes(motion)!;
    expect(Buffer.from(motionBytes.subarray(4, 8)).toString('latin1')).toBe('ftyp');
  });

  it('leaves out a motion capture without an id, which cannot be downloaded', async () => {
    const { idv, session } = await captured();
    server.use(
      http.get(`${EU}/motion_captures`, () =>
        HttpResponse.json({
          motion_captures: [
            { file_name: 'lost.mp4', file_type: 'video/mp4', file_size: 10 },
            { id: 'mc-1', file_name: 'kept.mp4', file_type: 'video/mp4', file_size: 10 },
          ],
        }),
      ),
    );
    const videos = (await idv.listDocuments(session)).filter((d) => d.kind === 'video');
    expect(videos.map((d) => [d.id, d.fileName])).toEqual([['mc-1', 'kept.mp4']]);
  });

  it('answers the live photo file_type as a MIME type, the document file_type as an extension', async () => {
    const { session } = await captured();
    const headers = { Authorization: `Token token=${emulator.apiToken}` };
    const photos = (await (
      await fetch(`${EU}/live_photos?applicant_id=${session.subjectId}`, { headers })
    ).json()) as { live_photos: Array<{ file_type: string }> };
    expect(photos.live_photos.map((p) => p.file_type)).toEqual(['image/png']);
    const documents = (await (
      await fetch(`${EU}/documents?applicant_id=${session.subjectId}`, { headers })
    ).json()) as { documents: Array<{ file_type: string }> };
    expect(documents.documents.map((d) => d.file_type)).toEqual(['png', 'png']);
  });
});

describe('a Studio run', () => {
  it("expires when its link does: link.expires_at is the session's expiresAt", async () => {
    const idv = await createProvider(emulator.config({ workflowId: emulator.workflowId }));
    const started = await idv.startVerification({
      identityReference: 'identity-studio',
      person: ADA,
    });
    const run = (await (
      await fetch(`${EU}/workflow_runs/${started.session.attemptId}`, {
        headers: { Authorization: `Token token=${emulator.apiToken}` },
      })
    ).json()) as { link: { expires_at: string } };
    expect(started.expiresAt.toISOString()).toBe(run.link.expires_at);
    expect(started.expiresAt.getTime()).toBe(emulator.clock.now() + 30 * 60 * 1000);
  });

  it('falls back to the SDK token lifetime when the run has no link expiry', async () => {
    const idv = await createProvider(emulator.config({ workflowId: emulator.workflowId }));
    server.use(
      http.post(`${EU}/workflow_runs`, () =>
        HttpResponse.json(
          { id: 'run-1', applicant_id: 'a-1', status: 'awaiting_input', link: { url: null } },
          { status: 201 },
        ),
      ),
    );
    const started = await idv.startVerification({
      identityReference: 'identity-studio',
      person: ADA,
    });
    expect(started.expiresAt.getTime()).toBe(emulator.clock.now() + 90 * 60 * 1000);
  });
});
