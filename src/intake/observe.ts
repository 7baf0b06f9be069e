/**
 * What the intake tells the tracer and the logger: the attributes of its
 * spans (`idv.intake.webhook`, `idv.intake.record`, `idv.intake.process`,
 * `idv.intake.handler`, `idv.intake.track`, `idv.intake.claim`) and the
 * records of refused webhooks, failed stores, retries and dead letters. Ids,
 * counts, statuses and codes only: never a body, a header, a sender's
 * address or an error's message.
 *
 * @module
 */
import {
  errorAttributes,
  logFieldsOf,
  type Observer,
  type SpanScope,
} from '../observability/observe';
import { sessionAttributes } from '../observability/provider';
import type { SpanAttributes } from '../observability/types';
import type { VerificationResult } from '../outcome';
import type { WebhookEvent } from '../provider';
import type { IntakeAnswer, IntakeOutcome } from './handler';
import type { DrainSummary } from './processor-types';
import type { StoredEvent } from './store';

/** The attributes of an event, stored or not yet: its provider, type, ids and tenant. */
export function eventAttributes(
  event: Pick<WebhookEvent, 'provider' | 'type' | 'session'> &
    Partial<Pick<StoredEvent, 'id' | 'tenant' | 'attempts' | 'deadline'>>,
): SpanAttributes {
  return {
    'idv.provider': event.provider,
    'idv.event.type': event.type,
    'idv.event.id': event.id,
    'idv.tenant': event.tenant,
    'idv.intake.attempt': event.attempts,
    'idv.intake.deadline': event.deadline === undefined ? undefined : true,
    ...sessionAttributes(event.session),
  };
}

/** What an answer to a delivery says, as attributes of its `idv.intake.webhook` span. */
export function answerAttributes(answer: IntakeAnswer): SpanAttributes {
  const body = answer.body;
  const flag = (key: string) => (body[key] === true ? true : undefined);
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  return {
    'http.response.status_code': answer.status,
    'idv.event.id': text('id'),
    'idv.intake.reason': text('error'),
    'idv.intake.duplicate': typeof body['duplicate'] === 'boolean' ? body['duplicate'] : undefined,
    'idv.intake.requeued': flag('requeued'),
    'idv.intake.coalesced': flag('coalesced'),
    'idv.intake.stale': flag('stale'),
  };
}

/** Marks a delivery's span failed for a 5xx answer. */
export function observeAnswer(scope: SpanScope, answer: IntakeAnswer): IntakeAnswer {
  scope.set(answerAttributes(answer));
  if (answer.status >= 500) scope.failWith(`http_${answer.status}`);
  return answer;
}

/**
 * Logs what happened to a delivery: `warn` for a refused signature or sender
 * (401, 403) and a rate-limited sender (429), `info` for other refusals and
 * stale events, `error` for a store or provider failure, `debug` for one recorded.
 */
export function logOutcome(observer: Observer, outcome: IntakeOutcome, provider: string): void {
  const base = { 'idv.provider': provider, 'idv.tenant': outcome.tenant };
  switch (outcome.result) {
    case 'recorded':
      observer.log('debug', 'idv webhook recorded', {
        ...base,
        ...logFieldsOf(eventAttributes(outcome.event)),
        'idv.intake.duplicate': outcome.duplicate,
        'idv.intake.requeued': outcome.requeued,
        'idv.intake.coalesced': outcome.coalesced,
      });
      return;
    case 'ignored':
      observer.log('info', 'idv webhook ignored', { ...base, 'idv.intake.reason': outcome.reason });
      return;
    case 'refused': {
      const level = [401, 403, 429].includes(outcome.status) ? 'warn' : 'info';
      observer.log(level, 'idv webhook refused', {
        ...base,
        'http.response.status_code': outcome.status,
        'idv.intake.reason': outcome.reason,
      });
      return;
    }
    case 'failed':
      observer.log(
        'error',
        outcome.status === 503
          ? 'idv webhook not recorded: the store failed'
          : 'idv webhook failed',
        {
          ...base,
          'http.response.status_code': outcome.status,
          ...logFieldsOf(errorAttributes(outcome.error)),
        },
      );
      return;
  }
}

/** The attributes of a result the processor got, on its `idv.intake.process` span: the ids it names, its status and reasons. */
export function resultAttributes(result: VerificationResult, ownExpiry: boolean): SpanAttributes {
  return {
    ...sessionAttributes(result.session),
    'idv.result.status': result.status,
    'idv.result.reasons': result.reasons.filter((reason) => typeof reason === 'string'),
    'idv.intake.expired_at_deadline': ownExpiry ? true : undefined,
  };
}

/**
 * The spans and records of the processor's attempts: one `idv.intake.process`
 * span per claimed event, which the attempt's failure (told by `failed`) and
 * its result (told by `result`) are added to.
 */
export function processObserver(observer: Observer) {
  const scopes = new WeakMap<object, SpanScope>();
  const failures = new WeakMap<object, unknown>();
  return {
    /** Runs one attempt of `event` inside its span, and logs a retry, a dead letter or a rejection. */
    process(
      event: StoredEvent,
      run: () => Promise<keyof DrainSummary>,
    ): Promise<keyof DrainSummary> {
      const attributes = eventAttributes(event);
      return observer.span('idv.intake.process', attributes, async (scope) => {
        scopes.set(event, scope);
        let outcome: keyof DrainSummary;
        try {
          outcome = await run();
        } catch (error) {
          observer.log('error', 'idv event outcome not recorded: the store failed', {
            ...logFieldsOf(attributes),
            ...logFieldsOf(errorAttributes(error)),
          });
          throw error;
        }
        scope.set({ 'idv.intake.outcome': outcome });
        const failure = failures.get(event);
        const fields = {
          ...logFieldsOf(attributes),
          ...(failure === undefined ? {} : logFieldsOf(errorAttributes(failure))),
        };
        if (outcome === 'retried') {
          if (failure !== undefined) scope.fail(failure);
          scope.event('idv.intake.retry', { 'idv.intake.attempt': event.attempts });
          observer.log('warn', 'idv event attempt failed; retried later', fields);
        } else if (outcome === 'deadLettered') {
          if (failure !== undefined) scope.fail(failure);
          else scope.failWith('dead_lettered');
          scope.event('idv.intake.dead_letter', { 'idv.intake.attempt': event.attempts });
          observer.log('error', 'idv event dead-lettered', fields);
        } else if (outcome === 'rejected') {
          observer.log('info', 'idv event skipped: the provider does not know the session', fields);
        } else if (outcome === 'deferred') {
          observer.log('debug', 'idv event deferred: the result is pending', fields);
        }
        return outcome;
      });
    },
    /** Tells the event's span about its result. */
    result(event: StoredEvent, result: VerificationResult, ownExpiry: boolean): void {
      scopes.get(event)?.set(resultAttributes(result, ownExpiry));
    },
    /** Tells the event's span (and the retry's record) about the attempt's failure. */
    failed(event: StoredEvent, error: unknown): void {
      failures.set(event, error);
    },
  };
}
