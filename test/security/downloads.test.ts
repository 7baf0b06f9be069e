/**
 * Downloads never leave the provider's host. Through each adapter's
 * `downloadDocument` (Onfido, Jumio KYX, Jumio Netverify): a `DocumentInfo`
 * whose `downloadUrl` is on any other origin (another host, scheme, port,
 * region, a look-alike host name, a relative or non-http URL) is refused with
 * `DownloadRefusedError` (`off_host`) before any request is sent; an answer
 * that redirects to another origin is refused (`redirect_off_host`) and the
 * other host is never asked, so the credentials never travel there; a listing
 * naming another host is refused too. Redirects within the host are followed.
 */
import type { Readable } from 'node:stream';
import {
  createProvider,
  type DocumentInfo,
  DownloadRefusedError,
  type IdentityVerificationProvider,
} from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jumioEmulator, onfidoEmulator, rejectionOf, useEmulators } from './secrets';

const server = useEmulators();
const requested: string[] = [];
beforeEach(() => {
  requested.length = 0;
  server.events.on('request:start', ({ request }) => {
    requested.push(request.url);
  });
});
afterEach(() => {
  server.events.removeAllListeners();
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

interface Adapter {
  name: string;
  /** The origin its documents come from. */
  origin: string;
  /** A provider, and the documents of a finished verification. */
  documents(): Promise<{ idv: IdentityVerificationProvider; documents: DocumentInfo[] }>;
  /** URLs on other origins. */
  offHost: string[];
}

const COMMON_OFF_HOST = [
  'https://evil.example/steal',
  '//evil.example/steal',
  '/relative/path/download',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:image/png;base64,iVBORw0KGgo=',
  'not a url',
  '',
];

const ADAPTERS: Adapter[] = [
  {
    name: 'Onfido',
    origin: 'https://api.eu.onfido.com',
    async documents() {
      const idv = await createProvider(onfidoEmulator.config({ clock: createTestClock() }));
      const started = await idv.startVerification({
        identityReference: 'identity-dl',
        person: { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' },
      });
      await onfidoEmulator.completeCustomerJourney(started.session);
      return { idv, documents: await idv.listDocuments(started.session) };
    },
    offHost: [
      ...COMMON_OFF_HOST,
      'http://api.eu.onfido.com/v3.6/documents/d/download',
      'https://api.eu.onfido.com:8443/v3.6/documents/d/download',
      'https://api.us.onfido.com/v3.6/documents/d/download',
      'https://api.eu.onfido.com.evil.example/v3.6/documents/d/download',
      'https://evil.example/api.eu.onfido.com/v3.6/documents/d/download',
      'https://onfido.com/v3.6/documents/d/download',
    ],
  },
  {
    name: 'Jumio KYX',
    origin: 'https://retrieval.amer-1.jumio.ai',
    async documents() {
      const idv = await createProvider(jumioEmulator.config({ clock: createTestClock() }));
      const { session } = await idv.startVerification({ identityReference: 'identity-dl' });
      await jumioEmulator.completeCustomerJourney(session);
      return { idv, documents: await idv.listDocuments(session) };
    },
    offHost: [
      ...COMMON_OFF_HOST,
      'https://account.amer-1.jumio.ai/api/v1/accounts/a/credentials/c/parts/FRONT',
      'https://auth.amer-1.jumio.ai/oauth2/token',
      'https://retrieval.emea-1.jumio.ai/api/v1/accounts/a/credentials/c/parts/FRONT',
      'http://retrieval.amer-1.jumio.ai/api/v1/accounts/a/credentials/c/parts/FRONT',
      'https://retrieval.amer-1.jumio.ai.evil.example/x',
    ],
  },
  {
    name: 'Jumio Netverify',
    origin: 'https://netverify.com',
    async documents() {
      const idv = await createProvider(
        jumioEmulator.config({ mode: 'netverify', clock: createTestClock() }),
      );
      const { session } = await idv.startVerification({ identityReference: 'identity-dl' });
      await jumioEmulator.completeCustomerJourney(session);
      return { idv, documents: await idv.listDocuments(session) };
    },
    offHost: [
      ...COMMON_OFF_HOST,
      'https://lon.netverify.com/api/netverify/v2/scans/s/images/front',
      'https://core-sgp.jumio.com/api/netverify/v2/scans/s/images/front',
      'https://netverify.com.evil.example/x',
      'http://netverify.com/api/netverify/v2/scans/s/images/front',
    ],
  },
];

describe.each(ADAPTERS)('$name downloadDocument', (adapter) => {
  it('downloads a listed document from its own host (the control)', async () => {
    const { idv, documents } = await adapter.documents();
    expect(documents.length).toBeGreaterThan(0);
    const [document] = documents;
    expect(new URL(document!.downloadUrl).origin).toBe(adapter.origin);
    const bytes = await readAll((await idv.downloadDocument(document!)).body);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it.each(adapter.offHost)('refuses %j before sending anything', async (url) => {
    const { idv, documents } = await adapter.documents();
    requested.length = 0;
    const error = await rejectionOf(idv.downloadDocument({ ...documents[0]!, downloadUrl: url }));
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect(error).toMatchObject({ code: 'download_refused', reason: 'off_host' });
    expect(requested).toEqual([]);
  });

  it.each([301, 302, 303, 307, 308])(
    'refuses a %i redirect to another host without following it',
    async (status) => {
      const { idv, documents } = await adapter.documents();
      const document = documents[0]!;
      server.use(
        http.get(document.downloadUrl, () =>
          HttpResponse.text('', { status, headers: { location: 'https://evil.example/steal' } }),
        ),
      );
      requested.length = 0;
      const error = await rejectionOf(idv.downloadDocument(document));
      expect(error).toBeInstanceOf(DownloadRefusedError);
      expect(error).toMatchObject({ code: 'download_refused', reason: 'redirect_off_host' });
      expect(requested).toEqual([document.downloadUrl]);
    },
  );

  it.each([
    ['protocol-relative', '//evil.example/steal'],
    ['plain http on the same host', `${adapter.origin.replace('https:', 'http:')}/x`],
    ['another port on the same host', `${adapter.origin}:8443/x`],
  ])('refuses a redirect that is %s', async (_case, location) => {
    const { idv, documents } = await adapter.documents();
    const document = documents[0]!;
    server.use(
      http.get(document.downloadUrl, () =>
        HttpResponse.text('', { status: 302, headers: { location } }),
      ),
    );
    requested.length = 0;
    const error = await rejectionOf(idv.downloadDocument(document));
    expect(error).toMatchObject({ code: 'download_refused', reason: 'redirect_off_host' });
    expect(requested).toEqual([document.downloadUrl]);
  });

  it('follows a redirect within the host, and refuses the next hop off it', async () => {
    const { idv, documents } = await adapter.documents();
    const [first, second] = documents;
    server.use(
      http.get(first!.downloadUrl, () =>
        HttpResponse.text('', { status: 302, headers: { location: second!.downloadUrl } }),
      ),
    );
    requested.length = 0;
    const bytes = await readAll((await idv.downloadDocument(first!)).body);
    expect(bytes.length).toBeGreaterThan(0);
    expect(requested).toEqual([first!.downloadUrl, second!.downloadUrl]);

    server.use(
      http.get(second!.downloadUrl, () =>
        HttpResponse.text('', { status: 302, headers: { location: 'https://evil.example/' } }),
      ),
    );
    requested.length = 0;
    const error = await rejectionOf(idv.downloadDocument(first!));
    expect(error).toMatchObject({ reason: 'redirect_off_host' });
    expect(requested).toEqual([first!.downloadUrl, second!.downloadUrl]);
  });
});

describe('listings that name another host', () => {
  it('Jumio KYX: a part link off the retrieval host is refused at listing', async () => {
    const idv = await createProvider(jumioEmulator.config({ clock: createTestClock() }));
    const { session } = await idv.startVerification({ identityReference: 'identity-dl' });
    await jumioEmulator.completeCustomerJourney(session);
    jumioEmulator.setPartHref(session, 'FRONT', 'https://evil.example/parts/FRONT');
    const error = await rejectionOf(idv.listDocuments(session));
    expect(error).toMatchObject({ code: 'download_refused', reason: 'off_host' });
    expect(requested.some((url) => url.startsWith('https://evil.example'))).toBe(false);
  });

  it('Jumio Netverify: an image link off the data center is refused at listing', async () => {
    const idv = await createProvider(
      jumioEmulator.config({ mode: 'netverify', clock: createTestClock() }),
    );
    const { session } = await idv.startVerification({ identityReference: 'identity-dl' });
    await jumioEmulator.completeCustomerJourney(session);
    server.use(
      http.get('https://netverify.com/api/netverify/v2/scans/:ref/images', () =>
        HttpResponse.json({ images: [{ classifier: 'FRONT', href: 'https://evil.example/i' }] }),
      ),
    );
    const error = await rejectionOf(idv.listDocuments(session));
    expect(error).toMatchObject({ code: 'download_refused', reason: 'off_host' });
  });

  it('Onfido: download links are built from the configured host, whatever the listing says', async () => {
    const { idv, documents } = await ADAPTERS[0]!.documents();
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect(new URL(document.downloadUrl).origin).toBe('https://api.eu.onfido.com');
    }
    expect(idv.name).toBe('onfido');
  });
});
