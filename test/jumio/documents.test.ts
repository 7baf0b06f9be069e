import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  createProvider,
  type DocumentInfo,
  DownloadRefusedError,
  type IdentityVerificationProvider,
  NetworkError,
  type SessionRef,
} from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { caught, useJumioEmulator } from './harness';

const { emulator } = useJumioEmulator();

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const PNG_SIGNATURE = '89504e470d0a1a0a';

async function finished(
  overrides: Record<string, unknown> = {},
): Promise<{ idv: IdentityVerificationProvider; session: SessionRef }> {
  const idv = await createProvider(emulator.config({ clock: createTestClock(), ...overrides }));
  const { session } = await idv.startVerification({ identityReference: 'identity-docs' });
  await emulator.completeCustomerJourney(session);
  return { idv, session };
}

describe('KYX documents', () => {
  it('lists the document sides and the selfie, skipping parts without a download link', async () => {
    const { idv, session } = await finished();
    const documents = await idv.listDocuments(session);
    expect(documents.map((d) => [d.kind, d.side, d.documentType])).toEqual([
      ['document', 'front', 'ID'],
      ['document', 'back', 'ID'],
      ['selfie', 'face', 'SELFIE'],
    ]);
    const execution = emulator.execution(session.attemptId!)!;
    const id = execution.credentials.find((c) => c.category === 'ID')!.id;
    expect(documents[0]).toEqual({
      id: `${id}:FRONT`,
      kind: 'document',
      side: 'front',
      documentType: 'ID',
      downloadUrl: `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${session.subjectId}/credentials/${id}/parts/FRONT`,
    });
  });

  it('lists nothing before the customer uploaded anything', async () => {
    const idv = await createProvider(emulator.config());
    const { session } = await idv.startVerification({ identityReference: 'identity-empty' });
    expect(await idv.listDocuments(session)).toEqual([]);
  });

  it('streams every image with the Bearer token, hash-equal to what Jumio served', async () => {
    const { idv, session } = await finished();
    const documents = await idv.listDocuments(session);
    const hashes = new Set<string>();
    for (const document of documents) {
      const download = await idv.downloadDocument(document);
      const bytes = await readAll(download.body);
      const served = emulator.servedBytes(document.id);
      expect(served).toBeDefined();
      expect(sha256(bytes)).toBe(sha256(served!));
      expect(bytes.subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
      expect(download.contentType).toBe('image/png');
      expect(download.size).toBe(served!.byteLength);
      expect(download.fileName).toMatch(/^(document|selfie)-[\w-]+_(FRONT|BACK|FACE)\.png$/);
      hashes.add(sha256(bytes));
    }
    expect(hashes.size).toBe(3);
    const downloads = emulator.requests().filter((r) => r.path.includes('/parts/'));
    expect(downloads).toHaveLength(3);
    for (const request of downloads) {
      expect(request.headers['authorization']).toBe(`Bearer ${emulator.issuedTokens()[0]}`);
    }
  });

  it('refuses a download link off the retrieval host before sending anything', async () => {
    const { idv, session } = await finished();
    const [document] = await idv.listDocuments(session);
    const before = emulator.requests().length;
    for (const downloadUrl of [
      'https://evil.example/api/v1/accounts/x/credentials/y/parts/FRONT',
      'https://retrieval.emea-1.jumio.ai/api/v1/accounts/x/credentials/y/parts/FRONT',
      'http://retrieval.amer-1.jumio.ai/api/v1/accounts/x/credentials/y/parts/FRONT',
      'https://retrieval.amer-1.jumio.ai.evil.example/parts/FRONT',
      'not a url',
    ]) {
      const forged: DocumentInfo = { ...document!, downloadUrl };
      const error = await caught(idv.downloadDocument(forged));
      expect(error).toBeInstanceOf(DownloadRefusedError);
      expect((error as DownloadRefusedError).reason).toBe('off_host');
    }
    expect(emulator.requests()).toHaveLength(before);
  });

  it('refuses to list a part whose link Jumio answered with another host', async () => {
    const { idv, session } = await finished();
    emulator.setPartHref(session, 'BACK', 'https://files.attacker.example/back.png');
    const error = await caught(idv.listDocuments(session));
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect(error.message).toContain('files.attacker.example');
  });

  it('fails the stream when the connection breaks mid-image', async () => {
    const { idv, session } = await finished();
    const [document] = await idv.listDocuments(session);
    emulator.fail({ kind: 'truncated-body' }, { path: /\/parts\// });
    const download = await idv.downloadDocument(document!);
    const error = await readAll(download.body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
  });

  it('refuses an image larger than maxDownloadBytes', async () => {
    const { idv, session } = await finished({ maxDownloadBytes: 100 });
    const [document] = await idv.listDocuments(session);
    const error = await caught(idv.downloadDocument(document!));
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect((error as DownloadRefusedError).reason).toBe('too_large');
  });

  it('answers 404 for a part once it is gone', async () => {
    const { idv, session } = await finished();
    const [document] = await idv.listDocuments(session);
    const missing = { ...document!, downloadUrl: document!.downloadUrl.replace('/FRONT', '/NFC') };
    expect((await caught(idv.downloadDocument(missing))).code).toBe('not_found');
  });
});
