/**
 * Both emulators on one port, with HTTP delivery of their webhooks and
 * callbacks and the `/_emulator/` control endpoints.
 *
 * The testing entry and MSW are loaded with `import()` only here, so the other
 * commands run where those optional packages are not installed.
 *
 * @module
 */
import type {
  EmulatorServer,
  JumioEmulator,
  OnfidoEmulator,
  OnfidoEmulatorClock,
} from 'idv-providers/testing';
import type { RequestHandler } from 'msw';
import { controlHandlers } from './emulator-control';
import { createDeliverer, type DeliveryRecord } from './emulator-deliver';

/** The fake credentials the CLI's emulators accept unless told others. */
export const DEFAULT_EMULATOR_CREDENTIALS = {
  onfidoApiToken: 'api_sandbox.idv-emulator-token-0000000000000000',
  jumioClientId: 'idv-emulator-jumio-client-id',
  jumioClientSecret: 'idv-emulator-jumio-client-secret',
} as const;

/** Settings of {@link startEmulators}. */
export interface StartEmulatorsOptions {
  /** Port; 0 picks a free one. */
  port: number;
  /** Address to bind. */
  host: string;
  onfidoApiToken?: string | undefined;
  onfidoWebhookUrl?: string | undefined;
  jumioClientId?: string | undefined;
  jumioClientSecret?: string | undefined;
  /** Send every delivery to this origin, keeping the path. */
  deliverTo?: string | undefined;
  /** Told about each delivery once it is complete. */
  onDelivery?: ((record: DeliveryRecord) => void) | undefined;
}

/** The base URLs of the served emulators. */
export interface EmulatorUrls {
  /** `http://host:port` */
  origin: string;
  onfido: string;
  jumioAuth: string;
  jumioAccount: string;
  jumioRetrieval: string;
  jumioNetverify: string;
  /** The control endpoints' base. */
  control: string;
}

/** Running emulators. */
export interface RunningEmulators {
  readonly server: EmulatorServer;
  readonly onfido: OnfidoEmulator;
  readonly jumio: JumioEmulator;
  readonly urls: EmulatorUrls;
  /** Every webhook and callback, oldest first. */
  readonly deliveries: DeliveryRecord[];
  /** Stops the server and abandons deliveries in flight. */
  close(): Promise<void>;
}

/**
 * The real time, movable forward: the Onfido emulator moves its clock past a
 * link's lifetime to play an expired journey.
 */
function systemClock(): OnfidoEmulatorClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => Math.random(),
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** Starts both emulators on one port. */
export async function startEmulators(options: StartEmulatorsOptions): Promise<RunningEmulators> {
  const testing = await import('idv-providers/testing');
  const closing = new AbortController();
  const deliveries: DeliveryRecord[] = [];
  let handlers: readonly RequestHandler[] = [];
  const server = await testing.serveEmulators({
    port: options.port,
    host: options.host,
    handlers: () => handlers,
  });
  const origin = server.url;
  const urls: EmulatorUrls = {
    origin,
    onfido: `${origin}/onfido/v3.6`,
    jumioAuth: `${origin}/jumio/auth`,
    jumioAccount: `${origin}/jumio/account`,
    jumioRetrieval: `${origin}/jumio/retrieval`,
    jumioNetverify: `${origin}/jumio/netverify`,
    control: `${origin}/_emulator`,
  };
  const deliverer = (provider: string) =>
    createDeliverer({
      provider,
      deliverTo: options.deliverTo,
      log: deliveries,
      signal: closing.signal,
      ...(options.onDelivery === undefined ? {} : { onRecord: options.onDelivery }),
    });

  const onfido = testing.createOnfidoEmulator({
    baseUrl: urls.onfido,
    apiToken: options.onfidoApiToken ?? DEFAULT_EMULATOR_CREDENTIALS.onfidoApiToken,
    clock: systemClock(),
    deliver: deliverer('onfido'),
    ...(options.onfidoWebhookUrl === undefined ? {} : { webhookUrl: options.onfidoWebhookUrl }),
  });
  const jumio = testing.createJumioEmulator({
    clientId: options.jumioClientId ?? DEFAULT_EMULATOR_CREDENTIALS.jumioClientId,
    clientSecret: options.jumioClientSecret ?? DEFAULT_EMULATOR_CREDENTIALS.jumioClientSecret,
    baseUrls: {
      auth: urls.jumioAuth,
      account: urls.jumioAccount,
      retrieval: urls.jumioRetrieval,
      netverify: urls.jumioNetverify,
    },
    deliver: deliverer('jumio'),
  });
  const running: RunningEmulators = {
    server,
    onfido,
    jumio,
    urls,
    deliveries,
    async close() {
      closing.abort();
      await server.close();
    },
  };
  const { http } = await import('msw');
  handlers = [...controlHandlers(http, running), ...onfido.handlers, ...jumio.handlers];
  return running;
}
