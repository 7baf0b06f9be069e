/**
 * The secrets the security suites plant, every form each could be printed in,
 * and the assertion that none of them shows in a text, an error, a log line or
 * an inspected object.
 */
import { inspect } from 'node:util';
import { createJumioEmulator, createOnfidoEmulator } from 'idv-providers/testing';
import { expect } from 'vitest';
import { type MswEmulatorsOptions, useMswEmulators } from '../msw-emulators';

/** Secrets the tests configure. Distinctive, so any occurrence is a leak. */
export const SECRETS = {
  onfidoApiToken: 'api_sandbox.SECRETonfidoApiToken-4f9d2c7e81a6',
  wrongOnfidoApiToken: 'api_sandbox.SECRETwrongOnfidoToken-9a1b3c5d7e',
  jumioClientId: 'SECRETjumioClientId-5e8a1f2b',
  jumioClientSecret: 'SECRETjumioClientSecret-c3d9b27a64',
  wrongJumioClientSecret: 'SECRETwrongJumioSecret-0b7e4d19',
  linkKey: 'SECRETlinkSigningKey-7c2e9a41d8b35f60e1a2b3c4d5e6f708',
  shortLinkKey: 'SECRETshortKey-19b',
} as const;

/** The Onfido emulator, accepting {@link SECRETS.onfidoApiToken}. */
export const onfidoEmulator = createOnfidoEmulator({ apiToken: SECRETS.onfidoApiToken });
/** The Jumio emulator, accepting {@link SECRETS.jumioClientId} and {@link SECRETS.jumioClientSecret}. */
export const jumioEmulator = createJumioEmulator({
  clientId: SECRETS.jumioClientId,
  clientSecret: SECRETS.jumioClientSecret,
});

/** Serves both emulators for the test file; forgets their state after every test. */
export function useEmulators(options: MswEmulatorsOptions = {}) {
  return useMswEmulators([onfidoEmulator, jumioEmulator], options);
}

/** Every secret in play: the configured ones, the webhook token and every access token issued so far. */
export function secretsInPlay(): string[] {
  return [
    ...Object.values(SECRETS),
    onfidoEmulator.webhookToken,
    ...jumioEmulator.issuedTokens(),
    `${SECRETS.jumioClientId}:${SECRETS.jumioClientSecret}`,
    `${SECRETS.jumioClientId}:${SECRETS.wrongJumioClientSecret}`,
  ];
}

/** A secret as it could appear: itself, Base64 (a Basic header), Base64url and URL-encoded. */
export function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    ...new Set([
      secret,
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      encodeURIComponent(secret),
    ]),
  ];
}

/** The ways an error reaches a log: `String`, its stack, `JSON.stringify`, `util.inspect` (everything). */
export function renderings(value: unknown): string[] {
  const out = [
    String(value),
    JSON.stringify(value) ?? '',
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  ];
  if (value instanceof Error) out.push(value.stack ?? '');
  return out;
}

/** Asserts that no form of any secret occurs in any of `texts`. */
export function expectNoSecretIn(texts: readonly string[], secrets = secretsInPlay()): void {
  const forms = secrets.flatMap(formsOf);
  for (const text of texts) {
    for (const form of forms) {
      if (text.includes(form)) {
        expect.fail(`a secret (${form.slice(0, 12)}…) leaked into:\n${text.slice(0, 2000)}`);
      }
    }
  }
}

/** Asserts that nothing a log could print of `value` holds a secret. */
export function expectNoSecret(value: unknown, secrets = secretsInPlay()): void {
  expectNoSecretIn(renderings(value), secrets);
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
