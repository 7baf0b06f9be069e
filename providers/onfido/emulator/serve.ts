/**
 * How the command line's `emulator` command serves the Onfido emulator over
 * HTTP: under `/onfido/v3.6` of the server's origin, with a fixed fake API
 * token by default (so a backend's settings survive a restart) and a webhook
 * token that is new on each start.
 *
 * The resources' `href`s read as the API's own (`/v3.6/checks/<id>`,
 * docs/provider-facts.md#o-rep-9), and the origin's `/v3.6` answers for the
 * same records, so a backend that resolves an `href` against the origin
 * reaches the emulator too.
 *
 * @module
 */
import { envVarName } from 'idv-providers';
import type { EmulatorServing } from 'idv-providers/emulator-kit';
import { describeUrl } from 'idv-providers/kit';
import { API_HREF_PATH } from './handlers';
import type { OnfidoEmulatedWorkflow, OnfidoEmulator, OnfidoEmulatorOptions } from './index';

/** The fake API token the served emulator accepts unless told another. */
export const ONFIDO_SERVED_API_TOKEN = 'api_sandbox.idv-emulator-token-0000000000000000';

/** The path of the served API, version included. */
const API_PATH = '/onfido/v3.6';

/**
 * The workflows of `--onfido-workflow`: `<id>[:<step>+<step>...]`, several
 * separated by commas, each step a report name
 * (`7a1f…:document+facial_similarity_motion,8b2c…`). Without steps, a
 * workflow runs the default document and facial similarity photo reports.
 */
export function parseWorkflowFlag(value: string): OnfidoEmulatedWorkflow[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const [id = '', steps] = item.split(':', 2);
      const names = steps
        ?.split('+')
        .map((step) => step.trim())
        .filter((step) => step !== '');
      return { id: id.trim(), ...(names === undefined ? {} : { steps: names }) };
    });
}

/**
 * The serving part of the Onfido emulator entry. `create` is the emulator's
 * factory (passed in, so this file and the entry do not import each other).
 */
export function onfidoServing(
  create: (options: OnfidoEmulatorOptions) => OnfidoEmulator,
): EmulatorServing {
  return {
    displayName: 'Onfido',
    title: 'Onfido (API v3.6)',
    flags: [
      {
        name: 'api-token',
        value: '<t>',
        description: 'the API token Onfido accepts (default: a fixed fake token)',
      },
      {
        name: 'webhook-url',
        value: '<url>',
        description: [
          'a webhook registered up front; its signing token is printed',
          '(your backend may also register its own with POST /webhooks)',
        ],
        url: true,
      },
      {
        name: 'workflow',
        value: '<w>',
        description: [
          'the Studio workflows that exist: <w> is <uuid>[:<report>+<report>...],',
          'several comma-separated, e.g. <uuid>:document+facial_similarity_motion',
          '(default: one workflow running document+facial_similarity_photo)',
        ],
      },
    ],
    mounts: [
      { label: 'Onfido API v3.6', path: API_PATH },
      {
        label: 'Onfido (hrefs)',
        path: API_HREF_PATH,
        note: '(the same records, where hrefs point)',
      },
    ],
    deliveries: "Onfido's webhooks (POST /webhooks, or --onfido-webhook-url)",
    serve({ origin, clock, deliver, flags }) {
      const baseUrl = `${origin}${API_PATH}`;
      const webhookUrl = flags['webhook-url'];
      const workflows = flags['workflow'];
      const emulator = create({
        baseUrl,
        aliasBaseUrls: [`${origin}${API_HREF_PATH}`],
        sampleMedia: true,
        apiToken: flags['api-token'] ?? ONFIDO_SERVED_API_TOKEN,
        clock,
        deliver,
        ...(webhookUrl === undefined ? {} : { webhookUrl }),
        ...(workflows === undefined ? {} : { workflows: parseWorkflowFlag(workflows) }),
      });
      return {
        emulator,
        info: {
          baseUrl,
          apiToken: emulator.apiToken,
          webhookUrl: emulator.webhookUrl,
          webhookToken: emulator.webhookToken,
        },
        banner: [
          ['base URL', baseUrl],
          ['API token', emulator.apiToken],
          ['webhook', describeUrl(emulator.webhookUrl)],
          ['webhook token', emulator.webhookToken],
          ...(workflows === undefined
            ? []
            : emulator
                .workflows()
                .map((w) => ['workflow', `${w.id} (${w.steps.join(', ')})`] as const)),
        ],
        environment: [
          ['baseUrl', baseUrl],
          ['apiToken', emulator.apiToken],
          ['webhookToken', emulator.webhookToken],
        ],
        note: `and ${envVarName('onfido', 'verificationSiteUrl')}=<your verification page>`,
      };
    },
  };
}
