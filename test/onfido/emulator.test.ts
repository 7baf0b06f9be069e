/**
 * The emulator on its own, over raw HTTP: the shapes and errors it answers
 * with are Onfido's, so the adapter tests mean something.
 */
import type { ProviderEmulator } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { useOnfidoEmulator } from './helpers';

const { emulator } = useOnfidoEmulator();
const EU = 'https://api.eu.onfido.com/v3.6';

async function call(
  method: string,
  path: string,
  body?: unknown,
  token: string = emulator.apiToken,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const answer = await fetch(`${EU}${path}`, {
    method,
    headers: {
      Authorization: `Token token=${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await answer.text();
  return { status: answer.status, json: text === '' ? {} : JSON.parse(text) };
}

async function applicant(): Promise<string> {
  const created = await call('POST', '/applicants', {
    first_name: 'Ada',
    last_name: 'Lovelace',
    location: { country_of_residence: 'GBR' },
  });
  expect(created.status).toBe(201);
  return created.json['id'] as string;
}

it('implements the shared emulator contract', () => {
  const contract: ProviderEmulator = emulator;
  expect(contract.provider).toBe('onfido');
  expect(emulator.config()).toMatchObject({
    provider: 'onfido',
    apiToken: emulator.apiToken,
    region: 'EU',
    webhookToken: emulator.webhookToken,
  });
});

describe('errors in Onfido shape', () => {
  it('401 authorization_error for a wrong or missing token', async () => {
    const wrong = await call('GET', '/applicants', undefined, 'nope');
    expect(wrong).toEqual({
      status: 401,
      json: {
        error: {
          type: 'authorization_error',
          message: 'Authorization error: please re-check your credentials',
          fields: {},
        },
      },
    });
    const none = await fetch(`${EU}/applicants`);
    expect(none.status).toBe(401);
  });

  it('422 validation_error with fields for a bad body', async () => {
    const answer = await call('POST', '/applicants', { first_name: '', dob: '10/12/1815' });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({
      error: {
        type: 'validation_error',
        message: 'There was a validation error on this request',
        fields: {
          first_name: ["can't be blank"],
          last_name: ["can't be blank"],
          dob: ['must be a date in the format YYYY-MM-DD'],
        },
      },
    });
  });

  it('400 for a body that is not JSON, 404 for unknown ids and routes', async () => {
    expect((await call('POST', '/applicants', '{"first_name":')).status).toBe(400);
    expect((await call('GET', '/checks/00000000-0000-0000-0000-000000000000')).json).toMatchObject({
      error: { type: 'resource_not_found' },
    });
    expect((await call('GET', '/no_such_thing')).status).toBe(404);
  });

  it('refuses unknown report names and checks without captured files', async () => {
    const id = await applicant();
    const unknown = await call('POST', '/checks', {
      applicant_id: id,
      report_names: ['palm_reading'],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toMatchObject({
      error: { fields: { report_names: ['palm_reading is not a valid report name'] } },
    });
    const early = await call('POST', '/checks', { applicant_id: id, report_names: ['document'] });
    expect(early.status).toBe(422);
  });

  it.each([
    [{ kind: 'status', status: 429 }, 429, 'rate_limit'],
    [{ kind: 'status', status: 503, retryAfter: '3' }, 503, 'internal_server_error'],
  ] as const)('injects %j', async (fault, status, type) => {
    emulator.fail(fault);
    const answer = await fetch(`${EU}/applicants`, {
      headers: { Authorization: `Token token=${emulator.apiToken}` },
    });
    expect(answer.status).toBe(status);
    expect(((await answer.json()) as { error: { type: string } }).error.type).toBe(type);
    expect(answer.headers.get('retry-after')).toBe('retryAfter' in fault ? fault.retryAfter : null);
    expect((await call('GET', '/applicants')).status).toBe(200);
  });
});

describe('checks and reports', () => {
  it('answers in_progress, then completes with a full document breakdown', async () => {
    const id = await applicant();
    const session = { provider: 'onfido', subjectId: id };
    await call('POST', '/sdk_token', {
      applicant_id: id,
      referrer: 'https://verify.example.com/*',
    });
    emulator.setVerdict(id, { reason: 'CAUTION_DATA_VALIDATION' });
    await emulator.completeCustomerJourney(session);
    const created = await call('POST', '/checks', {
      applicant_id: id,
      report_names: ['document', 'facial_similarity_photo'],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'in_progress', result: null, applicant_id: id });
    const check = await call('GET', `/checks/${created.json['id']}`);
    expect(check.json).toMatchObject({ status: 'complete', result: 'consider' });

    const reports = (await call('GET', `/reports?check_id=${created.json['id']}`)).json[
      'reports'
    ] as Array<Record<string, unknown>>;
    expect(reports.map((r) => r['name'])).toEqual(['document', 'facial_similarity_photo']);
    const [document, face] = reports as [Record<string, unknown>, Record<string, unknown>];
    expect(document).toMatchObject({
      status: 'complete',
      result: 'consider',
      sub_result: 'caution',
    });
    const breakdown = document['breakdown'] as Record<
      string,
      { result: string; breakdown: object }
    >;
    expect(Object.keys(breakdown).sort()).toEqual([
      'age_validation',
      'compromised_document',
      'data_comparison',
      'data_consistency',
      'data_validation',
      'image_integrity',
      'issuing_authority',
      'police_record',
      'visual_authenticity',
    ]);
    for (const [key, entry] of Object.entries(breakdown)) {
      expect(entry.result).toBe(key === 'data_validation' ? 'consider' : 'clear');
      // police_record carries its result only (docs/provider-facts.md#o-bd-2, #o-bd-5).
      if (key === 'police_record') expect(entry.breakdown).toBeUndefined();
      else expect(typeof entry.breakdown).toBe('object');
    }
    expect(document['properties']).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(face).toMatchObject({ result: 'clear' });
    // The sandbox sends sub_result: null on a face report (docs/provider-facts.md#o-rep-5).
    expect(face).toHaveProperty('sub_result', null);
    expect(Object.keys(face['breakdown'] as object).sort()).toEqual([
      'face_comparison',
      'image_integrity',
      'visual_authenticity',
    ]);
  });

  it('keeps the regions apart', async () => {
    const id = await applicant();
    const us = await fetch(`https://api.us.onfido.com/v3.6/applicants/${id}`, {
      headers: { Authorization: `Token token=${emulator.apiToken}` },
    });
    expect(us.status).toBe(404);
    expect((await call('GET', `/applicants/${id}`)).status).toBe(200);
  });

  it('counts and logs requests, and forgets everything on reset', async () => {
    await applicant();
    await call('GET', '/applicants');
    expect(emulator.requestCount('POST', /\/applicants$/)).toBe(1);
    expect(emulator.requestCount('get', /\/applicants$/)).toBe(1);
    expect(emulator.requests().map((r) => [r.method, r.realm, r.status])).toEqual([
      ['POST', 'EU', 201],
      ['GET', 'EU', 200],
    ]);
    emulator.reset();
    expect(emulator.requests()).toEqual([]);
    expect(((await call('GET', '/applicants')).json['applicants'] as unknown[]).length).toBe(0);
    const hooks = (await call('GET', '/webhooks')).json['webhooks'] as Array<
      Record<string, unknown>
    >;
    expect(hooks).toEqual([
      expect.objectContaining({ url: emulator.webhookUrl, token: emulator.webhookToken }),
    ]);
  });

  it('refuses a verdict Onfido cannot produce', () => {
    expect(() => emulator.setVerdict('any', { reason: 'CAUTION_WATCHLIST' })).toThrow(/no outcome/);
  });
});
