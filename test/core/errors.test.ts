import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import {
  ConfigError,
  DownloadRefusedError,
  IdvError,
  InvalidInputError,
  isIdvError,
  LinkTokenError,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  StoreError,
  TimeoutError,
  UnexpectedResponseError,
  VERSION,
  WebhookVerificationError,
} from 'idv-providers';
import { describe, expect, it } from 'vitest';

describe('IdvError family', () => {
  const request = { method: 'GET', url: 'https://api.example.test/v1/x' };
  const cases: Array<[IdvError, string, string]> = [
    [new ConfigError('m', { option: 'region' }), 'ConfigError', 'config_error'],
    [
      new InvalidInputError('m', { field: 'identityReference' }),
      'InvalidInputError',
      'invalid_input',
    ],
    [new ProviderApiError('m', { status: 400, request }), 'ProviderApiError', 'provider_api_error'],
    [
      new RateLimitedError('m', { request, retryAfterMs: 1000 }),
      'RateLimitedError',
      'rate_limited',
    ],
    [new NotFoundError('m', { request }), 'NotFoundError', 'not_found'],
    [new TimeoutError('m', { request, timeoutMs: 10 }), 'TimeoutError', 'timeout'],
    [new NetworkError('m', { request, systemCode: 'ECONNRESET' }), 'NetworkError', 'network_error'],
    [
      new WebhookVerificationError('m', { reason: 'bad_signature' }),
      'WebhookVerificationError',
      'webhook_verification_failed',
    ],
    [
      new UnexpectedResponseError('m', { request, issues: ['a: b'] }),
      'UnexpectedResponseError',
      'unexpected_response',
    ],
    [
      new DownloadRefusedError('m', { reason: 'off_host' }),
      'DownloadRefusedError',
      'download_refused',
    ],
    [new LinkTokenError('m', { reason: 'expired' }), 'LinkTokenError', 'link_token_invalid'],
    [new StoreError('m'), 'StoreError', 'store_error'],
  ];

  it.each(cases)('%s has its name and literal code', (error, name, code) => {
    expect(error).toBeInstanceOf(IdvError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(isIdvError(error)).toBe(true);
    expect(String(error)).toBe(`${name}: m`);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name, code, message: 'm' });
  });

  it('keeps HTTP details on API errors', () => {
    const limited = new RateLimitedError('m', {
      request,
      retryAfterMs: 2000,
      providerErrorType: 'Too Many Requests',
    });
    expect(limited).toBeInstanceOf(ProviderApiError);
    expect(limited.status).toBe(429);
    expect(limited.retryAfterMs).toBe(2000);
    expect(new NotFoundError('m', { request }).status).toBe(404);
  });

  it('recognises an error from another copy of the library by its brand', () => {
    const foreign = Object.assign(new Error('x'), { code: 'timeout' });
    Object.defineProperty(foreign, Symbol.for('idv-providers.IdvError'), { value: true });
    expect(isIdvError(foreign)).toBe(true);
    expect(isIdvError(new Error('x'))).toBe(false);
    expect(isIdvError({ code: 'timeout' })).toBe(false);
    expect(isIdvError(null)).toBe(false);
  });

  it('keeps a cause', () => {
    const error = new NetworkError('m', { cause: { code: 'ECONNRESET' } });
    expect(error.cause).toEqual({ code: 'ECONNRESET' });
    expect(inspect(error)).toContain('ECONNRESET');
  });
});

describe('VERSION', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
