/**
 * Observability: OpenTelemetry spans around every provider call and intake
 * step, and a logger for what the library would otherwise keep to itself.
 * Provider-neutral; `@opentelemetry/api` is an optional peer dependency,
 * loaded only when no `tracer` is given and only if it is installed.
 *
 * @module
 */
export { TRACER_NAME } from './otel';
export {
  type InstrumentOptions,
  instrumentProvider,
  TRACED_METHODS,
  type TracedMethod,
  unwrapProvider,
} from './provider';
export type {
  IdvLogger,
  IdvSpan,
  IdvSpanOptions,
  IdvTracer,
  LogFields,
  ObservabilityOptions,
  SpanAttributes,
  SpanAttributeValue,
} from './types';
