/**
 * The emulator contract: what every provider emulator offers, so one
 * conformance suite and one demo can drive any of them. Emulators are stateful
 * MSW request handlers that behave like the provider's real API, per the
 * provider's public reference.
 *
 * @module
 */

import type { ExtractedPerson, IdvConfig, ReasonCode, SessionRef } from 'idv-providers';
import type { RequestHandler } from 'msw';
import type { AdvanceableClock } from './clock';

/** A webhook or callback the emulated provider sent (or would have sent) to the host. */
export interface EmulatorDelivery {
  /** The URL it was sent to. */
  url: string;
  /** HTTP method (always `POST` for the built-in providers). */
  method: string;
  /** Headers as sent, lower-case names. */
  headers: Record<string, string>;
  /** The raw body as sent. */
  body: string;
  /** The HTTP status the host answered, when it was delivered over HTTP. */
  answeredStatus?: number | undefined;
}

/** A failure the emulator injects into its answers. */
export type EmulatorFault =
  | {
      /** Answer with this status (429 carries the provider's own rate-limit body). */
      kind: 'status';
      status: number;
      /** `Retry-After` header value to send with it. */
      retryAfter?: string | undefined;
    }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed-json' }
  | { kind: 'wrong-content-type' }
  | { kind: 'unexpected-shape' }
  | { kind: 'truncated-body' };

/** Where and how often a fault applies. */
export interface FaultScope {
  /** How many matching requests get the fault: a positive integer. Default 1. */
  times?: number | undefined;
  /** Only requests with this method. */
  method?: string | undefined;
  /** Only requests whose URL path matches. */
  path?: RegExp | undefined;
}

/** The verdict a test chooses for a session. */
export interface EmulatorVerdict {
  /** The reason code the provider's answer must map to. */
  reason: ReasonCode;
  /** The person the document shows. Default: a sample person. */
  person?: ExtractedPerson | undefined;
}

/** An emulated provider. */
export interface ProviderEmulator {
  /** The provider's name. */
  readonly provider: string;
  /** The MSW handlers; install them with `setupServer(...emulator.handlers)`. */
  readonly handlers: readonly RequestHandler[];
  /**
   * A config for `createProvider` that points at this emulator with valid
   * credentials. `overrides` replace any option (e.g. a wrong API token).
   */
  config(overrides?: Record<string, unknown>): IdvConfig;
  /**
   * Chooses the verdict of a session, by reason code, before the customer
   * finishes. `subjectId` is the applicant or account id from `startVerification`.
   * Sessions without a chosen verdict come out `CLEAR`.
   */
  setVerdict(subjectId: string, verdict: EmulatorVerdict): void;
  /**
   * The reason codes {@link setVerdict} can produce, in the core's priority
   * order; it throws for the others. Optional: without it, a tool cannot tell
   * which reasons the emulator supports before trying.
   */
  reasons?(): readonly ReasonCode[];
  /**
   * Plays the customer: uploads the document images and selfie through the
   * provider's capture, as its web page or SDK would. For a session whose verdict
   * is `EXPIRED`, lets the link run out instead. Providers that decide on their own
   * once capture ends (Jumio) then finish processing and send their callback.
   */
  completeCustomerJourney(session: SessionRef): Promise<void>;
  /** Every webhook or callback sent so far, oldest first. */
  deliveries(): EmulatorDelivery[];
  /** Injects a fault into the next matching request(s). */
  fail(fault: EmulatorFault, scope?: FaultScope): void;
  /** The bytes the emulator serves for a document or selfie id (for hash checks). */
  servedBytes(documentId: string): Uint8Array | undefined;
  /** How many requests of each `METHOD /path-pattern` were answered (for retry tests). */
  requestCount(method: string, path: RegExp): number;
  /** Forgets all state: sessions, verdicts, faults, deliveries, counts. */
  reset(): void;
  /**
   * Config overrides with credentials this emulator refuses (a wrong API token,
   * a wrong client secret), for connection-check tests.
   */
  invalidCredentials(): Record<string, unknown>;
}

/**
 * A command-line flag of a served emulator. The command line spells it
 * `--<provider>-<name>` (`--onfido-api-token`) and hands its value to
 * {@link EmulatorServing.serve} under `name`.
 */
export interface EmulatorFlag {
  /** The flag without the `--<provider>-` prefix: `api-token`, `client-id`. */
  name: string;
  /** The placeholder of its value in the help text: `<t>`, `<url>`. */
  value: string;
  /** What it does, for the help text: one line, or several (the first beside the flag). */
  description: string | readonly string[];
  /** The value must be an absolute `http(s)` URL (the command line refuses others). */
  url?: boolean | undefined;
  /**
   * A switch that takes no value (`--jumio-no-rate-limits`): {@link EmulatorServeOptions.flags}
   * holds `'true'` under its name when it is given. Its `value` is then `''`.
   */
  boolean?: boolean | undefined;
}

/** One API of a served emulator, under a path of the server's origin. */
export interface EmulatorMount {
  /** What it is, for the help text: `Onfido API v3.6`, `Jumio OAuth2`. */
  label: string;
  /** The path it is served under: `/onfido/v3.6`. */
  path: string;
  /** A remark after the URL in the help text: `(legacy mode)`. */
  note?: string | undefined;
}

/** What {@link EmulatorServing.serve} is given. */
export interface EmulatorServeOptions {
  /** The server's origin, `http://<host>:<port>`: the emulator answers under its mounts there. */
  origin: string;
  /** The emulator's time: real time that the emulator may move forward. */
  clock: AdvanceableClock;
  /** Sends a webhook or callback to the host; answers the HTTP status the host gave. */
  deliver: (delivery: EmulatorDelivery) => Promise<number | undefined>;
  /** The values of its {@link EmulatorServing.flags} given on the command line, by `name`. */
  flags: Readonly<Record<string, string | undefined>>;
}

/** An emulator serving on a real port, and what to tell the user about it. */
export interface ServedEmulator {
  /** The emulator; its handlers are served. */
  emulator: ProviderEmulator;
  /** What `GET /_emulator` shows under the provider's name: base URLs and credentials. */
  info: Readonly<Record<string, unknown>>;
  /** The rows of its block in the banner, `[label, value]`: base URLs and credentials. */
  banner: ReadonlyArray<readonly [string, string]>;
  /**
   * The options a backend sets to use it, `[option, value]` (`['baseUrl', ...]`);
   * the command line prints them as environment variables (`IDV_ONFIDO_BASE_URL=...`).
   */
  environment: ReadonlyArray<readonly [string, string]>;
  /** A remark printed after the variables: what else a backend sets. */
  note?: string | undefined;
}

/**
 * How an emulator is served over HTTP by the command line's `emulator`
 * command, beside the other providers' on one port: its flags, its paths, and
 * what it prints.
 */
export interface EmulatorServing {
  /** The provider as people write it: `Onfido`. */
  displayName: string;
  /** The heading of its block in the banner: `Onfido (API v3.6)`. */
  title: string;
  /** Its command-line flags (credentials to accept, a webhook to register up front). */
  flags: readonly EmulatorFlag[];
  /** The APIs it serves, for the help text; `serve` answers under the same paths. */
  mounts: readonly EmulatorMount[];
  /**
   * Where its webhooks or callbacks go, for the help text:
   * `Jumio's callbackUrl from the account request`.
   */
  deliveries: string;
  /**
   * What the customer journey of the control endpoints does beyond uploading,
   * for the help text: `Jumio then finishes processing and sends its callback`.
   */
  journey?: string | undefined;
  /** Creates the emulator for `options.origin`, with the flags given. */
  serve(options: EmulatorServeOptions): ServedEmulator;
}

/**
 * What a provider's emulator entry (`idv-providers/<name>/emulator`) offers to
 * tools that do not know the provider: the conformance run over every
 * built-in provider, and the command line's `emulator` command. A provider
 * definition points at it with its `emulator()` loader.
 */
export interface EmulatorModule {
  /** A fresh emulator with its default settings (a random credential, the test clock). */
  createEmulator(): ProviderEmulator;
  /** How the command line serves it over HTTP. Without it, `emulator` leaves the provider out. */
  serving?: EmulatorServing | undefined;
}
