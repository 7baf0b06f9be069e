/**
 * Shared set-up of the Jumio tests: one emulator behind an MSW server that
 * refuses unhandled requests, reset after every test.
 */
import { inspect } from 'node:util';
import { type IdvError, isIdvError } from 'idv-providers';
import { createJumioEmulator, type JumioEmulatorOptions } from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** Starts an emulator and its server for the test file. */
export function useJumioEmulator(options: JumioEmulatorOptions = {}) {
  const emulator = createJumioEmulator(options);
  const server = setupServer(...emulator.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    emulator.reset();
  });
  afterAll(() => server.close());
  return { emulator, server };
}

/** The error a promise rejects with; fails the test if it resolves or rejects with a non-library error. */
export async function caught(promise: Promise<unknown>): Promise<IdvError> {
  try {
    await promise;
  } catch (error) {
    if (!isIdvError(error)) throw error;
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Every way an error can be printed. */
export function renderings(error: unknown): string[] {
  return [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: Number.POSITIVE_INFINITY }),
  ];
}

/** Asserts that no secret appears in any rendering of the error. */
export function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  const forms = secrets.flatMap((s) => [
    s,
    Buffer.from(s).toString('base64'),
    encodeURIComponent(s),
  ]);
  for (const text of renderings(error)) {
    for (const secret of forms)
      expect(text.includes(secret), `leaked a secret in: ${text}`).toBe(false);
  }
}
