import { createProvider, InvalidInputError, type StartVerificationInput } from 'idv-providers';
import { checkCustomerInternalReference, looksLikePersonalData } from 'idv-providers/jumio';
import { describe, expect, it } from 'vitest';
import { caught, useJumioEmulator } from './harness';

const { emulator } = useJumioEmulator();

const BAD: Array<[string, Partial<StartVerificationInput>, string, string]> = [
  ['an empty reference', { identityReference: '' }, 'identityReference', 'must not be empty'],
  ['a blank reference', { identityReference: '   ' }, 'identityReference', 'must not be empty'],
  [
    'a 101-character reference',
    { identityReference: 'r'.repeat(101) },
    'identityReference',
    'at most 100',
  ],
  [
    'a non-string reference',
    { identityReference: 42 as unknown as string },
    'identityReference',
    'must be a string',
  ],
  ...[...'<>"/;`%{}|'].map((c): [string, Partial<StartVerificationInput>, string, string] => [
    `the character ${c}`,
    { identityReference: `identity${c}42` },
    'identityReference',
    'must not contain any of',
  ]),
  [
    'a control character',
    { identityReference: 'identity\n42' },
    'identityReference',
    'control characters',
  ],
  [
    'an e-mail address',
    { identityReference: 'jane.doe@example.com' },
    'identityReference',
    'e-mail',
  ],
  [
    'an international phone number',
    { identityReference: 'cust +44 20 7946 0958' },
    'identityReference',
    'phone',
  ],
  ['a ten-digit run', { identityReference: 'id-0123456789' }, 'identityReference', 'phone'],
  [
    'a spaced phone number',
    { identityReference: 'tel 020 7946 0958' },
    'identityReference',
    'phone',
  ],
  [
    'a card number',
    { identityReference: '4111111111111111' },
    'identityReference',
    'phone or card',
  ],
  [
    'a 101-character user reference',
    { userReference: 'u'.repeat(101) },
    'userReference',
    'at most 100',
  ],
  ['an e-mail as user reference', { userReference: 'jane@example.org' }, 'userReference', 'e-mail'],
  [
    'a slash in the user reference',
    { userReference: 'users/7' },
    'userReference',
    'must not contain',
  ],
  ['a malformed locale', { locale: 'english' }, 'locale', 'like "en"'],
  [
    'a path as existing account',
    { existingSubjectId: '../accounts' },
    'existingSubjectId',
    'Jumio id',
  ],
];

describe.each(['kyx', 'netverify'] as const)('references in %s mode', (mode) => {
  // Netverify has no accounts to start a new transaction under.
  const cases = mode === 'kyx' ? BAD : BAD.filter(([, , field]) => field !== 'existingSubjectId');
  it.each(cases)('refuses %s before any request', async (_name, input, field, rule) => {
    const idv = await createProvider(emulator.config({ mode }));
    const given = { identityReference: 'identity-42', ...input };
    const error = await caught(idv.startVerification(given));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toContain(field);
    expect(error.message).toContain(rule);
    for (const value of Object.values(input)) {
      if (typeof value === 'string' && value.trim().length > 3)
        expect(error.message).not.toContain(value);
    }
    expect(emulator.requests()).toEqual([]);
    expect(emulator.tokenRequests()).toBe(0);
  });
});

describe('references that are fine', () => {
  it.each([
    'identity-42',
    '3f2b8c1e-4a5d-4e6f-9a0b-123456789012',
    'ID_2026-05-12_000123',
    'x'.repeat(100),
    'cust:a1b2c3d4',
    '123456789',
  ])('accepts %s and sends it as customerInternalReference', async (reference) => {
    expect(checkCustomerInternalReference(reference)).toBe(reference);
    const idv = await createProvider(emulator.config());
    const { session } = await idv.startVerification({
      identityReference: reference,
      userReference: reference,
    });
    const body = emulator.execution(session.attemptId!)?.requestBody;
    expect(body?.['customerInternalReference']).toBe(reference);
    expect(body?.['userReference']).toBe(reference);
  });

  it('ignores digits inside UUIDs but not beside them', () => {
    expect(looksLikePersonalData('0f8fad5b-d9cb-469f-a165-708677289501')).toBeUndefined();
    expect(looksLikePersonalData('0f8fad5b-d9cb-469f-a165-708677289501 06641234567')).toBe(
      'a phone or card number',
    );
  });
});
