/**
 * The official client's surface (official-client-surface.ts) against the
 * emulator's MSW handlers on Onfido's EU host, with the recorded media and a
 * Studio workflow declared by option.
 */
import { Configuration, DefaultApi, Region } from '@onfido/api';
import { createOnfidoEmulator } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { useOnfidoEmulator } from './helpers';
import { MOTION_WORKFLOW, surfaceSuite } from './official-client-surface';

const { emulator, server } = useOnfidoEmulator({
  sampleMedia: true,
  workflows: [MOTION_WORKFLOW],
});

const client = (token?: string) =>
  new DefaultApi(new Configuration({ apiToken: token ?? emulator.apiToken, region: Region.EU }));

describe('the official client against the MSW emulator', () => {
  surfaceSuite(() => ({ emulator, client }));
});

describe('the emulator’s options for the surface', () => {
  it('takes the deletion delay of the account as an option', async () => {
    const short = createOnfidoEmulator({ applicantDeletionDelayMs: 60_000 });
    server.use(...short.handlers);
    const onfido = new DefaultApi(
      new Configuration({ apiToken: short.apiToken, region: Region.EU }),
    );
    const { data: applicant } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    await onfido.deleteApplicant(applicant.id);
    const [listed] = (await onfido.listApplicants(1, 20, true)).data.applicants;
    expect(listed?.delete_at).toBe(new Date(short.clock.now() + 60_000).toISOString());
    short.clock.advance(60_000);
    expect((await onfido.listApplicants(1, 20, true)).data.applicants).toEqual([]);
  });

  it('holds no recorded media unless asked, and declares workflows at run time', async () => {
    const bare = createOnfidoEmulator();
    server.use(...bare.handlers);
    const onfido = new DefaultApi(
      new Configuration({ apiToken: bare.apiToken, region: Region.EU }),
    );
    expect((await onfido.listApplicants()).data.applicants).toEqual([]);
    expect(bare.workflows()).toEqual([
      { id: bare.workflowId, steps: ['document', 'facial_similarity_photo'] },
    ]);
    bare.declareWorkflow({ id: MOTION_WORKFLOW.id, steps: ['facial_similarity_video'] });
    const { data: applicant } = await onfido.createApplicant({
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: { country_of_residence: 'GBR' },
    });
    const run = (
      await onfido.createWorkflowRun({
        workflow_id: MOTION_WORKFLOW.id,
        applicant_id: applicant.id,
      })
    ).data;
    await bare.completeCustomerJourney({ provider: 'onfido', attemptId: run.id });
    const videos = (await onfido.listLiveVideos(applicant.id)).data.live_videos;
    expect(videos).toHaveLength(1);
    const nfc = bare.addNfcDocument(applicant.id);
    expect((await onfido.downloadNfcFace(nfc)).headers['content-type']).toBe('image/png');
    expect(() => bare.declareWorkflow({ id: 'not-a-uuid' })).toThrow(/uuid/);
    expect(() => bare.declareWorkflow({ id: MOTION_WORKFLOW.id, steps: ['selfie'] })).toThrow(
      /report names/,
    );
  });
});
