/**
 * Every registered provider's emulator on one port, with HTTP delivery of
 * their webhooks and callbacks and the `/_emulator/` control endpoints. Which
 * emulators there are, and how each is served, comes from the providers'
 * definitions: each emulator entry's `serving` part.
 *
 * The emulator entries, the testing entry and MSW are loaded with `import()`
 * only here, so the other commands run where those optional packages are not
 * installed.
 *
 * @module
 */
import { defaultRegistry, type ProviderRegistry } from 'idv-providers';
import type { AdvanceableClock, EmulatorServing, ServedEmulator } from 'idv-providers/emulator-kit';
import type { EmulatorServer } from 'idv-providers/testing';
import type { RequestHandler } from 'msw';
import { controlHandlers } from './emulator-control';
import { createDeliverer, type DeliveryRecord } from './emulator-deliver';
import type { UsageServing } from './usage';

/** A provider whose emulator can be served: its name and its entry's serving part. */
export type ProviderServing = UsageServing;

/**
 * The providers of `registry` whose emulator entry has a serving part, in
 * registration order (the built-ins first). Loads their emulator entries.
 */
export async function loadServings(
  registry: ProviderRegistry = defaultRegistry,
): Promise<ProviderServing[]> {
  const servings: ProviderServing[] = [];
  for (const name of registry.names()) {
    const load = registry.get(name).emulator;
    if (load === undefined) continue;
    const serving = (await load()).serving;
    if (serving !== undefined) servings.push({ name, serving });
  }
  return servings;
}

/** Settings of {@link startEmulators}. */
export interface StartEmulatorsOptions {
  /** Port; 0 picks a free one. */
  port: number;
  /** Address to bind. */
  host: string;
  /** The emulators to serve (see {@link loadServings}). */
  servings: readonly ProviderServing[];
  /** The values of each provider's flags, by provider name, then flag name. */
  flags?: Readonly<Record<string, Readonly<Record<string, string | undefined>>>> | undefined;
  /** Send every delivery to this origin, keeping the path. */
  deliverTo?: string | undefined;
  /** Told about each delivery once it is complete. */
  onDelivery?: ((record: DeliveryRecord) => void) | undefined;
}

/** One served emulator. */
export interface ServedProvider {
  /** The provider's name. */
  readonly name: string;
  /** How it is served. */
  readonly serving: EmulatorServing;
  /** What serving it made: the emulator and what to tell the user. */
  readonly served: ServedEmulator;
}

/** Running emulators. */
export interface RunningEmulators {
  readonly server: EmulatorServer;
  /** `http://host:port` */
  readonly origin: string;
  /** The control endpoints' base. */
  readonly control: string;
  /** The served emulators, in registration order. */
  readonly providers: readonly ServedProvider[];
  /** Every webhook and callback, oldest first. */
  readonly deliveries: DeliveryRecord[];
  /** Stops the server and abandons deliveries in flight. */
  close(): Promise<void>;
}

/**
 * The real time, movable forward: an emulator may move its clock past a
 * link's lifetime to play an expired journey.
 */
function systemClock(): AdvanceableClock {
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

/** Starts the emulators on one port. */
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
  let providers: ServedProvider[];
  try {
    providers = options.servings.map(
      ({ name, serving }): ServedProvider => ({
        name,
        serving,
        served: serving.serve({
          origin,
          // Each its own clock: one emulator moving its time does not move another's.
          clock: systemClock(),
          deliver: createDeliverer({
            provider: name,
            deliverTo: options.deliverTo,
            log: deliveries,
            signal: closing.signal,
            ...(options.onDelivery === undefined ? {} : { onRecord: options.onDelivery }),
          }),
          flags: options.flags?.[name] ?? {},
        }),
      }),
    );
  } catch (error) {
    await server.close();
    throw error;
  }
  const running: RunningEmulators = {
    server,
    origin,
    control: `${origin}/_emulator`,
    providers,
    deliveries,
    async close() {
      closing.abort();
      await server.close();
    },
  };
  const { http } = await import('msw');
  handlers = [
    ...controlHandlers(http, running),
    ...providers.flatMap(({ served }) => served.emulator.handlers),
  ];
  return running;
}
