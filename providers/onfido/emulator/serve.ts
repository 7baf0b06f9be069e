/**
 * How the command line's `emulator` command serves the Onfido emulator over
 * HTTP: under `/onfido/v3.6` of the server's origin, with a fixed fake API
 * token by default (so a backend's settings survive a restart) and a webhook
 * token that is new on each start.
 *
 * @module
 */
import { envVarName } from 'idv-providers';
import type { EmulatorServing } from 'idv-providers/emulator-kit';
import type { OnfidoEmulator, OnfidoEmulatorOptions } from './index';

/** The fake API token the served emulator accepts unless told another. */
export const ONFIDO_SERVED_API_TOKEN = 'api_sandbox.idv-emulator-token-0000000000000000';

/** The path of the served API, version included. */
const API_PATH = '/onfido/v3.6';

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
    ],
    mounts: [{ label: 'Onfido API v3.6', path: API_PATH }],
    deliveries: "Onfido's webhooks (POST /webhooks, or --onfido-webhook-url)",
    serve({ origin, clock, deliver, flags }) {
      const baseUrl = `${origin}${API_PATH}`;
      const webhookUrl = flags['webhook-url'];
      const emulator = create({
        baseUrl,
        apiToken: flags['api-token'] ?? ONFIDO_SERVED_API_TOKEN,
        clock,
        deliver,
        ...(webhookUrl === undefined ? {} : { webhookUrl }),
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
          ['webhook', emulator.webhookUrl],
          ['webhook token', emulator.webhookToken],
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
