/**
 * An in-memory OpenTelemetry SDK for the observability tests: a tracer
 * provider whose finished spans are kept, a context manager so spans nest,
 * a logger that keeps its records, and the check that none of them holds a
 * planted secret or a person's data.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { IdvLogger, LogFields } from 'idv-providers';
import { expect } from 'vitest';

/** A tracer provider of its own with an in-memory exporter. */
export function createSdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    exporter,
    provider,
    tracer: provider.getTracer('observability-test'),
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    named: (name: string): ReadableSpan[] =>
      exporter.getFinishedSpans().filter((span) => span.name === name),
  };
}

/** Registers `provider` as the global one with a context manager, as a host's SDK set-up does. */
export function registerGlobally(provider: BasicTracerProvider): () => void {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(provider);
  return () => {
    trace.disable();
    context.disable();
  };
}

/** One log record. */
export interface LogRecord {
  level: keyof IdvLogger;
  message: string;
  fields: LogFields | undefined;
}

/** A logger that keeps its records. */
export function recordingLogger(): IdvLogger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: keyof IdvLogger) =>
    (message: string, fields?: LogFields): void => {
      records.push({ level, message, fields });
    };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Everything a span shows: its name, attributes, events, status and links, as text. */
export function spanText(span: ReadableSpan): string {
  return JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    status: span.status,
    links: span.links,
  });
}

/** No planted value appears in any span or log record. */
export function expectNoneOf(planted: readonly string[], spans: ReadableSpan[], logs: LogRecord[]) {
  const texts = [...spans.map(spanText), ...logs.map((record) => JSON.stringify(record))];
  const leaks = planted.flatMap((value) =>
    texts.filter((text) => text.toLowerCase().includes(value.toLowerCase())).map(() => value),
  );
  expect([...new Set(leaks)]).toEqual([]);
}

/** The span's parent span id (OpenTelemetry SDK 2 calls it `parentSpanContext`). */
export function parentOf(span: ReadableSpan): string | undefined {
  const withParent = span as ReadableSpan & {
    parentSpanContext?: { spanId: string };
    parentSpanId?: string;
  };
  return withParent.parentSpanContext?.spanId ?? withParent.parentSpanId;
}
