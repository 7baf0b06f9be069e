/**
 * The Jumio emulator's own control requests over HTTP, beside the command
 * line's provider-neutral `/_emulator/` endpoints, for what only Jumio has
 * (served under `/jumio/_control` by `idv-providers emulator`):
 *
 * | request | does |
 * |---|---|
 * | `POST /expire {session: {subjectId?, attemptId?}, status?}` | {@link JumioEmulator.expire}: the transaction expires now and its callback is sent |
 * | `POST /acquire {session}` | {@link JumioEmulator.acquire}: the customer uploaded, Jumio has not finished |
 * | `POST /capture {id, flash?, livenessFrames?}` | {@link JumioEmulator.setCapture} |
 * | `GET /rate-limits` | whether the rate limits apply, each class's limit, and the requests refused |
 * | `PUT /rate-limits {enabled?, token?, account?, retrieval?}` | {@link JumioEmulator.setRateLimits} |
 *
 * Every answer is JSON; a refused request gets a 400 with `{error: {type, message}}`.
 *
 * @module
 */
import type { SessionRef } from 'idv-providers';
import { trimTrailingSlashes } from 'idv-providers/kit';
import { HttpResponse, http, type RequestHandler } from 'msw';
import type { JumioEmulator } from './index';
import type { JumioRateLimitSetting, RateClass } from './rate-limits';
import { jsonBody } from './router';

type Json = Record<string, unknown>;

const refused = (message: string): Response =>
  HttpResponse.json({ error: { type: 'bad_request', message } }, { status: 400 });

/** Runs a control action; what the emulator throws (an unknown id, ...) is a 400. */
async function control(
  request: Request,
  action: (body: Json) => Promise<Json> | Json,
): Promise<Response> {
  const text = await request.clone().text();
  const body = text.trim() === '' ? {} : await jsonBody(request);
  if (body === undefined) return refused('the body must be a JSON object');
  try {
    return HttpResponse.json(await action(body));
  } catch (error) {
    return refused(error instanceof Error ? error.message : String(error));
  }
}

function sessionOf(body: Json): SessionRef {
  const raw = body['session'];
  const session = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
  const subjectId = typeof session['subjectId'] === 'string' ? session['subjectId'] : undefined;
  const attemptId = typeof session['attemptId'] === 'string' ? session['attemptId'] : undefined;
  if (subjectId === undefined && attemptId === undefined) {
    throw new Error('"session" needs "subjectId" (the account id) or "attemptId"');
  }
  return {
    provider: 'jumio',
    ...(subjectId === undefined ? {} : { subjectId }),
    ...(attemptId === undefined ? {} : { attemptId }),
  };
}

function expiryOf(body: Json): 'SESSION_EXPIRED' | 'TOKEN_EXPIRED' | undefined {
  const status = body['status'];
  if (status === undefined || status === 'SESSION_EXPIRED' || status === 'TOKEN_EXPIRED') {
    return status;
  }
  throw new Error('"status" must be "SESSION_EXPIRED" or "TOKEN_EXPIRED"');
}

function rateSettingOf(body: Json): JumioRateLimitSetting {
  if (body['enabled'] === false) return false;
  if (body['enabled'] !== undefined && body['enabled'] !== true) {
    throw new Error('"enabled" must be true or false');
  }
  const setting: Partial<Record<RateClass, { perSecond?: number; burst?: number }>> = {};
  for (const rateClass of ['token', 'account', 'retrieval'] as const) {
    const given = body[rateClass];
    if (given === undefined) continue;
    if (typeof given !== 'object' || given === null) {
      throw new Error(`"${rateClass}" must be an object {perSecond?, burst?}`);
    }
    const { perSecond, burst } = given as Json;
    setting[rateClass] = {
      ...(typeof perSecond === 'number' ? { perSecond } : {}),
      ...(typeof burst === 'number' ? { burst } : {}),
    };
  }
  return setting;
}

/** The control handlers under `base` (an absolute URL without a trailing slash). */
export function createControlHandlers(base: string, emulator: JumioEmulator): RequestHandler[] {
  const url = trimTrailingSlashes(base);
  const limits = () => ({ ...emulator.rateLimits(), refused: emulator.rateLimited() });
  return [
    http.post(`${url}/expire`, ({ request }) =>
      control(request, async (body) => {
        const session = sessionOf(body);
        await emulator.expire(session, expiryOf(body));
        const execution =
          session.attemptId === undefined
            ? emulator.account(session.subjectId ?? '')?.executions.at(-1)
            : emulator.execution(session.attemptId);
        return {
          account: { id: execution?.accountId },
          workflowExecution: { id: execution?.id, status: execution?.status },
        };
      }),
    ),
    http.post(`${url}/acquire`, ({ request }) =>
      control(request, (body) => {
        emulator.acquire(sessionOf(body));
        return { acquired: true };
      }),
    ),
    http.post(`${url}/capture`, ({ request }) =>
      control(request, (body) => {
        const id = body['id'];
        if (typeof id !== 'string' || id === '') {
          throw new Error('"id" must be an account or workflow execution id');
        }
        const frames = body['livenessFrames'];
        emulator.setCapture(id, {
          ...(body['flash'] === true ? { flash: true } : {}),
          ...(typeof frames === 'number' ? { livenessFrames: frames } : {}),
        });
        return { id };
      }),
    ),
    http.get(`${url}/rate-limits`, () => HttpResponse.json(limits())),
    http.put(`${url}/rate-limits`, ({ request }) =>
      control(request, (body) => {
        emulator.setRateLimits(rateSettingOf(body));
        return limits();
      }),
    ),
  ];
}
