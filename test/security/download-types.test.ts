/**
 * What a downloaded document is handed over as. The provider's `Content-Type`
 * is a claim: the type comes from the first bytes when they show one (JPEG,
 * PNG, GIF, WebP, HEIC/HEIF, TIFF, PDF, MP4, QuickTime, WebM), markup (HTML,
 * SVG, XML) is refused as `DownloadRefusedError` (`unsupported_type`), and
 * anything else keeps the provider's type only when it is an image, PDF or
 * video type (else `application/octet-stream`). Every download gets a
 * non-blank plain file name ending in its type's extension: no directories,
 * no control characters, no hidden or reserved names.
 */
import {
  createProvider,
  type DocumentInfo,
  DownloadRefusedError,
  UnexpectedResponseError,
} from 'idv-providers';
import {
  createHttpClient,
  downloadFileName,
  downloadStream,
  mediaTypeOf,
  plainFileName,
} from 'idv-providers/kit';
import { createJumioEmulator, createOnfidoEmulator } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { useMswEmulators } from '../msw-emulators';

const BASE = 'https://api.example.test/v1';
const onfidoEmulator = createOnfidoEmulator();
const jumioEmulator = createJumioEmulator();
const server = useMswEmulators([onfidoEmulator, jumioEmulator]);

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(120, 1),
]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(120, 2)]);
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'.padEnd(200, ' '));
const MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.alloc(80),
]);
const MOV = Buffer.concat([
  Buffer.from([0, 0, 0, 0x14]),
  Buffer.from('ftypqt  '),
  Buffer.alloc(80),
]);
const HTML = Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>');
const RANDOM = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256));

const http1 = () =>
  createHttpClient({
    provider: 'acme',
    baseUrl: BASE,
    timeoutMs: 2000,
    maxRetries: 0,
    maxRetryAfterMs: 0,
    secrets: () => [],
  });

async function serve(
  body: Buffer,
  headers: Record<string, string>,
  document: Partial<DocumentInfo> = {},
) {
  server.use(http.get(`${BASE}/files/d1`, () => new HttpResponse(body, { headers })));
  return downloadStream(
    http1(),
    { id: 'd1', kind: 'document', downloadUrl: `${BASE}/files/d1`, ...document },
    { provider: 'acme', allowedOrigins: ['https://api.example.test'], maxBytes: 1_000_000 },
  );
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function refused(promise: Promise<unknown>): Promise<DownloadRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DownloadRefusedError);
  return error as DownloadRefusedError;
}

describe('content types (the attack: text/html passed through to a host that serves documents)', () => {
  it.each([
    ['an HTML page labelled text/html', HTML, 'text/html'],
    ['an HTML page labelled image/jpeg', HTML, 'image/jpeg'],
    [
      'an SVG with a script labelled image/png',
      Buffer.from('<svg onload="alert(1)"/>'),
      'image/png',
    ],
    [
      'XML behind a byte-order mark and white space',
      Buffer.from('\ufeff \n\t<?xml version="1.0"?><x/>'),
      'application/pdf',
    ],
    ['UTF-16 HTML', Buffer.from('\ufeff<html>', 'utf16le'), 'application/octet-stream'],
  ])('%s is refused as unsupported_type', async (_, body, type) => {
    const error = await refused(serve(body, { 'content-type': type }));
    expect(error.reason).toBe('unsupported_type');
    expect(error.message).toContain('d1');
  });

  it.each([
    ['PNG bytes labelled text/html', PNG, 'text/html', 'image/png'],
    [
      'JPEG bytes labelled application/octet-stream',
      JPEG,
      'application/octet-stream',
      'image/jpeg',
    ],
    ['PDF bytes labelled image/png', PDF, 'image/png', 'application/pdf'],
    ['MP4 bytes without a type', MP4, '', 'video/mp4'],
    ['QuickTime bytes labelled video/mp4', MOV, 'video/mp4', 'video/quicktime'],
  ])('%s are relabelled by their bytes', async (_, body, type, expected) => {
    const download = await serve(body, type === '' ? {} : { 'content-type': type });
    expect(download.contentType).toBe(expected);
    expect(await drain(download.body)).toEqual(body);
  });

  it.each([
    ['image/jpeg', 'image/jpeg'],
    ['IMAGE/PNG; charset=binary', 'image/png'],
    ['image/jpg', 'image/jpeg'],
    ['text/html', 'application/octet-stream'],
    ['image/svg+xml', 'application/octet-stream'],
    ['application/javascript', 'application/octet-stream'],
    ['constructor', 'application/octet-stream'],
  ])('unrecognised bytes labelled %j are handed over as %s', async (type, expected) => {
    const download = await serve(RANDOM, { 'content-type': type });
    expect(download.contentType).toBe(expected);
    expect(await drain(download.body)).toEqual(RANDOM);
  });

  it('the listing’s type counts when the answer’s is not a listed one', async () => {
    const download = await serve(
      RANDOM,
      { 'content-type': 'binary/octet-stream' },
      { contentType: 'image/heic' },
    );
    expect(download.contentType).toBe('image/heic');
    download.body.resume();
  });

  it('an empty body is handed over (as the declared type) rather than hanging', async () => {
    const download = await serve(Buffer.alloc(0), { 'content-type': 'image/png' });
    expect(download.contentType).toBe('image/png');
    expect((await drain(download.body)).length).toBe(0);
  });

  it('mediaTypeOf names only listed types', () => {
    expect(mediaTypeOf(PNG, ['text/html'])).toEqual({ ok: true, type: 'image/png' });
    expect(mediaTypeOf(RANDOM, ['text/html', undefined])).toEqual({
      ok: true,
      type: 'application/octet-stream',
    });
    expect(mediaTypeOf(HTML, ['image/png']).ok).toBe(false);
  });
});

describe('file names (the attack: blank names, directories, control characters)', () => {
  it.each([
    ['attachment; filename="../../etc/cron.d/evil"', 'evil.png'],
    ['attachment; filename="..\\\\..\\\\Windows\\\\evil.png"', 'evil.png'],
    ['attachment; filename="   "', 'document-d1.png'],
    ['attachment; filename="...."', 'document-d1.png'],
    ["attachment; filename*=UTF-8''%00%0D%0A.png", 'document-d1.png'],
    ["attachment; filename*=UTF-8''a%0D%0Ab%1Bc.png", 'a__b_c.png'],
    ['attachment; filename=".htaccess"', 'htaccess.png'],
    ['attachment; filename="passport.html"', 'passport.html.png'],
    ['attachment; filename="CON.png"', '_CON.png'],
    ['attachment; filename="passport.PNG"', 'passport.PNG'],
    [`attachment; filename*=UTF-8''${encodeURIComponent('паспорт.png')}`, 'document-d1.png'],
  ])('Content-Disposition %s gives %s', async (disposition, name) => {
    const download = await serve(PNG, {
      'content-type': 'image/png',
      'content-disposition': disposition,
    });
    expect(download.fileName).toBe(name);
    download.body.resume();
  });

  it.each([
    ['', 'document-d1.png'],
    [' \t ', 'document-d1.png'],
    ['front/side.png', 'side.png'],
    ['x'.repeat(500), `${'x'.repeat(150)}.png`],
  ])('a listing file name %j gives %j', async (fileName, name) => {
    const download = await serve(PNG, { 'content-type': 'image/png' }, { fileName });
    expect(download.fileName).toBe(name);
    download.body.resume();
  });

  it('an id with separators and colons still makes a plain name', () => {
    expect(
      downloadFileName(undefined, { id: 'cred/../x:FRONT', kind: 'selfie' }, 'image/jpeg'),
    ).toBe('x_FRONT.jpg');
    expect(downloadFileName('', { id: '///', kind: 'video' }, 'video/mp4')).toBe('document.mp4');
    expect(plainFileName('\u0000\u0007')).toBe('');
  });
});

describe('a redirect whose Location is not a URL (received text)', () => {
  it('is an UnexpectedResponseError, not a TypeError, and does not quote the Location', async () => {
    server.use(
      http.get(
        `${BASE}/files/r`,
        () =>
          new HttpResponse(null, { status: 302, headers: { location: 'http://u:pa/ss@x:port/' } }),
      ),
    );
    const error = await downloadStream(
      http1(),
      { id: 'd1', kind: 'document', downloadUrl: `${BASE}/files/r` },
      { provider: 'acme', allowedOrigins: ['https://api.example.test'], maxBytes: 1000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).not.toContain('pa/ss');
  });
});

describe('through the adapters', () => {
  it('Onfido: a document served as text/html with a page in it is refused', async () => {
    const idv = await createProvider(onfidoEmulator.config());
    server.use(
      http.get(
        'https://api.eu.onfido.com/v3.6/documents/:id/download',
        () => new HttpResponse(HTML, { headers: { 'content-type': 'text/html' } }),
      ),
    );
    const error = await refused(
      idv.downloadDocument({
        id: 'doc-1',
        kind: 'document',
        downloadUrl: 'https://api.eu.onfido.com/v3.6/documents/doc-1/download',
      }),
    );
    expect(error.reason).toBe('unsupported_type');
  });

  it('Jumio: a part with no name and PNG bytes labelled text/html is a PNG with a plain name', async () => {
    const idv = await createProvider(jumioEmulator.config());
    const url = 'https://retrieval.amer-1.jumio.ai/api/v1/accounts/a-1/credentials/c-1/parts/FRONT';
    server.use(
      http.get(url, () => new HttpResponse(PNG, { headers: { 'content-type': 'text/html' } })),
    );
    const download = await idv.downloadDocument({
      id: 'c-1:FRONT',
      kind: 'document',
      downloadUrl: url,
    });
    expect(download.contentType).toBe('image/png');
    expect(download.fileName).toBe('document-c-1_FRONT.png');
    download.body.resume();
  });
});
