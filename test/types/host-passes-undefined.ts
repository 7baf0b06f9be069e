/**
 * A host written the way backends are: it passes through whatever it has,
 * `undefined` included, without conditional spreads. It must compile under
 * `exactOptionalPropertyTypes` (as the repository's tsconfig sets), and the
 * pack check compiles it against the installed tarball with the `node10`,
 * `node16` and `bundler` module resolutions too.
 *
 * Nothing here runs: `npm run typecheck` compiles it, and a type error is the
 * failure.
 */
import {
  type Clock,
  createLinkSigner,
  createMemoryStore,
  createProcessor,
  createProvider,
  createWebhookHandler,
  type IdentityVerificationProvider,
  type OutcomePolicy,
  type ProviderRegistry,
  toNodeListener,
} from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import { onfido } from 'idv-providers/onfido';
import { createOnfidoEmulator } from 'idv-providers/testing';

/** What a host's customer record usually holds: every field may be missing. */
interface CustomerRow {
  firstName: string | undefined;
  lastName: string | undefined;
  email: string | undefined;
  phone: string | undefined;
  dateOfBirth: string | undefined;
  countryOfResidence: string | undefined;
  biometricConsent: boolean | undefined;
  locale: string | undefined;
  applicantId: string | undefined;
  checkId: string | undefined;
  remoteAddress: string | undefined;
}

/** Settings as read from a host's own config file, any of them unset. */
interface HostSettings {
  region: 'EU' | 'US' | 'CA' | undefined;
  webhookToken: string | undefined;
  timeoutMs: number | undefined;
  ttlSeconds: number | undefined;
  maxAttempts: number | undefined;
  clock: Clock | undefined;
  policy: OutcomePolicy | undefined;
  registry: ProviderRegistry | undefined;
  signal: AbortSignal | undefined;
}

export async function startFor(
  idv: IdentityVerificationProvider,
  row: CustomerRow,
  settings: HostSettings,
): Promise<string | undefined> {
  const started = await idv.startVerification(
    {
      identityReference: 'identity-42',
      person: {
        firstName: row.firstName,
        lastName: row.lastName,
        email: row.email,
        phoneNumber: row.phone,
        dateOfBirth: row.dateOfBirth,
        countryOfResidence: row.countryOfResidence,
      },
      ipAddress: row.remoteAddress,
      consents: { biometric: row.biometricConsent },
      locale: row.locale,
      existingSubjectId: row.applicantId,
      userReference: undefined,
    },
    { signal: settings.signal },
  );
  await idv.completeCapture({
    provider: idv.name,
    subjectId: row.applicantId,
    attemptId: row.checkId,
  });
  await idv.verifyWebhook({ body: '{}', headers: {}, remoteAddress: row.remoteAddress });
  return started.customerUrl;
}

export async function configure(settings: HostSettings): Promise<IdentityVerificationProvider[]> {
  const fromConfig = await createProvider(
    {
      provider: 'onfido',
      apiToken: 'api_sandbox.example',
      region: settings.region,
      webhookToken: settings.webhookToken,
      timeoutMs: settings.timeoutMs,
    },
    { clock: settings.clock, policy: settings.policy, registry: settings.registry },
  );
  const direct = onfido({
    apiToken: 'api_sandbox.example',
    verificationSiteUrl: 'https://verify.example.com/',
    webhookToken: settings.webhookToken,
    clock: settings.clock,
  });
  const other = jumio({ clientId: 'id', clientSecret: 'secret', timeoutMs: settings.timeoutMs });
  const emulated = await createProvider(createOnfidoEmulator().config({ autoRegistration: true }));

  const links = createLinkSigner({
    key: process.env['IDV_LINK_KEY'] ?? '',
    ttlSeconds: settings.ttlSeconds,
    clock: settings.clock,
  });
  await links.verify('token', { subjectId: undefined });

  const store = createMemoryStore();
  const processor = createProcessor({
    store,
    providers: [fromConfig, direct, other],
    handler: async () => {},
    maxAttempts: settings.maxAttempts,
    clock: settings.clock,
  });
  const webhook = createWebhookHandler({
    provider: fromConfig,
    store,
    processor,
    maxBodyBytes: undefined,
  });
  toNodeListener(webhook, { remoteAddress: undefined, onError: undefined });
  await processor.listDeadLetters({ limit: settings.maxAttempts });
  return [fromConfig, direct, other, emulated];
}
