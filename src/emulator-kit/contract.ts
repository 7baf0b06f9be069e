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
 * What a provider's emulator entry (`idv-providers/<name>/emulator`) offers to
 * tools that do not know the provider: the conformance run over every
 * built-in provider, and the command line's `emulator` command. A provider
 * definition points at it with its `emulator()` loader.
 */
export interface EmulatorModule {
  /** A fresh emulator with its default settings (a random credential, the test clock). */
  createEmulator(): ProviderEmulator;
}
