/**
 * Shared setup of the Onfido tests: an emulator behind an MSW server that
 * refuses any request no handler answers, reset after every test.
 */
import type { Readable } from 'node:stream';
import type { ExtractedPerson } from 'idv-providers';
import type { OnfidoCheck, OnfidoReport } from 'idv-providers/onfido';
import { createOnfidoEmulator, type OnfidoEmulatorOptions } from 'idv-providers/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** Installs an emulator for the test file. */
export function useOnfidoEmulator(options: OnfidoEmulatorOptions = {}) {
  const emulator = createOnfidoEmulator(options);
  const server = setupServer(...emulator.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    emulator.reset();
  });
  afterAll(() => server.close());
  return { emulator, server };
}

/** The name and country the host passes when starting a verification. */
/** Onfido requires the country of residence (docs/provider-facts.md#o-app-8). */
export const ADA = { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' } as const;

/** A person the tests put on the document. */
export const GRACE: ExtractedPerson = {
  firstName: 'Grace',
  lastName: 'Hopper',
  dateOfBirth: '1906-12-09',
  documentType: 'passport',
  documentNumber: 'P31415926',
  nationality: 'USA',
  issuingCountry: 'USA',
  documentExpiry: '2030-01-31',
};

/** Reads a stream to the end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** A finished check with the given reports. */
export function check(reports: OnfidoReport[], result = 'consider'): OnfidoCheck {
  return {
    id: 'check-1',
    applicant_id: 'applicant-1',
    status: 'complete',
    result,
    report_ids: reports.map((r) => r.id),
  };
}

let reportCounter = 0;

/**
 * A finished report. `flagged` lists breakdown keys whose result is `consider`;
 * `clear` lists keys whose result is `clear`.
 */
export function report(
  name: string,
  fields: {
    result?: string | null;
    subResult?: string | null;
    flagged?: string[];
    clear?: string[];
    status?: string;
    properties?: Record<string, unknown>;
  } = {},
): OnfidoReport {
  reportCounter += 1;
  const breakdown: Record<string, { result: string; breakdown: Record<string, unknown> }> = {};
  for (const key of fields.clear ?? []) breakdown[key] = { result: 'clear', breakdown: {} };
  for (const key of fields.flagged ?? []) breakdown[key] = { result: 'consider', breakdown: {} };
  const flagged = (fields.flagged?.length ?? 0) > 0;
  return {
    id: `report-${reportCounter}`,
    name,
    status: fields.status ?? 'complete',
    result: fields.result === undefined ? (flagged ? 'consider' : 'clear') : fields.result,
    sub_result: fields.subResult ?? null,
    breakdown,
    properties: fields.properties ?? {},
  };
}
