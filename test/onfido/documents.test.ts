import { createHash } from 'node:crypto';
import {
  createProvider,
  type DocumentInfo,
  DownloadRefusedError,
  NetworkError,
} from 'idv-providers';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ADA, readAll, useOnfidoEmulator } from './helpers';

const { emulator, server } = useOnfidoEmulator();

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function captured(extra: Record<string, unknown> = {}) {
  const idv = await createProvider(emulator.config(extra));
  const started = await idv.startVerification({ identityReference: 'identity-3', person: ADA });
  await emulator.completeCustomerJourney(started.session);
  const session = await idv.completeCapture(started.session);
  return { idv, session };
}

describe('listDocuments', () => {
  it('lists the document sides and the live photo with their metadata', async () => {
    const { idv, session } = await captured();
    const docs = await idv.listDocuments(session);
    expect(docs.map((d) => [d.kind, d.side, d.documentType ?? null])).toEqual([
      ['document', 'front', 'driving_licence'],
      ['document', 'back', 'driving_licence'],
      ['selfie', 'face', null],
    ]);
    for (const doc of docs) {
      const base = doc.kind === 'selfie' ? 'live_photos' : 'documents';
      expect(doc.downloadUrl).toBe(`https://api.eu.onfido.com/v3.6/${base}/${doc.id}/download`);
      expect(doc.contentType).toBe('image/png');
      expect(doc.size).toBe(emulator.servedBytes(doc.id)?.length);
      expect(doc.fileName).toMatch(/\.png$/);
    }
  });

  it('finds the applicant from the check id alone', async () => {
    const { idv, session } = await captured();
    const byCheck = await idv.listDocuments({ provider: 'onfido', attemptId: session.attemptId! });
    expect(byCheck.map((d) => d.id)).toEqual((await idv.listDocuments(session)).map((d) => d.id));
  });

  it('lists nothing for an applicant who has not captured yet', async () => {
    const idv = await createProvider(emulator.config());
    const started = await idv.startVerification({ identityReference: 'identity-4', person: ADA });
    expect(await idv.listDocuments(started.session)).toEqual([]);
  });

  it('uses the configured region host', async () => {
    const { idv, session } = await captured({ region: 'CA' });
    const docs = await idv.listDocuments(session);
    expect(docs.length).toBe(3);
    for (const doc of docs)
      expect(new URL(doc.downloadUrl).origin).toBe('https://api.ca.onfido.com');
  });
});

describe('downloadDocument', () => {
  it('streams exactly the bytes the emulator served', async () => {
    const { idv, session } = await captured();
    const docs = await idv.listDocuments(session);
    for (const doc of docs) {
      const download = await idv.downloadDocument(doc);
      const bytes = await readAll(download.body);
      const served = emulator.servedBytes(doc.id)!;
      expect(sha256(bytes)).toBe(sha256(served));
      expect(sha256(bytes)).toBe(emulator.servedSha256(doc.id));
      expect(download.contentType).toBe('image/png');
      expect(download.size).toBe(served.length);
      expect(download.fileName).toBe(doc.fileName);
      // A real PNG.
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    const [front, back] = docs;
    expect(emulator.servedSha256(front!.id)).not.toBe(emulator.servedSha256(back!.id));
  });

  it('streams a large document whole', async () => {
    const { idv, session } = await captured();
    const id = emulator.addLargeDocument(session.subjectId!, 8 * 1024 * 1024 + 3);
    const doc = (await idv.listDocuments(session)).find((d) => d.id === id)!;
    expect(doc).toMatchObject({ contentType: 'application/pdf', size: 8 * 1024 * 1024 + 3 });
    const download = await idv.downloadDocument(doc);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of download.body) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(size).toBe(8 * 1024 * 1024 + 3);
    expect(hash.digest('hex')).toBe(emulator.servedSha256(id));
  });

  it.each([
    ['another host', 'https://files.example.com/v3.6/documents/d-1/download'],
    ['another region', 'https://api.us.onfido.com/v3.6/documents/d-1/download'],
    ['a look-alike host', 'https://api.eu.onfido.com.example.net/v3.6/documents/d-1/download'],
    ['plain http', 'http://api.eu.onfido.com/v3.6/documents/d-1/download'],
    ['another port', 'https://api.eu.onfido.com:8443/v3.6/documents/d-1/download'],
    ['a relative URL', '/v3.6/documents/d-1/download'],
  ])('refuses a download URL on %s without sending anything', async (_what, downloadUrl) => {
    const idv = await createProvider(emulator.config());
    const doc: DocumentInfo = { id: 'd-1', kind: 'document', downloadUrl };
    const error = await idv.downloadDocument(doc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect((error as DownloadRefusedError).reason).toBe('off_host');
    expect(emulator.requests()).toEqual([]);
  });

  it('refuses a document larger than maxDownloadBytes', async () => {
    const { session } = await captured();
    const small = await createProvider(emulator.config({ maxDownloadBytes: 1000 }));
    const [doc] = await small.listDocuments(session);
    expect(doc!.size).toBeGreaterThan(1000);
    const error = await small.downloadDocument(doc!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect((error as DownloadRefusedError).reason).toBe('too_large');
  });

  it('stops a stream that grows past the limit when no size was announced', async () => {
    const { session } = await captured();
    const small = await createProvider(emulator.config({ maxDownloadBytes: 64 * 1024 }));
    const [doc] = await small.listDocuments(session);
    server.use(
      http.get(doc!.downloadUrl, () => {
        const piece = new Uint8Array(16 * 1024);
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 40) controller.close();
            else controller.enqueue(piece);
            sent += 1;
          },
        });
        return new HttpResponse(body, { headers: { 'Content-Type': 'image/png' } });
      }),
    );
    const download = await small.downloadDocument(doc!);
    const error = await readAll(download.body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect((error as DownloadRefusedError).reason).toBe('too_large');
  });

  it('reports a body that breaks off as a NetworkError', async () => {
    const { idv, session } = await captured();
    const [doc] = await idv.listDocuments(session);
    emulator.fail({ kind: 'truncated-body' }, { path: /\/download$/ });
    const download = await idv.downloadDocument(doc!);
    const error = await readAll(download.body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
  });

  it('sends the API token only to the API host', async () => {
    const { idv, session } = await captured();
    const [doc] = await idv.listDocuments(session);
    let authorization: string | null = null;
    server.use(
      http.get(doc!.downloadUrl, ({ request }) => {
        authorization = request.headers.get('authorization');
        return new HttpResponse(new Uint8Array([1, 2, 3]), {
          headers: { 'Content-Type': 'image/png' },
        });
      }),
    );
    await readAll((await idv.downloadDocument(doc!)).body);
    expect(authorization).toBe(`Token token=${emulator.apiToken}`);
  });
});
