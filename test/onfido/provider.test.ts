/**
 * The provider's own surface: options, starting a verification, the submit,
 * webhook registration and the host policy.
 */
import {
  ConfigError,
  createProvider,
  type IdentityVerificationProvider,
  InvalidInputError,
  NotFoundError,
  ProviderApiError,
} from 'idv-providers';
import { onfido, registerOnfidoWebhook, signOnfidoWebhook } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

const { emulator } = useOnfidoEmulator();

async function api(path: string): Promise<Record<string, unknown>> {
  const answer = await fetch(`https://api.eu.onfido.com/v3.6${path}`, {
    headers: { Authorization: `Token token=${emulator.apiToken}` },
  });
  return (await answer.json()) as Record<string, unknown>;
}

function claims(sdkToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(sdkToken.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('options', () => {
  it('is created by name from config, and validates it', async () => {
    const idv = await createProvider(emulator.config());
    expect(idv.name).toBe('onfido');
    expect(idv.capabilities).toEqual({
      signedWebhooks: true,
      requiresCompleteCapture: true,
      hostedCapture: false,
      sdkToken: true,
    });
  });

  it.each([
    [{ apiToken: 'api_sandbox.x' }, /missing option "verificationSiteUrl"/],
    [{ verificationSiteUrl: 'https://verify.example.com/' }, /missing option "apiToken"/],
    [
      { apiToken: 'api_sandbox.x', verificationSiteUrl: 'https://v.example/', region: 'AU' },
      /option "region": expected one of "EU", "US", "CA"/,
    ],
    [
      {
        apiToken: 'api_sandbox.x',
        verificationSiteUrl: 'https://v.example/',
        reportName: ['document'],
      },
      /unknown option "reportName"/,
    ],
    [
      { apiToken: 'api_sandbox.x', verificationSiteUrl: 'not a url' },
      /option "verificationSiteUrl"/,
    ],
  ])('refuses %j', (options, message) => {
    let error: unknown;
    try {
      onfido(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^\[idv\] \[onfido\] /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('startVerification', () => {
  it('creates the applicant from what the host gives, and an SDK token for the site', async () => {
    const idv = await createProvider(
      emulator.config({ verificationSiteUrl: 'https://verify.example.com/start?lang=en' }),
    );
    const started = await idv.startVerification({
      identityReference: 'identity-31',
      person: {
        ...ADA,
        email: 'ada@example.com',
        dateOfBirth: '1815-12-10',
        phoneNumber: '+447700900123',
      },
    });
    const id = started.session.subjectId;
    expect(started.session).toEqual({ provider: 'onfido', subjectId: id });
    expect(await api(`/applicants/${id}`)).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      dob: '1815-12-10',
      phone_number: '+447700900123',
    });
    const link = new URL(started.customerUrl!);
    expect(`${link.origin}${link.pathname}`).toBe('https://verify.example.com/start');
    expect(link.searchParams.get('lang')).toBe('en');
    expect(link.searchParams.get('applicant_id')).toBe(id);
    expect(claims(started.sdkToken!)).toMatchObject({
      app: id,
      ref: 'https://verify.example.com/*',
    });
    expect(started.expiresAt.toISOString()).toBe(
      new Date(emulator.clock.now() + 90 * 60_000).toISOString(),
    );
  });

  it('reuses an existing applicant without creating one', async () => {
    const idv = await createProvider(emulator.config());
    const first = await idv.startVerification({ identityReference: 'identity-32', person: ADA });
    const again = await idv.startVerification({
      identityReference: 'identity-32',
      existingSubjectId: first.session.subjectId,
    });
    expect(again.session.subjectId).toBe(first.session.subjectId);
    expect(emulator.requestCount('POST', /\/applicants$/)).toBe(1);
    expect(emulator.requestCount('POST', /\/sdk_token$/)).toBe(2);
    const missing = await idv
      .startVerification({
        identityReference: 'identity-33',
        existingSubjectId: 'no-such-applicant',
      })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
  });

  it('refuses an empty identity reference', async () => {
    const idv = await createProvider(emulator.config());
    await expect(
      idv.startVerification({ identityReference: ' ', person: ADA }),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
      field: 'identityReference',
    });
  });
});

describe('completeCapture', () => {
  it('runs the configured reports', async () => {
    const idv = await createProvider(emulator.config({ reportNames: ['document', 'known_faces'] }));
    const started = await idv.startVerification({ identityReference: 'identity-34', person: ADA });
    await emulator.completeCustomerJourney(started.session);
    const session = await idv.completeCapture(started.session);
    expect(emulator.checks(started.session.subjectId)).toEqual([
      expect.objectContaining({ id: session.attemptId, reportNames: ['document', 'known_faces'] }),
    ]);
  });

  it("refuses another provider's session, or one without an applicant", async () => {
    const idv = await createProvider(emulator.config());
    await expect(idv.completeCapture({ provider: 'jumio', subjectId: 'a' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(idv.completeCapture({ provider: 'onfido' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(idv.getResult({ provider: 'onfido' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(idv.listDocuments({ provider: 'onfido' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(emulator.requests()).toEqual([]);
  });
});

describe('registerOnfidoWebhook', () => {
  it('finds the webhook already registered for the URL', async () => {
    const idv = await createProvider(emulator.config());
    const hook = await registerOnfidoWebhook(idv, { url: `${emulator.webhookUrl}/` });
    expect(hook).toMatchObject({
      url: emulator.webhookUrl,
      token: emulator.webhookToken,
      created: false,
    });
    expect(emulator.requestCount('POST', /\/webhooks$/)).toBe(0);
  });

  it('creates one for a new URL, once, and its token verifies the deliveries', async () => {
    const { provider: _name, ...options } = emulator.config() as Record<string, unknown>;
    const url = 'https://cas.example.com/serverapi/apiv1/identity-check/onfidowh';
    const created = await registerOnfidoWebhook(options as never, {
      url,
      events: ['check.completed', 'workflow_run.completed'],
    });
    expect(created).toMatchObject({ url, created: true });
    expect(created.token).not.toBe(emulator.webhookToken);
    const again = await registerOnfidoWebhook(options as never, { url });
    expect(again).toEqual({ ...created, created: false });
    const listed = (await api('/webhooks'))['webhooks'] as Array<Record<string, unknown>>;
    expect(listed.find((w) => w['id'] === created.id)).toMatchObject({
      events: ['check.completed', 'workflow_run.completed'],
    });

    const idv = await createProvider(emulator.config({ webhookToken: created.token }));
    const started = await idv.startVerification({ identityReference: 'identity-35', person: ADA });
    await emulator.completeCustomerJourney(started.session);
    await idv.completeCapture(started.session);
    const toNew = emulator.deliveries().filter((d) => d.url === url);
    expect(toNew.map((d) => JSON.parse(d.body).payload.action)).toEqual(['check.completed']);
    expect(toNew[0]!.headers['x-sha2-signature']).toBe(
      signOnfidoWebhook(toNew[0]!.body, created.token),
    );
    expect((await idv.verifyWebhook(toNew[0]!)).type).toBe('check.completed');
  });

  it("passes on Onfido's refusal of a URL that is not https", async () => {
    const idv = await createProvider(emulator.config());
    const error = await registerOnfidoWebhook(idv, { url: 'http://cas.example.com/hook' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ status: 422, fields: { url: ['must be a valid https URL'] } });
  });

  it('refuses a URL that is not absolute, and a provider that is not Onfido', async () => {
    const idv = await createProvider(emulator.config());
    await expect(registerOnfidoWebhook(idv, { url: '/hook' })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    const other = { ...idv } as IdentityVerificationProvider;
    await expect(
      registerOnfidoWebhook(other, { url: 'https://x.example/' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('host policy', () => {
  it('may change a final status, and the change is recorded', async () => {
    const idv = await createProvider(emulator.config({ autoRegistration: true }), {
      policy: (result) =>
        result.status === 'registered' && (result.person?.dateOfBirth ?? '') > '2008-01-01'
          ? { status: 'awaiting_registration', note: 'under 18' }
          : undefined,
    });
    const started = await idv.startVerification({ identityReference: 'identity-36', person: ADA });
    emulator.setVerdict(started.session.subjectId, {
      reason: 'CLEAR',
      person: { firstName: 'Young', lastName: 'Person', dateOfBirth: '2012-05-01' },
    });
    await emulator.completeCustomerJourney(started.session);
    const result = await idv.getResult(await idv.completeCapture(started.session));
    expect(result).toMatchObject({
      reason: 'CLEAR',
      status: 'awaiting_registration',
      statusSource: 'policy',
      policyOverride: { from: 'registered', to: 'awaiting_registration', note: 'under 18' },
    });
  });
});
