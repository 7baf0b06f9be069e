/**
 * The official client's surface (official-client-surface.ts) over real HTTP:
 * the Onfido emulator as the command line serves it (its serving part, with
 * `--onfido-workflow`), on 127.0.0.1 through serveEmulators. The client's
 * Node agent keeps connections alive, as a backend's does.
 */
import { Configuration, DefaultApi } from '@onfido/api';
import { createTestClock } from 'idv-providers/emulator-kit';
import { onfidoEmulatorEntry } from 'idv-providers/onfido/emulator';
import { type EmulatorServer, type OnfidoEmulator, serveEmulators } from 'idv-providers/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MOTION_WORKFLOW, surfaceSuite } from './official-client-surface';

let server: EmulatorServer;
let emulator: OnfidoEmulator;
let baseUrl: string;
let banner: ReadonlyArray<readonly [string, string]>;

beforeAll(async () => {
  let handlers: OnfidoEmulator['handlers'] = [];
  server = await serveEmulators({ handlers: () => handlers });
  const serving = onfidoEmulatorEntry.serving;
  if (serving === undefined) throw new Error('the Onfido emulator has no serving part');
  const served = serving.serve({
    origin: server.url,
    clock: createTestClock(),
    deliver: async () => 200,
    flags: { workflow: `${MOTION_WORKFLOW.id}:${MOTION_WORKFLOW.steps.join('+')}` },
  });
  emulator = served.emulator as OnfidoEmulator;
  handlers = emulator.handlers;
  baseUrl = served.info['baseUrl'] as string;
  banner = served.banner;
});

afterEach(async () => {
  await emulator.settle();
  emulator.reset();
});

afterAll(async () => {
  await server.close();
});

const client = (token?: string) =>
  new DefaultApi(new Configuration({ apiToken: token ?? emulator.apiToken, basePath: baseUrl }));

describe('the official client against the HTTP emulator', () => {
  surfaceSuite(() => ({ emulator, client }));
});

describe('the served emulator', () => {
  it('keeps its base URL under /onfido/v3.6, and prints the workflows it was told of', () => {
    expect(baseUrl).toBe(`${server.url}/onfido/v3.6`);
    expect(banner).toContainEqual([
      'workflow',
      `${MOTION_WORKFLOW.id} (document, facial_similarity_motion, watchlist_standard)`,
    ]);
  });

  it('answers a relative href resolved against its origin, for the same records', async () => {
    const { data: applicant } = await client().createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    expect(applicant.href).toBe(`/v3.6/applicants/${applicant.id}`);
    const answer = await fetch(new URL(applicant.href as string, server.url), {
      headers: { Authorization: `Token token=${emulator.apiToken}` },
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual(applicant);
    const viaHref = new DefaultApi(
      new Configuration({ apiToken: emulator.apiToken, basePath: `${server.url}/v3.6` }),
    );
    expect((await viaHref.findApplicant(applicant.id)).data).toEqual(applicant);
  });

  it('sends webhook events whose object href is the absolute URL of its mount', async () => {
    const { data: applicant } = await client().createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'GBR' },
    });
    const run = (
      await client().createWorkflowRun({
        workflow_id: MOTION_WORKFLOW.id,
        applicant_id: applicant.id,
      })
    ).data;
    await emulator.completeCustomerJourney({ provider: 'onfido', attemptId: run.id });
    const body = JSON.parse(emulator.deliveries().at(-1)?.body ?? '{}') as {
      payload: { object: { href: string } };
    };
    expect(body.payload.object.href).toBe(`${baseUrl}/workflow_runs/${run.id}`);
  });
});
