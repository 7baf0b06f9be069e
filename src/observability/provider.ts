/**
 * Spans around a provider's methods: `createProvider` (and a provider set)
 * wraps the provider an adapter made, so no adapter has to know of tracing.
 * One span per call, named `idv.<provider>.<method>`, with the ids the call
 * names or answers, and the error's code when it fails.
 *
 * @module
 */
import type { IdentityVerificationProvider } from '../provider';
import {
  createObserver,
  errorAttributes,
  logFieldsOf,
  type Observer,
  type SpanScope,
} from './observe';
import { globalTracerState } from './otel';
import type { ObservabilityOptions, SpanAttributes } from './types';

/** The methods a span is made for, in the order the interface lists them. */
export const TRACED_METHODS = [
  'startVerification',
  'completeCapture',
  'refreshLink',
  'deleteSubject',
  'verifyWebhook',
  'getResult',
  'listDocuments',
  'downloadDocument',
  'checkConnection',
] as const;

/** A method of {@link TRACED_METHODS}. */
export type TracedMethod = (typeof TRACED_METHODS)[number];

/** A provider's id as an attribute: a short string, or nothing. */
function id(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined;
}

/** The subject and attempt ids of something shaped like a `SessionRef`. */
export function sessionAttributes(session: unknown): SpanAttributes {
  const ref = (typeof session === 'object' && session !== null ? session : {}) as {
    subjectId?: unknown;
    attemptId?: unknown;
  };
  return { 'idv.subject_id': id(ref.subjectId), 'idv.attempt_id': id(ref.attemptId) };
}

/** What a call names, by method: ids only (never the person hint, a reference or a URL). */
function callAttributes(method: string, args: readonly unknown[]): SpanAttributes {
  const first = args[0] as Record<string, unknown> | undefined;
  switch (method) {
    case 'startVerification':
    case 'verifyWebhook':
    case 'checkConnection':
      return {};
    case 'downloadDocument':
      return {
        'idv.document.id': id(first?.['id']),
        'idv.document.kind': id(first?.['kind']),
      };
    default:
      return sessionAttributes(first);
  }
}

/** What an answer says, by method: ids, statuses and reason codes, counts. */
function answerAttributes(method: string, value: unknown): SpanAttributes {
  const answer = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  switch (method) {
    case 'startVerification':
    case 'completeCapture':
    case 'refreshLink':
      return sessionAttributes(method === 'completeCapture' ? answer : answer['session']);
    case 'verifyWebhook':
      return {
        ...sessionAttributes(answer['session']),
        'idv.event.type': id(answer['type']),
        'idv.event.actionable':
          typeof answer['actionable'] === 'boolean' ? answer['actionable'] : undefined,
      };
    case 'getResult': {
      const reasons = Array.isArray(answer['reasons'])
        ? answer['reasons'].filter((reason): reason is string => typeof id(reason) === 'string')
        : undefined;
      return {
        ...sessionAttributes(answer['session']),
        'idv.result.status': id(answer['status']),
        'idv.result.reasons': reasons,
      };
    }
    case 'listDocuments':
      return { 'idv.documents.count': Array.isArray(value) ? value.length : undefined };
    case 'downloadDocument': {
      const size = answer['size'];
      return { 'idv.document.size': typeof size === 'number' ? size : undefined };
    }
    case 'deleteSubject':
      return { 'idv.deletion.outcome': id(answer['outcome']) };
    default:
      return {};
  }
}

/** Options of {@link instrumentProvider}. */
export interface InstrumentOptions extends ObservabilityOptions {
  /** The tenant the provider serves, set on every span as `idv.tenant`. */
  tenant?: string | undefined;
}

function call(
  observer: Observer,
  provider: IdentityVerificationProvider,
  method: string,
  original: (...args: unknown[]) => Promise<unknown>,
  tenant: string | undefined,
) {
  const base = { 'idv.provider': provider.name, 'idv.operation': method, 'idv.tenant': tenant };
  return function observed(this: unknown, ...args: unknown[]): Promise<unknown> {
    if (!observer.tracing) return original.apply(provider, args);
    return observer.span(
      `idv.${provider.name}.${method}`,
      { ...base, ...callAttributes(method, args) },
      async (scope: SpanScope) => {
        const value = await original.apply(provider, args);
        scope.set(answerAttributes(method, value));
        return value;
      },
    );
  };
}

/**
 * The provider with spans around its methods ({@link TRACED_METHODS}), and a
 * `debug` record for each failed call when there is a logger. Everything
 * else it has (its `name`, `capabilities`, `readiness()`, methods of its own)
 * is passed through unchanged, and a method it lacks stays absent. With
 * tracing off and no logger, or with no tracer given, no logger and
 * `@opentelemetry/api` found not installed, the provider itself is answered.
 */
export function instrumentProvider<P extends IdentityVerificationProvider>(
  provider: P,
  options: InstrumentOptions = {},
): P {
  const logger = options.logger;
  const noTracer =
    options.tracer === false || (options.tracer === undefined && globalTracerState() === 'absent');
  if (noTracer && logger === undefined) return provider;
  const observer = createObserver(options);
  const tenant = options.tenant;
  // A copy of the provider with its methods replaced: adapters freeze
  // theirs, so neither a Proxy nor an assignment could change one.
  const descriptors = Object.getOwnPropertyDescriptors(provider) as PropertyDescriptorMap;
  for (const method of TRACED_METHODS) {
    const value = (provider as unknown as Record<string, unknown>)[method];
    if (typeof value !== 'function') continue;
    const original = value as (...args: unknown[]) => Promise<unknown>;
    const spanned = call(observer, provider, method, original, tenant);
    const observed = (...args: unknown[]): Promise<unknown> =>
      spanned(...args).catch((error: unknown) => {
        observer.log('debug', 'idv provider call failed', {
          'idv.provider': provider.name,
          'idv.operation': method,
          'idv.tenant': tenant,
          ...logFieldsOf(errorAttributes(error)),
        });
        throw error;
      });
    descriptors[method] = { value: observed, enumerable: true, configurable: true, writable: true };
  }
  const copy = Object.create(Object.getPrototypeOf(provider) as object | null, descriptors) as P;
  wrapped.set(copy, unwrapProvider(provider));
  return Object.isFrozen(provider) ? Object.freeze(copy) : copy;
}

/** Each instrumented copy's adapter object. */
const wrapped = new WeakMap<object, IdentityVerificationProvider>();

/**
 * The adapter's own object behind a provider `createProvider` (or a provider
 * set) instrumented; any other provider as it is. An adapter that keeps state
 * by provider object (the Onfido helpers such as `registerOnfidoWebhook`)
 * looks it up under this object.
 */
export function unwrapProvider<P extends object>(provider: P): P {
  return (wrapped.get(provider) as P | undefined) ?? provider;
}
