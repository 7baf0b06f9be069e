/**
 * What the library needs of a tracer and a logger, written as the few methods
 * it calls, so that an OpenTelemetry `Tracer` (from `@opentelemetry/api`) and
 * `console`, pino or winston fit without the library importing any of them.
 *
 * @module
 */

/** A value a span attribute may hold, as OpenTelemetry's `AttributeValue`. */
export type SpanAttributeValue = string | number | boolean | readonly string[];

/** Span attributes: ids and codes only, never personal data or a secret. */
export type SpanAttributes = Record<string, SpanAttributeValue | undefined>;

/** The part of OpenTelemetry's `Span` the library uses. */
export interface IdvSpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: SpanAttributeValue): unknown;
  /** Adds a timestamped event (a retry, a dead letter). */
  addEvent(name: string, attributes?: SpanAttributes): unknown;
  /** Sets the status: `code` 2 is an error (OpenTelemetry's `SpanStatusCode.ERROR`). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Ends the span. */
  end(): void;
}

/** The options the library passes when it starts a span. */
export interface IdvSpanOptions {
  /** The attributes known when the span starts. */
  attributes?: SpanAttributes;
  /** When the span started, milliseconds since the epoch, for a step timed before its span was made. */
  startTime?: number;
}

/**
 * The part of OpenTelemetry's `Tracer` the library uses: an OpenTelemetry
 * `Tracer` is one (`trace.getTracer('my-service')`). The span is made the
 * active one while `fn` runs, so provider calls made inside an intake step
 * are its children (with a context manager registered, as the Node SDK does).
 */
export interface IdvTracer {
  /**
   * Starts a span, runs `fn` with it as the active span, and returns what `fn` returns.
   *
   * @typeParam F - the function run inside the span.
   */
  startActiveSpan<F extends (span: IdvSpan) => unknown>(
    name: string,
    options: IdvSpanOptions,
    fn: F,
  ): ReturnType<F>;
}

/** Structured fields of a log record: ids, counts and codes, never personal data or a secret. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/**
 * A logger: `console` is one, and so are pino's and winston's through a line
 * of glue (`{ info: (message, fields) => pino.info(fields, message), ... }`).
 * Each method gets a short message and structured fields; a logger that
 * throws is ignored.
 */
export interface IdvLogger {
  /** Details for a developer: a provider call that failed (the caller got the error too). */
  debug(message: string, fields?: LogFields): void;
  /** Normal events worth keeping: a webhook refused for its body, an event retried. */
  info(message: string, fields?: LogFields): void;
  /** Something to look at: a refused signature or sender, a failed observer, a retry. */
  warn(message: string, fields?: LogFields): void;
  /** Something failed that needs a person: a dead letter, a store failure, a failed round. */
  error(message: string, fields?: LogFields): void;
}

/** The observability options the providers and the intake take. */
export interface ObservabilityOptions {
  /**
   * The tracer spans are made with. Default: the global tracer of
   * `@opentelemetry/api` when that package is installed (a no-op until the
   * host registers an SDK), else none. `false` turns spans off.
   */
  tracer?: IdvTracer | false | undefined;
  /** Where the library logs what it would otherwise keep to itself. Default: nowhere. */
  logger?: IdvLogger | undefined;
}
