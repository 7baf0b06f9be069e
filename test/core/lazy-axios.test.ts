/**
 * axios loads on the first HTTP request, not at import: a process that
 * imports the core and the entries, creates a provider and verifies a webhook
 * (a serverless webhook receiver) never loads it. A fresh `node` process
 * (through tsx, from the sources) records every `require` of axios and
 * refuses any ESM import of it (the HTTP client loads axios's CommonJS bundle
 * in every build: see `src/kit/http/axios.ts`), then makes one request, which
 * must load axios once.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

const refuseEsmAxios = `export async function resolve(specifier, context, next) {
  if (specifier === 'axios' || specifier.startsWith('axios/')) {
    throw new Error('axios was imported as ESM from ' + context.parentURL);
  }
  return next(specifier, context);
}`;

const script = `
import Module, { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(refuseEsmAxios)}));
const required = [];
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'axios' || request.startsWith('axios/')) required.push(request);
  return load.call(this, request, ...rest);
};
const core = await import('./src/index.ts');
await import('./src/kit/index.ts');
await import('./providers/jumio/index.ts');
const { onfido, signOnfidoWebhook } = await import('./providers/onfido/index.ts');
const idv = onfido({
  apiToken: 'test-api-token',
  verificationSiteUrl: 'https://verify.example.com/',
  webhookToken: 'test-webhook-token',
  baseUrl: 'http://127.0.0.1:9/v3.6',
  maxRetries: 0,
  timeoutMs: 2000,
});
const body = JSON.stringify({ payload: { resource_type: 'check', action: 'check.completed',
  object: { id: 'c-1', status: 'complete', completed_at_iso8601: '2026-01-01T00:00:00Z',
    href: 'https://api.eu.onfido.com/v3.6/checks/c-1' } } });
const event = await idv.verifyWebhook({ body,
  headers: { 'x-sha2-signature': signOnfidoWebhook(body, 'test-webhook-token') } });
const beforeRequest = [...required];
const failure = await idv.checkConnection().then(() => 'answered', (e) => e.name);
console.log(JSON.stringify({ core: typeof core.createProvider, attempt: event.session.attemptId,
  beforeRequest, afterRequest: required, failure }));
`;

describe('loading axios', () => {
  it('importing the core and the entries, creating a provider and verifying a webhook load no axios; the first request loads it once', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).not.toMatch(/axios was imported as ESM/);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    expect(result).toEqual({
      core: 'function',
      attempt: 'c-1',
      beforeRequest: [],
      afterRequest: ['axios'],
      failure: 'NetworkError',
    });
  });
});
