/**
 * What API v3.4+ requires before a check runs (docs/provider-facts.md#o-app-8
 * to #o-app-10): the applicant's location, and a US resident's biometric
 * consent. The adapter sends them from `startVerification` and refuses a start
 * without them before any request; the emulator refuses a check without them,
 * as Onfido does, so no test passes by leaving them out.
 */
import { createProvider, InvalidInputError } from 'idv-providers';
import { applicantBody } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

const { emulator } = useOnfidoEmulator({ autoCompleteChecks: true });
const EU = 'https://api.eu.onfido.com/v3.6';

async function api(method: string, path: string, body?: unknown) {
  const answer = await fetch(`${EU}${path}`, {
    method,
    headers: {
      Authorization: `Token token=${emulator.apiToken}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  return { status: answer.status, json: text === '' ? undefined : JSON.parse(text) };
}

const US = { firstName: 'Grace', lastName: 'Hopper', countryOfResidence: 'USA' } as const;

describe('the applicant body', () => {
  it('carries the location and the consent', () => {
    expect(
      applicantBody({
        identityReference: 'i-1',
        person: { ...US, countryOfResidence: 'usa' },
        ipAddress: '203.0.113.7',
        consents: { biometric: true },
      }),
    ).toEqual({
      first_name: 'Grace',
      last_name: 'Hopper',
      location: { country_of_residence: 'USA', ip_address: '203.0.113.7' },
      consents: [{ name: 'privacy_notices_read', granted: true }],
    });
    expect(applicantBody({ identityReference: 'i-2', person: ADA })).toEqual({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'GBR' },
    });
  });

  it('needs no consent for a US resident when no report processes biometrics', () => {
    const body = applicantBody({ identityReference: 'i-3', person: US }, ['watchlist_standard']);
    expect(body.consents).toBeUndefined();
  });
});

describe('refused before any request', () => {
  it.each([
    [
      'a US resident without the biometric consent',
      { person: US },
      'consents.biometric',
      /biometric consent of a US resident.*consents\.biometric: true/,
    ],
    [
      'a US resident whose consent is refused',
      { person: US, consents: { biometric: false } },
      'consents.biometric',
      /biometric consent of a US resident/,
    ],
    [
      'an applicant without a country of residence',
      { person: { firstName: 'Ada', lastName: 'Lovelace' }, ipAddress: '203.0.113.7' },
      'person.countryOfResidence',
      /requires the applicant's location.*person\.countryOfResidence/,
    ],
    [
      'a country that is not ISO 3166-1 alpha-3',
      { person: { ...ADA, countryOfResidence: 'GB' } },
      'person.countryOfResidence',
      /alpha-3/,
    ],
    [
      'an IP address that is not one',
      { person: ADA, ipAddress: 'localhost' },
      'ipAddress',
      /IPv4 or IPv6/,
    ],
  ] as const)('%s', async (_what, input, field, message) => {
    const idv = await createProvider(emulator.config());
    const error = await idv
      .startVerification({ identityReference: 'identity-us', ...input })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field, provider: 'onfido' });
    expect((error as Error).message).toMatch(message);
    expect(emulator.requests()).toEqual([]);
  });
});

describe('sent to Onfido', () => {
  it('creates a US applicant with location and consent, and its check runs', async () => {
    const idv = await createProvider(emulator.config({ autoRegistration: true }));
    const started = await idv.startVerification({
      identityReference: 'identity-us-ok',
      person: US,
      ipAddress: '2001:db8::7',
      consents: { biometric: true },
    });
    const id = started.session.subjectId;
    expect((await api('GET', `/applicants/${id}`)).json).toMatchObject({
      location: { country_of_residence: 'USA', ip_address: '2001:db8::7' },
    });
    expect((await api('GET', `/applicants/${id}/consents`)).json).toContainEqual({
      name: 'privacy_notices_read',
      granted: true,
      granted_at: new Date(emulator.clock.now()).toISOString(),
    });
    await emulator.completeCustomerJourney(started.session);
    const result = await idv.getResult(await idv.completeCapture(started.session));
    expect([result.status, result.reason]).toEqual(['registered', 'CLEAR']);
  });

  it('renews the location and consent of a returning applicant (PUT)', async () => {
    const idv = await createProvider(emulator.config());
    const first = await idv.startVerification({
      identityReference: 'identity-returning',
      person: US,
      consents: { biometric: true },
    });
    const id = first.session.subjectId;
    emulator.clock.advance(190 * 24 * 60 * 60 * 1000);
    await idv.startVerification({
      identityReference: 'identity-returning',
      existingSubjectId: id,
      person: { countryOfResidence: 'USA' },
      consents: { biometric: true },
    });
    expect(emulator.requestCount('PUT', /\/applicants\/[^/]+$/)).toBe(1);
    const consents = (await api('GET', `/applicants/${id}/consents`)).json as Array<{
      name: string;
      granted_at: string | null;
    }>;
    expect(consents.find((c) => c.name === 'privacy_notices_read')?.granted_at).toBe(
      new Date(emulator.clock.now()).toISOString(),
    );
    // Without anything to renew, the applicant is only read.
    await idv.startVerification({ identityReference: 'identity-returning', existingSubjectId: id });
    expect(emulator.requestCount('PUT', /\/applicants\/[^/]+$/)).toBe(1);
  });
});

describe('the emulator, like Onfido, refuses a check', () => {
  it('for an applicant without a location (422, Onfido error body)', async () => {
    const created = await api('POST', '/applicants', { first_name: 'Ada', last_name: 'Lovelace' });
    expect(created.json).toMatchObject({ location: null });
    const check = await api('POST', '/checks', {
      applicant_id: created.json.id,
      report_names: ['document'],
    });
    expect(check.status).toBe(422);
    expect(check.json).toEqual({
      error: {
        type: 'validation_error',
        message: 'There was a validation error on this request',
        fields: {
          location: [
            'is missing: the applicant needs a location (country_of_residence) before a check',
          ],
        },
      },
    });
  });

  it('for a US applicant without the consent, but not for a report without biometrics', async () => {
    const created = await api('POST', '/applicants', {
      first_name: 'Grace',
      last_name: 'Hopper',
      location: { country_of_residence: 'USA' },
    });
    const check = await api('POST', '/checks', {
      applicant_id: created.json.id,
      report_names: ['document', 'facial_similarity_photo'],
    });
    expect(check.status).toBe(422);
    expect(check.json.error).toMatchObject({
      type: 'validation_error',
      fields: {
        consents: [
          'privacy_notices_read must be granted for an applicant located in the United States',
        ],
      },
    });
    const watchlist = await api('POST', '/checks', {
      applicant_id: created.json.id,
      report_names: ['watchlist_standard'],
    });
    expect(watchlist.status).toBe(201);
  });

  it('takes the location from a document upload too', async () => {
    const created = await api('POST', '/applicants', { first_name: 'Ada', last_name: 'Lovelace' });
    const form = new FormData();
    form.set('applicant_id', created.json.id);
    form.set('type', 'passport');
    form.set('location', JSON.stringify({ country_of_residence: 'FRA' }));
    form.set('file', new Blob([new Uint8Array(64)], { type: 'image/png' }), 'passport.png');
    const upload = await fetch(`${EU}/documents`, {
      method: 'POST',
      headers: { Authorization: `Token token=${emulator.apiToken}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    expect((await api('GET', `/applicants/${created.json.id}`)).json).toMatchObject({
      location: { country_of_residence: 'FRA' },
    });
    const check = await api('POST', '/checks', {
      applicant_id: created.json.id,
      report_names: ['document'],
    });
    expect(check.status).toBe(201);
  });

  it('refuses a location that is not one', async () => {
    const created = await api('POST', '/applicants', {
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'United Kingdom', ip_address: 'nowhere' },
      consents: [{ name: 'fraud_prevention', granted: true }],
    });
    expect(created.status).toBe(422);
    expect(Object.keys(created.json.error.fields).sort()).toEqual([
      'consents',
      'location.country_of_residence',
      'location.ip_address',
    ]);
  });
});
