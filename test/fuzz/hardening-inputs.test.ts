/**
 * Generated input for the hardening of base URLs, config files, downloads and
 * redaction: URLs with user-info and odd schemes, nested config JSON,
 * adversarial slashes, content types and file names, and secrets echoed in
 * other spellings. Every call ends in a value or an `IdvError`, and each
 * property states what must hold of the value.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { ConfigError, DownloadRefusedError, parseConfig } from 'idv-providers';
import {
  createHttpClient,
  DOWNLOAD_MEDIA_TYPES,
  describeUrl,
  downloadFileName,
  downloadStream,
  mediaTypeOf,
  redact,
  trimTrailingSlashes,
} from 'idv-providers/kit';
import { onfidoBaseUrl } from 'idv-providers/onfido';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepthError, jsonErrorPosition, MAX_JSON_DEPTH } from '../../src/cli/json-position';
import { errorForStatus } from '../../src/kit/http/errors';
import { cli } from '../cli/helpers';
import { FUZZ_RUNS, PARAMETERS, settle, settleSync } from './fuzz';

const renderings = (error: unknown): string =>
  [String(error), JSON.stringify(error), inspect(error, { depth: Number.POSITIVE_INFINITY })].join(
    '\n',
  );

// ---------------------------------------------------------------------------
// URLs with user-info and odd schemes

const scheme = fc.constantFrom(
  'http',
  'https',
  'HTTPS',
  'hTtP',
  'ftp',
  'javascript',
  'data',
  'file',
  'ws',
  'x-custom+1.0',
);
const host = fc.constantFrom(
  'proxy.internal',
  '127.0.0.1',
  'localhost',
  '[::1]',
  '10.0.0.7',
  'api.eu.onfido.com',
  'xn--bcher-kva.example',
  '127.0.0.1.evil.example',
);
/** A password with a distinctive prefix, so any occurrence in a text is a leak. */
const password = fc
  .string({
    unit: fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=%:@#?".split('')),
    minLength: 4,
    maxLength: 16,
  })
  .map((rest) => `PW${rest}`);
const user = fc.stringMatching(/^[A-Za-z0-9._~-]{0,10}$/);
const rest = fc.constantFrom(
  '',
  '/',
  '/v3.6',
  '/v3.6//',
  '/a@b/c',
  '?q=1',
  '#frag',
  '/p?token=x#y',
);

const urlWithUserInfo = fc
  .tuple(scheme, user, password, host, fc.constantFrom('', ':8080', ':1'), rest)
  .map(([s, u, p, h, port, r]) => ({ url: `${s}://${u}:${p}@${h}${port}${r}`, password: p }));

describe('URLs with user-info and odd schemes, fuzzed', () => {
  it('describeUrl never shows the password, a query or a fragment', () => {
    fc.assert(
      fc.property(urlWithUserInfo, ({ url, password: p }) => {
        const shown = describeUrl(url);
        expect(shown).not.toContain(p);
        expect(shown).not.toMatch(/[?#]/);
        expect(shown.startsWith(url.slice(0, url.indexOf('://') + 3))).toBe(true);
      }),
      PARAMETERS,
    );
  });

  it('a base URL of any scheme is validated options or a ConfigError that never holds its password', () => {
    fc.assert(
      fc.property(urlWithUserInfo, fc.boolean(), ({ url, password: p }, allowInsecure) => {
        const outcome = settleSync(() =>
          parseConfig({
            provider: 'onfido',
            apiToken: 'api_sandbox.fuzz-token-000',
            verificationSiteUrl: 'https://verify.example.com/',
            baseUrl: url,
            ...(allowInsecure ? { allowInsecureBaseUrl: true } : {}),
          }),
        );
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(ConfigError);
          expect(renderings(outcome.error)).not.toContain(p);
          return;
        }
        const parsed = new URL(url);
        expect(['http:', 'https:']).toContain(parsed.protocol);
        const local = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
        if (parsed.protocol === 'http:' && !allowInsecure) expect(local).toBe(true);
      }),
      PARAMETERS,
    );
  });
});

// ---------------------------------------------------------------------------
// Adversarial slashes

describe('adversarial slashes, fuzzed', () => {
  const slashy = fc.string({
    unit: fc.constantFrom('/', '/', '/', 'a', '\\', ' ', '.'),
    maxLength: 60,
  });

  it('trimTrailingSlashes is the regex trim it replaced, on every input', () => {
    fc.assert(
      fc.property(slashy, (text) => {
        expect(trimTrailingSlashes(text)).toBe(text.replace(/\/+$/, ''));
      }),
      PARAMETERS,
    );
  });

  it('the Onfido base URL never ends in a slash', () => {
    fc.assert(
      fc.property(slashy, (path) => {
        const url = onfidoBaseUrl({ baseUrl: `https://proxy.example/${path}`, region: 'EU' });
        expect(url.endsWith('/')).toBe(false);
        expect(`https://proxy.example/${path}`.startsWith(url)).toBe(true);
      }),
      PARAMETERS,
    );
  });
});

// ---------------------------------------------------------------------------
// Nested config JSON

describe('nested config JSON, fuzzed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idv-fuzz-json-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const brackets = fc.array(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${ENV} reference of the config file
    fc.constantFrom('[', '{"k":', '["', '"]', ']', '}', ',', '1', '"${X}"'),
    {
      maxLength: 40,
    },
  );
  const nestedConfig = fc
    .tuple(
      fc.integer({ min: 0, max: 20_000 }),
      fc.constantFrom('[', '{"a":'),
      brackets,
      fc.boolean(),
    )
    .map(([depth, open, noise, closed]) => {
      const close = open === '[' ? ']' : '}';
      const inner = `${open.repeat(depth)}"\${X}"${closed ? close.repeat(depth) : ''}`;
      return `{"provider":"onfido","apiToken":"\${X}","verificationSiteUrl":"https://v.example/","deep":${inner}${noise.join('')}}`;
    });

  it('check --config ends in exit 2 for any nesting, valid or not, never a crash', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(nestedConfig, async (text) => {
        const file = join(dir, `c${run++}.json`);
        await writeFile(file, text);
        const result = await cli(['check', '--config', file], {
          X: 'api_sandbox.fuzz-secret-0000',
        });
        expect(result.code).toBe(2);
        expect(result.stderr).not.toContain('call stack');
        expect(`${result.stdout}${result.stderr}`).not.toContain('fuzz-secret');
      }),
      { numRuns: Math.min(FUZZ_RUNS, 100) },
    );
  });

  it('jsonErrorPosition and jsonDepthError answer for any text, inside it', () => {
    const text = fc.string({
      unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ':', ',', '1', ' ', '\n', 'x'),
      maxLength: 400,
    });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: MAX_JSON_DEPTH }), (t, max) => {
        for (const at of [jsonErrorPosition(t), jsonDepthError(t, max)]) {
          if (at === undefined) continue;
          const lines = t.split('\n');
          expect(at.line).toBeGreaterThanOrEqual(1);
          expect(at.line).toBeLessThanOrEqual(lines.length);
          expect(at.column).toBeGreaterThanOrEqual(1);
          expect(at.column).toBeLessThanOrEqual((lines[at.line - 1]?.length ?? 0) + 1);
        }
      }),
      PARAMETERS,
    );
  });
});

// ---------------------------------------------------------------------------
// Content types and file names

const SIGNATURES: readonly Buffer[] = [
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
  Buffer.from('GIF89a'),
  Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'),
  Buffer.from('%PDF-1.4'),
  Buffer.from('\0\0\0\x18ftypisom', 'latin1'),
  Buffer.from('\0\0\0\x18ftypheic', 'latin1'),
  Buffer.from('<!doctype html>'),
  Buffer.from(' \n<svg>'),
  Buffer.from('\ufeff<?xml'),
  Buffer.alloc(0),
];
const body = fc
  .tuple(fc.constantFrom(...SIGNATURES), fc.uint8Array({ maxLength: 200 }))
  .map(([head, tail]) => Buffer.concat([head, Buffer.from(tail)]));
const contentType = fc.oneof(
  fc.constantFrom(
    'image/png',
    'IMAGE/JPEG; q=1',
    'text/html',
    'text/html; charset=utf-8',
    'image/svg+xml',
    'application/octet-stream',
    'application/json',
    'constructor',
    '__proto__',
    '',
  ),
  fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
);
const fileName = fc.oneof(
  fc.constantFrom(
    '../../etc/passwd',
    '..\\..\\x.exe',
    '.htaccess',
    'CON',
    'a.html',
    '   ',
    '....',
    '',
  ),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

function expectSafeName(name: string, type: string): void {
  expect(name.trim()).not.toBe('');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it must not hold
  expect(name).not.toMatch(/[/\\\u0000-\u001f\u007f]/);
  expect(name.startsWith('.')).toBe(false);
  expect(name.endsWith('.') || name.endsWith(' ')).toBe(false);
  expect(name.length).toBeLessThanOrEqual(160);
  const extension = DOWNLOAD_MEDIA_TYPES[type];
  const last = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  expect(
    last === extension || ['jpeg', 'jpe', 'tiff', 'heif', 'heic', 'm4v', 'qt'].includes(last),
  ).toBe(true);
}

describe('content types and file names, fuzzed', () => {
  it('mediaTypeOf always names a listed type, or refuses markup', () => {
    fc.assert(
      fc.property(
        body,
        fc.array(fc.option(contentType, { nil: undefined }), { maxLength: 2 }),
        (bytes, declared) => {
          const decision = mediaTypeOf(bytes, declared);
          if (decision.ok) expect(Object.hasOwn(DOWNLOAD_MEDIA_TYPES, decision.type)).toBe(true);
          else
            expect(bytes.toString('latin1').replace(/^\ufeff|^\xef\xbb\xbf/, '')).toMatch(
              /^[\s\0\xfe\xff]*</,
            );
        },
      ),
      PARAMETERS,
    );
  });

  it('downloadFileName is non-blank and plain for any name, id and type', () => {
    fc.assert(
      fc.property(
        fc.option(fileName, { nil: undefined }),
        fc.string({ maxLength: 40 }),
        fc.constantFrom(...Object.keys(DOWNLOAD_MEDIA_TYPES)),
        (given, id, type) => {
          expectSafeName(downloadFileName(given, { id, kind: 'document' }, type), type);
        },
      ),
      PARAMETERS,
    );
  });

  describe('through downloadStream', () => {
    const BASE = 'https://files.example.test';
    let served: { bytes: Buffer; headers: Record<string, string> } = {
      bytes: Buffer.alloc(0),
      headers: {},
    };
    const server = setupServer(
      http.get(`${BASE}/f`, () => new HttpResponse(served.bytes, { headers: served.headers })),
    );
    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterAll(() => server.close());
    const client = createHttpClient({
      provider: 'fuzz',
      baseUrl: BASE,
      timeoutMs: 2000,
      maxRetries: 0,
      maxRetryAfterMs: 0,
      secrets: () => [],
    });
    const disposition = fc.oneof(
      fc.constant(undefined),
      fc.stringMatching(/^[\x20-\x7e]{0,60}$/).map((name) => `attachment; filename="${name}"`),
      fc
        .stringMatching(/^[\x20-\x7e]{0,60}$/)
        .map((name) => `attachment; filename*=UTF-8''${name}`),
    );

    it('hands over a listed type and a plain name, or refuses as unsupported_type', async () => {
      await fc.assert(
        fc.asyncProperty(
          body,
          contentType,
          disposition,
          fc.option(fileName, { nil: undefined }),
          async (bytes, type, cd, listed) => {
            served = {
              bytes,
              headers: {
                ...(type === '' ? {} : { 'content-type': type }),
                ...(cd === undefined ? {} : { 'content-disposition': cd }),
              },
            };
            const outcome = await settle(() =>
              downloadStream(
                client,
                {
                  id: 'doc-1',
                  kind: 'document',
                  downloadUrl: `${BASE}/f`,
                  ...(listed === undefined ? {} : { fileName: listed }),
                },
                { provider: 'fuzz', allowedOrigins: [BASE], maxBytes: 10_000 },
              ),
            );
            if (!outcome.ok) {
              expect(outcome.error).toBeInstanceOf(DownloadRefusedError);
              expect((outcome.error as DownloadRefusedError).reason).toBe('unsupported_type');
              return;
            }
            const download = outcome.value;
            expect(Object.hasOwn(DOWNLOAD_MEDIA_TYPES, download.contentType)).toBe(true);
            expectSafeName(download.fileName, download.contentType);
            const chunks: Buffer[] = [];
            for await (const chunk of download.body) chunks.push(chunk as Buffer);
            expect(Buffer.concat(chunks)).toEqual(bytes);
          },
        ),
        { numRuns: Math.min(FUZZ_RUNS, 150) },
      );
    });
  });
});

// ---------------------------------------------------------------------------
// Secret echoes

const secret = fc.stringMatching(/^[A-Za-z0-9_.~-]{12,40}$/).map((s) => `S3c${s}`);
const ECHOES: ReadonlyArray<[string, (s: string) => string]> = [
  ['exact', (s) => s],
  ['lower', (s) => s.toLowerCase()],
  ['upper', (s) => s.toUpperCase()],
  ['url-encoded', (s) => encodeURIComponent(s)],
  ['hex', (s) => Buffer.from(s).toString('hex')],
  ['HEX', (s) => Buffer.from(s).toString('hex').toUpperCase()],
  ['base64', (s) => Buffer.from(s).toString('base64')],
  ['base64url', (s) => Buffer.from(s).toString('base64url')],
  ['base64 of id:secret', (s) => Buffer.from(`client-id:${s}`).toString('base64')],
  ['base64 after one byte', (s) => Buffer.from(`x${s}y`).toString('base64')],
  ['base64 after two bytes', (s) => Buffer.from(`xy${s}`).toString('base64url')],
];
const echo = fc.constantFrom(...ECHOES);
const around = fc.string({ maxLength: 30 });

describe('secret echoes, fuzzed', () => {
  it('redact removes every spelling of a secret from any surrounding text', () => {
    fc.assert(
      fc.property(secret, echo, around, around, (s, [, spell], before, after) => {
        const spelled = spell(s);
        const cleaned = redact(`${before}${spelled}${after}`, [s]);
        expect(cleaned).not.toContain(spelled);
        expect(cleaned.toLowerCase()).not.toContain(s.toLowerCase());
      }),
      PARAMETERS,
    );
  });

  it('an error built from a provider answer echoing the secret holds no spelling of it', () => {
    fc.assert(
      fc.property(
        secret,
        fc.array(echo, { minLength: 1, maxLength: 4 }),
        around,
        (s, spellings, noise) => {
          const spelled = spellings.map(([, spell]) => spell(s));
          const error = errorForStatus({
            provider: 'fuzz',
            request: { method: 'GET', url: 'https://api.example/x' },
            attempts: 1,
            secrets: () => [s],
            status: 400,
            body: {
              error: {
                type: spelled[0],
                message: `${noise}${spelled.join(noise)}`,
                fields: Object.fromEntries(spelled.map((v, i) => [v, [`${i}${v}`]])),
              },
            },
            headers: {},
            now: 0,
          });
          const text = renderings(error);
          for (const v of spelled) expect(text).not.toContain(v);
        },
      ),
      PARAMETERS,
    );
  });

  it('an unknown option named after a configured secret is never printed', () => {
    fc.assert(
      fc.property(secret, around, (s, extra) => {
        const outcome = settleSync(() =>
          parseConfig({
            provider: 'onfido',
            apiToken: s,
            verificationSiteUrl: 'https://verify.example.com/',
            [`${extra}${s}`]: true,
          }),
        );
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(renderings(outcome.error)).not.toContain(s);
      }),
      PARAMETERS,
    );
  });
});
