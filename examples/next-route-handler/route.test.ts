/**
 * The Next.js example's route over real HTTP on 127.0.0.1: its `POST` served
 * as Next.js calls a route handler (a Web `Request` with the body streamed,
 * no socket address), configured from the environment for Onfido and then
 * for Jumio. The emulators' deliveries get the statuses the README's intake
 * table promises and are stored.
 *
 * Next.js itself is not run: the route uses nothing of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signOnfidoWebhook } from 'idv-providers/onfido';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  JUMIO_SENDER,
  type Listening,
  post,
  serveWebRoute,
  useRig,
} from '../../test/frameworks/rig';
import { POST } from './app/webhooks/idv/route';
import { closeIntake, intake } from './lib/idv';

const rig = useRig();
const PATH = '/webhooks/idv';

describe('the Next.js route handler example', () => {
  let dir: string;
  let server: Listening | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idv-next-'));
    vi.stubEnv('IDV_EVENTS_DB', join(dir, 'events.sqlite'));
    server = await serveWebRoute((request) => POST(request));
  });
  afterEach(async () => {
    await server?.close();
    await closeIntake();
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it("configured for Onfido: records the emulator's signed webhooks (200) and refuses a forged one (401)", async () => {
    vi.stubEnv('IDV_PROVIDER', 'onfido');
    vi.stubEnv('IDV_ONFIDO_API_TOKEN', rig.onfido.apiToken);
    vi.stubEnv('IDV_ONFIDO_WEBHOOK_TOKEN', rig.onfido.webhookToken);
    vi.stubEnv('IDV_ONFIDO_VERIFICATION_SITE_URL', 'https://verify.example.com/onfido/');
    rig.targets.onfido = { url: `${server!.url}${PATH}` };

    const sent = await rig.verify('onfido', (await rig.intake()).providers.onfido);
    expect(sent.length).toBeGreaterThan(0);
    const { store } = await intake();
    for (const { answer } of sent) {
      expect(answer.status).toBe(200);
      expect((await store.get(String(answer.body['id'])))?.provider).toBe('onfido');
    }
    const recorded = await store.counts();
    const { body } = sent.at(-1)!.delivery;
    const forged = await post(`${server!.url}${PATH}`, body, {
      'content-type': 'application/json',
      'x-sha2-signature': signOnfidoWebhook(body, 'not-the-webhook-token'),
    });
    expect(forged.status).toBe(401);
    expect(await store.counts()).toEqual(recorded);
  });

  it("configured for Jumio: records the emulator's callbacks with the sender the proxy set (200), refuses them without (403)", async () => {
    vi.stubEnv('IDV_PROVIDER', 'jumio');
    vi.stubEnv('IDV_JUMIO_CLIENT_ID', rig.jumio.clientId);
    vi.stubEnv('IDV_JUMIO_CLIENT_SECRET', rig.jumio.clientSecret);
    vi.stubEnv('IDV_SENDER_HEADER', 'x-real-ip');
    rig.targets.jumio = { url: `${server!.url}${PATH}`, headers: { 'x-real-ip': JUMIO_SENDER } };

    const sent = await rig.verify('jumio', (await rig.intake()).providers.jumio);
    expect(sent.length).toBeGreaterThan(0);
    const { store } = await intake();
    for (const { answer } of sent) {
      expect(answer.status).toBe(200);
      const stored = await store.get(String(answer.body['id']));
      expect(stored?.provider).toBe('jumio');
      expect(stored?.source).toBe(JUMIO_SENDER);
    }
    const recorded = await store.counts();
    const { body, headers } = sent.at(-1)!.delivery;
    const unknown = await post(`${server!.url}${PATH}`, body, headers);
    expect(unknown.status).toBe(403);
    expect(unknown.body).toEqual({ error: 'unknown_sender' });
    const elsewhere = await post(`${server!.url}${PATH}`, body, {
      ...headers,
      'x-real-ip': '198.51.100.7',
    });
    expect(elsewhere.status).toBe(403);
    expect(await store.counts()).toEqual(recorded);
  });

  it('answers 413 for a body over the limit, before reading it', async () => {
    vi.stubEnv('IDV_PROVIDER', 'onfido');
    vi.stubEnv('IDV_ONFIDO_API_TOKEN', rig.onfido.apiToken);
    vi.stubEnv('IDV_ONFIDO_WEBHOOK_TOKEN', rig.onfido.webhookToken);
    vi.stubEnv('IDV_ONFIDO_VERIFICATION_SITE_URL', 'https://verify.example.com/onfido/');
    const big = 'x'.repeat(2 * 1024 * 1024);
    const answer = await post(`${server!.url}${PATH}`, big, {
      'content-type': 'application/json',
      'x-sha2-signature': signOnfidoWebhook(big, rig.onfido.webhookToken),
    });
    expect(answer.status).toBe(413);
    expect((await (await intake()).store.counts()).queued).toBe(0);
  });
});
