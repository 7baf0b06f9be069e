/**
 * The `jumio` provider factory: validates the options once and picks the
 * flavour by `mode` (the KYX platform by default, or legacy Netverify).
 *
 * @module
 */
import { type IdentityVerificationProvider, parseProviderOptions } from 'idv-providers/kit';
import { type JumioOptions, type JumioOptionsInput, jumioOptionsSchema } from './definition';
import type { JumioWebhookEvent } from './events';
import { createKyxProvider } from './kyx';
import { createNetverifyProvider } from './netverify';

/**
 * The Jumio provider: its callbacks typed as {@link JumioWebhookEvent}. In
 * KYX mode (the default) it has `refreshLink` (a new workflow execution for the
 * account) and `deleteSubject` (the account and all its transactions); in
 * Netverify mode neither.
 */
export type JumioProvider = IdentityVerificationProvider<JumioWebhookEvent>;

/**
 * Creates the Jumio provider.
 *
 * @example
 * ```ts
 * const idv = jumio({ clientId, clientSecret, region: 'emea-1', callbackUrl: 'https://acme.example/jumio' });
 * const { customerUrl, session } = await idv.startVerification({ identityReference: 'identity-42' });
 * ```
 */
export function jumio(options: JumioOptionsInput): JumioProvider {
  const parsed: JumioOptions = parseProviderOptions('jumio', jumioOptionsSchema, options);
  const provider =
    parsed.mode === 'netverify' ? createNetverifyProvider(parsed) : createKyxProvider(parsed);
  // Nothing the option schema does not already insist on can be missing: callbacks are unsigned
  // (no secret verifies them: docs/provider-facts.md#j-cb-4), the credentials are required
  // options, and without `callbackUrl` Jumio calls the one set in its Portal
  // (docs/provider-facts.md#j-cb-1).
  return Object.assign(provider, { readiness: () => ({ ready: true, problems: [] }) });
}
