/**
 * Type-checked by `tsc --noEmit`: an OpenTelemetry `Tracer` and `console`
 * are what the `tracer` and `logger` options take, without glue.
 */
import { trace } from '@opentelemetry/api';
import type { IdvLogger, IdvTracer, ObservabilityOptions } from 'idv-providers';

const tracer: IdvTracer = trace.getTracer('my-service');
const logger: IdvLogger = console;
export const options: ObservabilityOptions = { tracer, logger };
export const off: ObservabilityOptions = { tracer: false };
