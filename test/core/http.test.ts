import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import {
  type DocumentInfo,
  DownloadRefusedError,
  type IdvError,
  isIdvError,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  TimeoutError,
  UnexpectedResponseError,
  VERSION,
} from 'idv-providers';
import { createHttpClient, downloadStream, type HttpClientOptions } from 'idv-providers/kit';
import { createTestClock } from 'idv-providers/testing';
import { delay, HttpResponse, http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const BASE = 'https://api.example.test/v1';
const SECRET = 'tok_live_s3cr3t_value_123';
const server = setupServer();
const hits: Array<{ method: string; path: string; headers: Headers }> = [];

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  hits.length = 0;
});
afterAll(() => server.close());

function record(request: Request): void {
  hits.push({
    method: request.method,
    path: new URL(request.url).pathname,
    headers: request.headers,
  });
}

/** Answers with each response in turn, then repeats the last. */
function sequence(
  method: 'get' | 'post' | 'put',
  path: string,
  answers: Array<() => Response | Promise<Response>>,
) {
  let i = 0;
  return http[method](`${BASE}${path}`, async ({ request }) => {
    record(request);
    const answer = answers[Math.min(i, answers.length - 1)]!;
    i++;
    return answer();
  });
}

function client(overrides: Partial<HttpClientOptions> = {}) {
  const clock = createTestClock({ random: 0.5 });
  const http = createHttpClient({
    provider: 'acme',
    baseUrl: BASE,
    timeoutMs: 1000,
    maxRetries: 3,
    maxRetryAfterMs: 60_000,
    clock,
    secrets: () => [SECRET],
    authorize: () => ({ Authorization: `Token token=${SECRET}` }),
    ...overrides,
  });
  return { http, clock };
}

const ok = () => HttpResponse.json({ id: 'a1' });
const status =
  (code: number, body: unknown = { error: { type: 'server_error', message: 'boom' } }) =>
  () =>
    HttpResponse.json(body as Record<string, unknown>, { status: code });

async function caught(promise: Promise<unknown>): Promise<IdvError> {
  try {
    await promise;
  } catch (error) {
    expect(isIdvError(error)).toBe(true);
    return error as IdvError;
  }
  throw new Error('expected the call to fail');
}

describe('retries', () => {
  it('retries an idempotent GET on 5xx with exponential backoff, then succeeds', async () => {
    server.use(sequence('get', '/things/1', [status(503), status(502), ok]));
    const { http, clock } = client();
    const answer = await http.request({
      method: 'GET',
      url: '/things/1',
      schema: z.object({ id: z.string() }),
    });
    expect(answer.data).toEqual({ id: 'a1' });
    expect(answer.attempts).toBe(3);
    expect(hits).toHaveLength(3);
    // random() = 0.5: each wait is 3/4 of min(10 s, 300 ms * 2^n)
    expect(clock.sleeps).toEqual([225, 450]);
  });

  it('gives up after maxRetries and reports the attempts', async () => {
    server.use(sequence('get', '/things/1', [status(500)]));
    const { http, clock } = client({ maxRetries: 2 });
    const error = await caught(http.request({ method: 'GET', url: '/things/1' }));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).status).toBe(500);
    expect((error as ProviderApiError).attempts).toBe(3);
    expect((error as ProviderApiError).providerErrorType).toBe('server_error');
    expect(hits).toHaveLength(3);
    expect(clock.sleeps).toEqual([225, 450]);
  });

  it('never retries a POST on 5xx (it may have created something)', async () => {
    server.use(sequence('post', '/applicants', [status(500), ok]));
    const { http, clock } = client();
    const error = await caught(
      http.request({ method: 'POST', url: '/applicants', body: { a: 1 } }),
    );
    expect((error as ProviderApiError).status).toBe(500);
    expect(hits).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('never retries a PUT unless marked idempotent', async () => {
    server.use(sequence('put', '/accounts/1', [status(503), ok]));
    await caught(client().http.request({ method: 'PUT', url: '/accounts/1', body: {} }));
    expect(hits).toHaveLength(1);
  });

  it('retries a POST marked idempotent', async () => {
    server.use(sequence('post', '/oauth2/token', [status(503), ok]));
    const answer = await client().http.request({
      method: 'POST',
      url: '/oauth2/token',
      idempotent: true,
    });
    expect(answer.attempts).toBe(2);
  });

  it('retries a 429 even for POST: the provider refused it without acting', async () => {
    server.use(sequence('post', '/applicants', [status(429), ok]));
    const { http, clock } = client();
    const answer = await http.request({ method: 'POST', url: '/applicants', body: {} });
    expect(answer.attempts).toBe(2);
    expect(clock.sleeps).toEqual([225]);
  });

  it('waits as long as Retry-After says, in seconds', async () => {
    server.use(
      sequence('get', '/x', [
        () => HttpResponse.json({}, { status: 429, headers: { 'Retry-After': '7' } }),
        ok,
      ]),
    );
    const { http, clock } = client();
    await http.request({ method: 'GET', url: '/x' });
    expect(clock.sleeps).toEqual([7000]);
  });

  it('waits until the date Retry-After gives', async () => {
    const { http, clock } = client();
    const at = new Date(clock.now() + 12_000).toUTCString();
    server.use(
      sequence('get', '/x', [
        () => HttpResponse.json({}, { status: 429, headers: { 'Retry-After': at } }),
        ok,
      ]),
    );
    await http.request({ method: 'GET', url: '/x' });
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('stops at once when Retry-After is longer than it will wait, and says how long', async () => {
    server.use(
      sequence('get', '/x', [
        () =>
          HttpResponse.json(
            { title: 'Too Many Requests', status: 429, detail: 'slow down' },
            { status: 429, headers: { 'Retry-After': '120' } },
          ),
      ]),
    );
    const { http, clock } = client();
    const error = await caught(http.request({ method: 'GET', url: '/x' }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(120_000);
    expect((error as RateLimitedError).providerErrorType).toBe('Too Many Requests');
    expect(error.message).toBe(
      '[idv] [acme] GET https://api.example.test/v1/x was rate limited (HTTP 429) after 1 attempt: slow down',
    );
    expect(clock.sleeps).toEqual([]);
  });

  it('reports a 429 that outlasted every retry as RateLimitedError', async () => {
    server.use(sequence('get', '/x', [status(429)]));
    const error = await caught(
      client({ maxRetries: 1 }).http.request({ method: 'GET', url: '/x' }),
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(hits).toHaveLength(2);
  });

  it('retries a GET whose connection broke, but not a POST', async () => {
    server.use(sequence('get', '/x', [() => HttpResponse.error(), ok]));
    expect((await client().http.request({ method: 'GET', url: '/x' })).attempts).toBe(2);
    hits.length = 0;
    server.use(sequence('post', '/y', [() => HttpResponse.error(), ok]));
    const error = await caught(client().http.request({ method: 'POST', url: '/y', body: {} }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(hits).toHaveLength(1);
  });

  it('retries any method when the connection was refused (nothing was sent)', async () => {
    server.use(http.post('http://127.0.0.1:9/*', () => passthrough()));
    const { http: closedPort, clock } = client({ baseUrl: 'http://127.0.0.1:9', maxRetries: 2 });
    const error = await caught(
      closedPort.request({ method: 'POST', url: '/applicants', body: {} }),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).systemCode).toBe('ECONNREFUSED');
    expect((error as NetworkError).attempts).toBe(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('does not retry 4xx answers', async () => {
    server.use(
      sequence('post', '/applicants', [
        status(422, {
          error: { type: 'validation_error', message: 'bad', fields: { first_name: ['required'] } },
        }),
      ]),
    );
    const error = await caught(
      client().http.request({ method: 'POST', url: '/applicants', body: {} }),
    );
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({
      status: 422,
      providerErrorType: 'validation_error',
      fields: { first_name: ['required'] },
    });
    expect(hits).toHaveLength(1);
  });

  it('refreshes credentials once on 401 and retries', async () => {
    server.use(sequence('get', '/x', [status(401), ok]));
    let refreshes = 0;
    const answer = await client({
      onUnauthorized: async () => {
        refreshes++;
        return true;
      },
    }).http.request({ method: 'GET', url: '/x' });
    expect(answer.attempts).toBe(2);
    expect(refreshes).toBe(1);
  });

  it('refreshes only once when the 401 persists', async () => {
    server.use(
      sequence('get', '/x', [
        status(401, { error: { type: 'authorization_error', message: 'Invalid token' } }),
      ]),
    );
    let refreshes = 0;
    const error = await caught(
      client({
        onUnauthorized: async () => {
          refreshes++;
          return true;
        },
      }).http.request({ method: 'GET', url: '/x' }),
    );
    expect((error as ProviderApiError).status).toBe(401);
    expect(error.message).toContain('(check the credentials)');
    expect(refreshes).toBe(1);
    expect(hits).toHaveLength(2);
  });
});

describe('answers', () => {
  it('sends a User-Agent naming the library, after the application', async () => {
    server.use(sequence('get', '/x', [ok]));
    await client().http.request({ method: 'GET', url: '/x' });
    await client({ userAgent: 'AcmeATM/2.1' }).http.request({ method: 'GET', url: '/x' });
    expect(hits[0]!.headers.get('user-agent')).toBe(`idv-providers/${VERSION}`);
    expect(hits[1]!.headers.get('user-agent')).toBe(`AcmeATM/2.1 idv-providers/${VERSION}`);
  });

  it('times out a slow answer with a TimeoutError', async () => {
    server.use(
      http.get(`${BASE}/slow`, async () => {
        await delay(500);
        return ok();
      }),
    );
    const error = await caught(
      client({ timeoutMs: 50, maxRetries: 0 }).http.request({ method: 'GET', url: '/slow' }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(50);
    expect(error.message).toBe(
      '[idv] [acme] GET https://api.example.test/v1/slow timed out after 50 ms (1 attempt)',
    );
  });

  it('refuses an answer of the wrong shape', async () => {
    server.use(sequence('get', '/x', [() => HttpResponse.json({ id: 42 })]));
    const error = await caught(
      client().http.request({ method: 'GET', url: '/x', schema: z.object({ id: z.string() }) }),
    );
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as UnexpectedResponseError).issues).toEqual([
      'id: Invalid input: expected string, received number',
    ]);
  });

  it('refuses malformed JSON and a non-JSON content type', async () => {
    server.use(
      sequence('get', '/bad-json', [
        () => new HttpResponse('{"id": "a', { headers: { 'Content-Type': 'application/json' } }),
      ]),
      sequence('get', '/html', [
        () => new HttpResponse('<html>', { headers: { 'Content-Type': 'text/html' } }),
      ]),
    );
    const bad = await caught(client().http.request({ method: 'GET', url: '/bad-json' }));
    expect(bad).toBeInstanceOf(UnexpectedResponseError);
    expect(bad.message).toContain('not valid JSON');
    const html = await caught(client().http.request({ method: 'GET', url: '/html' }));
    expect(html.message).toContain('content type "text/html", expected JSON');
  });

  it('maps 404 to NotFoundError', async () => {
    server.use(
      sequence('get', '/gone', [
        status(404, { error: { type: 'resource_not_found', message: 'no such check' } }),
      ]),
    );
    const error = await caught(client().http.request({ method: 'GET', url: '/gone' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(
      '[idv] [acme] GET https://api.example.test/v1/gone: not found (HTTP 404): no such check',
    );
  });

  it('sends form bodies as application/x-www-form-urlencoded', async () => {
    let seen = '';
    server.use(
      http.post(`${BASE}/form`, async ({ request }) => {
        seen = `${request.headers.get('content-type')} ${await request.text()}`;
        return ok();
      }),
    );
    await client().http.request({
      method: 'POST',
      url: '/form',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(seen).toBe('application/x-www-form-urlencoded grant_type=client_credentials');
  });
});

describe('secrets never leak', () => {
  const failures: Array<[string, () => Response | Promise<Response>, string]> = [
    [
      'HTTP 401 echoing the token',
      () =>
        HttpResponse.json(
          {
            error: {
              type: 'authorization_error',
              message: `token ${SECRET} is invalid`,
              fields: { token: SECRET },
            },
          },
          { status: 401 },
        ),
      'GET',
    ],
    ['HTTP 500', status(500), 'GET'],
    ['HTTP 429', status(429), 'POST'],
    ['HTTP 404', status(404), 'GET'],
    ['connection reset', () => HttpResponse.error(), 'POST'],
    [
      'malformed JSON',
      () =>
        new HttpResponse(`{"token":"${SECRET}"`, {
          headers: { 'Content-Type': 'application/json' },
        }),
      'GET',
    ],
    [
      'slow answer',
      async () => {
        await delay(300);
        return ok();
      },
      'GET',
    ],
  ];

  it.each(failures)('%s', async (_name, answer, method) => {
    server.use(http.all(`${BASE}/x`, answer));
    const { http: api } = client({ timeoutMs: 50, maxRetries: 1, baseUrl: BASE });
    const error = await caught(
      api.request({
        method: method as 'GET',
        url: `/x?key=${SECRET}`,
        body: method === 'POST' ? { secret: SECRET } : undefined,
      }),
    );
    const printed = [
      String(error),
      error.stack ?? '',
      JSON.stringify(error),
      inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    ];
    for (const text of printed) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
      expect(text).not.toMatch(/authorization['"]?\s*:|Token token/i);
    }
  });
});

describe('downloads', () => {
  const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const doc = (url: string): DocumentInfo => ({ id: 'doc-1', kind: 'document', downloadUrl: url });
  const options = {
    provider: 'acme',
    allowedOrigins: ['https://api.example.test'],
    maxBytes: 1_000_000,
  };

  async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it('streams the served bytes with type, name and size', async () => {
    server.use(
      http.get(
        `${BASE}/documents/doc-1/download`,
        () =>
          new HttpResponse(bytes, {
            headers: {
              'Content-Type': 'image/jpeg',
              'Content-Length': String(bytes.length),
              'Content-Disposition': 'attachment; filename="../../front.jpg"',
            },
          }),
      ),
    );
    const download = await downloadStream(
      client().http,
      doc(`${BASE}/documents/doc-1/download`),
      options,
    );
    expect(download.contentType).toBe('image/jpeg');
    expect(download.fileName).toBe('front.jpg');
    expect(download.size).toBe(bytes.length);
    expect(sha(await drain(download.body))).toBe(sha(bytes));
  });

  it('refuses a URL off the provider host before any request', async () => {
    const error = await caught(
      downloadStream(client().http, doc('https://evil.example/documents/1'), options),
    );
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect((error as DownloadRefusedError).reason).toBe('off_host');
    expect(hits).toHaveLength(0);
  });

  it('refuses a redirect to another host', async () => {
    server.use(
      http.get(
        `${BASE}/r`,
        () =>
          new HttpResponse(null, {
            status: 302,
            headers: { Location: 'https://evil.example/steal' },
          }),
      ),
    );
    const error = await caught(downloadStream(client().http, doc(`${BASE}/r`), options));
    expect((error as DownloadRefusedError).reason).toBe('redirect_off_host');
  });

  it('follows a redirect on the same host', async () => {
    server.use(
      http.get(
        `${BASE}/r`,
        () => new HttpResponse(null, { status: 302, headers: { Location: '/v1/final' } }),
      ),
      http.get(
        `${BASE}/final`,
        () => new HttpResponse(bytes, { headers: { 'Content-Type': 'image/png' } }),
      ),
    );
    const download = await downloadStream(client().http, doc(`${BASE}/r`), options);
    expect(sha(await drain(download.body))).toBe(sha(bytes));
  });

  it('refuses a body announced larger than the limit', async () => {
    server.use(
      http.get(
        `${BASE}/big`,
        () => new HttpResponse(bytes, { headers: { 'Content-Length': String(bytes.length) } }),
      ),
    );
    const error = await caught(
      downloadStream(client().http, doc(`${BASE}/big`), { ...options, maxBytes: 1000 }),
    );
    expect((error as DownloadRefusedError).reason).toBe('too_large');
  });

  it('stops a body that grows past the limit without announcing its size', async () => {
    server.use(
      http.get(
        `${BASE}/chunked`,
        () =>
          new HttpResponse(
            new ReadableStream({
              start(controller) {
                for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(1000));
                controller.close();
              },
            }),
          ),
      ),
    );
    const download = await downloadStream(client().http, doc(`${BASE}/chunked`), {
      ...options,
      maxBytes: 4500,
    });
    const error = await caught(drain(download.body));
    expect((error as DownloadRefusedError).reason).toBe('too_large');
  });
});
