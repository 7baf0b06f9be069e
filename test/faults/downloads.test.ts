/**
 * Faults on a document download, against both emulators. A download is a
 * `GET`: a fault before the answer starts is retried like any read; once the
 * stream is handed to the caller it is never restarted, so a transfer that
 * breaks off mid-body fails the stream with a `NetworkError`.
 */
import type { Readable } from 'node:stream';
import { type DocumentInfo, NetworkError, ProviderApiError } from 'idv-providers';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RETRIES, rejection, TARGETS, type Target, useEmulators } from './targets';

useEmulators();

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function firstDocument(target: Target): Promise<DocumentInfo> {
  const session = await target.finished();
  const { idv } = await target.provider();
  const [document] = await idv.listDocuments(session);
  if (document === undefined) throw new Error('the emulator listed no document');
  return document;
}

describe.each(TARGETS)('$name: downloadDocument', (target) => {
  const count = () => target.emulator.requestCount(target.download.method, target.download.path);
  const aim = (kind: 'reset' | 'truncated-body' | 503, times: number) =>
    target.emulator.fail(typeof kind === 'number' ? { kind: 'status', status: kind } : { kind }, {
      method: target.download.method,
      path: target.download.path,
      times,
    });

  it.each([503, 'reset'] as const)(
    '%s before the answer: retried, every byte arrives',
    async (kind) => {
      const document = await firstDocument(target);
      const { idv, clock } = await target.provider();
      aim(kind, 1);
      const download = await idv.downloadDocument(document);
      const bytes = await readAll(download.body);
      expect(Buffer.compare(bytes, Buffer.from(target.emulator.servedBytes(document.id)!))).toBe(0);
      expect(count()).toBe(2);
      expect(clock.sleeps).toEqual([225]);
    },
  );

  it(`503 that persists: ProviderApiError after ${DEFAULT_MAX_RETRIES + 1} attempts`, async () => {
    const document = await firstDocument(target);
    const { idv } = await target.provider();
    aim(503, DEFAULT_MAX_RETRIES + 1);
    const error = await rejection(idv.downloadDocument(document));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ code: 'provider_api_error', status: 503 });
    expect(count()).toBe(DEFAULT_MAX_RETRIES + 1);
  });

  it('a transfer cut off mid-body: the stream fails with NetworkError, not restarted', async () => {
    const document = await firstDocument(target);
    const { idv } = await target.provider();
    aim('truncated-body', 1);
    const download = await idv.downloadDocument(document);
    const error = await rejection(readAll(download.body));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'network_error', provider: target.name });
    expect(count()).toBe(1);
  });
});
