/**
 * The global tracer of `@opentelemetry/api`, loaded on first use and only if
 * the package is installed (an optional peer dependency) and a host has
 * registered an SDK with it. Importing the core loads nothing: the first
 * `createProvider`, `createWebhookHandler` or `createProcessor` without a
 * `tracer` option after the SDK's registration starts the lookup, once.
 *
 * @module
 */
import { loadModule } from '../config/lazy';
import { VERSION } from '../version';
import type { IdvTracer } from './types';

/** The name spans are reported under (OpenTelemetry's instrumentation scope). */
export const TRACER_NAME = 'idv-providers';

/** Imports `@opentelemetry/api` the way the running build loads modules. */
const importApi = (): Promise<unknown> =>
  loadModule<unknown>(
    () => import('@opentelemetry/api'),
    () => require('@opentelemetry/api'),
  );

interface TraceApi {
  getTracer(name: string, version?: string): unknown;
}

let lookup: Promise<IdvTracer | undefined> | undefined;
let found: IdvTracer | undefined;
let settled = false;

/** The tracer a loaded API gives, or `undefined` when the module is not the API. */
function tracerOf(loaded: unknown): IdvTracer | undefined {
  const module = loaded as { trace?: TraceApi; default?: { trace?: TraceApi } } | null;
  const trace = module?.trace ?? module?.default?.trace;
  if (typeof trace?.getTracer !== 'function') return undefined;
  const tracer = trace.getTracer(TRACER_NAME, VERSION) as IdvTracer | undefined;
  return typeof tracer?.startActiveSpan === 'function' ? tracer : undefined;
}

/**
 * Looks up the global tracer once an SDK is registered ({@link sdkRegistered}):
 * `undefined` when none is yet, or when `@opentelemetry/api` is not installed
 * (or fails to load). The tracer delegates to whatever SDK the
 * host registers, before or after this lookup.
 *
 * @param importer - How to import the API; the default imports `@opentelemetry/api`.
 */
export function loadGlobalTracer(
  importer: () => Promise<unknown> = importApi,
): Promise<IdvTracer | undefined> {
  // Until a host registers an SDK there is nothing to report to: the API is
  // not loaded (about 15 ms at start-up), and a later call looks again.
  if (lookup === undefined && importer === importApi && !sdkRegistered()) {
    return Promise.resolve(undefined);
  }
  lookup ??= importer().then(
    (loaded) => {
      try {
        found = tracerOf(loaded);
      } catch {
        found = undefined;
      }
      settled = true;
      return found;
    },
    () => {
      settled = true;
      return undefined;
    },
  );
  return lookup;
}

/**
 * True once anything registered with `@opentelemetry/api` in this process (an
 * SDK's tracer provider, a context manager): the API keeps its registrations
 * on `globalThis` under the symbol `opentelemetry.js.api.<major>`, which is
 * read here without loading the API.
 */
export function sdkRegistered(): boolean {
  return Object.getOwnPropertySymbols(globalThis).some((symbol) =>
    symbol.description?.startsWith('opentelemetry.js.api.'),
  );
}

/** The global tracer if the lookup has finished and found one; never starts a lookup. */
export function loadedGlobalTracer(): IdvTracer | undefined {
  return found;
}

/** Where the lookup is: not finished (or not started), found a tracer, or found none. */
export function globalTracerState(): 'pending' | 'found' | 'absent' {
  if (found !== undefined) return 'found';
  return settled ? 'absent' : 'pending';
}

/** Forgets the lookup, for tests that load the API another way. */
export function resetGlobalTracerLookup(): void {
  lookup = undefined;
  found = undefined;
  settled = false;
}
