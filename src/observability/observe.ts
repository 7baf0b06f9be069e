/**
 * Spans and log records for the providers and the intake, from the host's
 * {@link ObservabilityOptions}. Without a tracer, `span` only runs its work;
 * without a logger, `log` does nothing. Neither a tracer nor a logger that
 * throws changes what the library does.
 *
 * What goes into a span or a record is chosen here: ids the providers issue,
 * tenant ids, counts, statuses and error codes. Never an error's message (it
 * could quote a provider's answer), a person's data or a secret.
 *
 * @module
 */
import { isIdvError } from '../errors';
import { loadedGlobalTracer, loadGlobalTracer } from './otel';
import type {
  IdvLogger,
  IdvSpan,
  IdvTracer,
  LogFields,
  ObservabilityOptions,
  SpanAttributes,
} from './types';

/** OpenTelemetry's `SpanStatusCode.ERROR`. */
const STATUS_ERROR = 2;

/** What the work inside a span may add to it. */
export interface SpanScope {
  /** Adds attributes (`undefined` values are left out). */
  set(attributes: SpanAttributes): void;
  /** Adds an event. */
  event(name: string, attributes?: SpanAttributes): void;
  /** Marks the span failed with the error's code, without throwing. */
  fail(error: unknown): void;
  /** Marks the span failed with a token of the library's own (`dead_lettered`, `http_500`). */
  failWith(type: string): void;
}

/** Spans and logs for one part of the library. */
export interface Observer {
  /** Runs `work` inside a span named `name`; a rejection marks the span failed and is passed on. */
  span<T>(
    name: string,
    attributes: SpanAttributes,
    work: (scope: SpanScope) => Promise<T>,
  ): Promise<T>;
  /** Records a span of a step that already finished: from `startTime` (ms since the epoch) to now. */
  mark(name: string, attributes: SpanAttributes, startTime: number): void;
  /** Logs a record, if there is a logger. */
  log(level: keyof IdvLogger, message: string, fields?: LogFields): void;
  /** `true` when spans may be made (a tracer given, or the global one found). */
  readonly tracing: boolean;
}

const NO_SCOPE: SpanScope = { set() {}, event() {}, fail() {}, failWith() {} };

/** A short token, or `undefined`: what an error's name or code may show. */
function token(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : undefined;
}

/** The attributes an error is described by: its code and kind, never its message. */
export function errorAttributes(error: unknown): SpanAttributes {
  const code = isIdvError(error) ? error.code : undefined;
  const fields = (error ?? {}) as { name?: unknown; status?: unknown; reason?: unknown };
  const status = typeof fields.status === 'number' ? fields.status : undefined;
  return {
    'error.type': code ?? token(fields.name) ?? 'Error',
    'idv.error.code': code,
    'http.response.status_code': isIdvError(error) ? status : undefined,
    'idv.webhook.reason': isIdvError(error) ? token(fields.reason) : undefined,
  };
}

/** Log fields from span attributes: the same ids and codes, `undefined` values left out. */
export function logFieldsOf(attributes: SpanAttributes): LogFields {
  const fields: LogFields = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    fields[key] = Array.isArray(value) ? value.join(',') : (value as string | number | boolean);
  }
  return fields;
}

function setAll(span: IdvSpan, attributes: SpanAttributes): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) span.setAttribute(key, value);
  }
}

function defined(attributes: SpanAttributes): SpanAttributes {
  const out: SpanAttributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

/** True for something that has `startActiveSpan`. */
export function isTracer(value: unknown): value is IdvTracer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as IdvTracer).startActiveSpan === 'function'
  );
}

/** True for something with `debug`, `info`, `warn` and `error` functions. */
export function isLogger(value: unknown): value is IdvLogger {
  if (typeof value !== 'object' || value === null) return false;
  const logger = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((level) => typeof logger[level] === 'function');
}

/**
 * Starts looking up the global tracer unless `options` give a tracer (or
 * turn tracing off), and answers when the lookup has finished.
 */
export function prepareTracing(options: ObservabilityOptions): Promise<void> {
  if (options.tracer !== undefined) return Promise.resolve();
  return loadGlobalTracer().then(() => undefined);
}

/**
 * An observer for `options`: the tracer given, else the global one once
 * found (the lookup starts now), else none.
 */
export function createObserver(options: ObservabilityOptions): Observer {
  const given = options.tracer;
  if (given === undefined) void prepareTracing(options);
  const tracerNow = (): IdvTracer | undefined =>
    given === false ? undefined : isTracer(given) ? given : loadedGlobalTracer();
  const logger = isLogger(options.logger) ? options.logger : undefined;

  const log: Observer['log'] = (level, message, fields) => {
    if (logger === undefined) return;
    try {
      logger[level](message, fields);
    } catch {
      // A logger's failure must not change what the library does.
    }
  };

  async function span<T>(
    name: string,
    attributes: SpanAttributes,
    work: (scope: SpanScope) => Promise<T>,
  ): Promise<T> {
    const tracer = tracerNow();
    if (tracer === undefined) return work(NO_SCOPE);
    let running: Promise<T> | undefined;
    const run = (span: IdvSpan): Promise<T> => {
      let failed = false;
      const failWith = (described: SpanAttributes): void => {
        failed = true;
        guard(() => {
          setAll(span, described);
          span.setStatus({ code: STATUS_ERROR, message: String(described['error.type']) });
        });
      };
      const scope: SpanScope = {
        set: (more) => guard(() => setAll(span, more)),
        event: (eventName, more = {}) => guard(() => span.addEvent(eventName, defined(more))),
        fail: (error) => failWith(errorAttributes(error)),
        failWith: (type) => failWith({ 'error.type': token(type) ?? 'Error' }),
      };
      running = work(scope).then(
        (value) => {
          guard(() => span.end());
          return value;
        },
        (error: unknown) => {
          if (!failed) scope.fail(error);
          guard(() => span.end());
          throw error;
        },
      );
      return running;
    };
    try {
      tracer.startActiveSpan(name, { attributes: defined(attributes) }, run);
    } catch {
      // A tracer that throws before running the work: it runs without a span.
    }
    return running ?? work(NO_SCOPE);
  }

  const mark: Observer['mark'] = (name, attributes, startTime) => {
    const tracer = tracerNow();
    if (tracer === undefined) return;
    guard(() =>
      tracer.startActiveSpan(name, { attributes: defined(attributes), startTime }, (span) =>
        span.end(),
      ),
    );
  };

  return {
    span,
    mark,
    log,
    get tracing() {
      return tracerNow() !== undefined;
    },
  };
}

function guard(step: () => unknown): void {
  try {
    step();
  } catch {
    // A tracer's failure must not change what the library does.
  }
}
