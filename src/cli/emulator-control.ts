/**
 * The `/_emulator/` control endpoints: what a test in another language calls to
 * choose verdicts, play the customer, read deliveries, inject faults and reset.
 * Every answer is JSON; a bad request gets a 400 with `{ error: { type, message } }`.
 *
 * @module
 */
import { type ExtractedPerson, isReasonCode, REASON_CODES, type SessionRef } from 'idv-providers';
import type { EmulatorFault, FaultScope, ProviderEmulator } from 'idv-providers/emulator-kit';
import type { http as mswHttp, RequestHandler } from 'msw';
import type { DeliveryRecord } from './emulator-deliver';
import type { RunningEmulators, ServedProvider } from './emulator-server';
import { joinWords } from './words';

type Http = typeof mswHttp;
type Json = Record<string, unknown>;

/** The control endpoints, for `GET /_emulator` and the 404 answer. */
export const CONTROL_ENDPOINTS = [
  'GET /_emulator',
  'POST /_emulator/verdict {provider, subjectId, reason, person?}',
  'POST /_emulator/journey {provider, session: {subjectId, attemptId?}}',
  'GET /_emulator/deliveries?provider=',
  'POST /_emulator/fault {provider, fault: {kind, ...}, times?, method?, path?}',
  'POST /_emulator/reset {provider?}',
] as const;

const FAULT_KINDS: ReadonlySet<string> = new Set([
  'status',
  'reset',
  'delay',
  'malformed-json',
  'wrong-content-type',
  'unexpected-shape',
  'truncated-body',
]);

/** A refused control request. */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const answer = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { 'content-type': 'application/json' },
  });

async function jsonOf(request: Request): Promise<Json> {
  const text = await request.text();
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequest('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequest('the body must be a JSON object');
  }
  return value as Json;
}

function text(body: Json, key: string, required: true): string;
function text(body: Json, key: string, required?: false): string | undefined;
function text(body: Json, key: string, required = false): string | undefined {
  const value = body[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequest(`"${key}" must be a non-empty string`);
  }
  return value;
}

/** The served emulator a body's `provider` names. */
function servedOf(running: RunningEmulators, body: Json): ServedProvider {
  const provider = text(body, 'provider', true);
  const found = running.providers.find((p) => p.name === provider);
  if (found !== undefined) return found;
  const names = running.providers.map((p) => JSON.stringify(p.name));
  throw new BadRequest(
    `unknown provider ${JSON.stringify(provider)}: expected ${joinWords(names, 'or')}`,
  );
}

function emulatorOf(running: RunningEmulators, body: Json): ProviderEmulator {
  return servedOf(running, body).served.emulator;
}

/** Runs a control action; an emulator's own error (unknown id, impossible verdict) is a 400. */
async function control(action: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await action();
  } catch (error) {
    const status = error instanceof BadRequest ? error.status : 400;
    const message = error instanceof Error ? error.message : String(error);
    return answer({ error: { type: 'bad_request', message } }, status);
  }
}

function sessionOf(body: Json): SessionRef {
  const raw = body['session'] ?? { subjectId: body['subjectId'], attemptId: body['attemptId'] };
  if (typeof raw !== 'object' || raw === null) {
    throw new BadRequest('"session" must be an object {subjectId, attemptId?}');
  }
  const session = raw as Json;
  const subjectId = text(session, 'subjectId');
  const attemptId = text(session, 'attemptId');
  if (subjectId === undefined && attemptId === undefined) {
    throw new BadRequest(
      '"session" needs "subjectId" (the applicant or account id) or "attemptId"',
    );
  }
  return {
    ...(subjectId === undefined ? {} : { subjectId }),
    ...(attemptId === undefined ? {} : { attemptId }),
  } as SessionRef;
}

function faultOf(body: Json): { fault: EmulatorFault; scope: FaultScope } {
  const fault = body['fault'];
  if (
    typeof fault !== 'object' ||
    fault === null ||
    !FAULT_KINDS.has(String((fault as Json)['kind']))
  ) {
    throw new BadRequest(`"fault.kind" must be one of ${[...FAULT_KINDS].join(', ')}`);
  }
  const f = fault as Json;
  if (
    f['kind'] === 'status' &&
    !(Number.isInteger(f['status']) && (f['status'] as number) >= 400)
  ) {
    throw new BadRequest('a "status" fault needs "status": an HTTP error status (400-599)');
  }
  if (f['kind'] === 'delay' && !(Number.isInteger(f['ms']) && (f['ms'] as number) >= 0)) {
    throw new BadRequest('a "delay" fault needs "ms": a whole number of milliseconds');
  }
  const scope: FaultScope = {};
  if (body['times'] !== undefined) {
    if (!Number.isInteger(body['times']) || (body['times'] as number) < 1) {
      throw new BadRequest('"times" must be a positive whole number');
    }
    scope.times = body['times'] as number;
  }
  const method = text(body, 'method');
  if (method !== undefined) scope.method = method;
  const path = text(body, 'path');
  if (path !== undefined) {
    try {
      scope.path = new RegExp(path);
    } catch {
      throw new BadRequest('"path" must be a regular expression');
    }
  }
  return { fault: f as unknown as EmulatorFault, scope };
}

/**
 * A summary of what the emulators serve, for `GET /_emulator`: each
 * provider's base URLs and credentials under its name (as its serving part
 * describes them), the reason codes, the codes each emulator can produce
 * and these endpoints.
 */
export function emulatorInfo(running: RunningEmulators): Json {
  return {
    ...Object.fromEntries(running.providers.map((p) => [p.name, p.served.info])),
    reasons: REASON_CODES,
    // What each emulator can produce (an emulator that does not say is taken to produce every code).
    reasonsByProvider: Object.fromEntries(
      running.providers.map((p) => [p.name, p.served.emulator.reasons?.() ?? REASON_CODES]),
    ),
    endpoints: CONTROL_ENDPOINTS,
  };
}

/** The control endpoints as MSW handlers for the served origin. */
export function controlHandlers(http: Http, running: RunningEmulators): RequestHandler[] {
  const base = running.control;
  const since = (count: number): DeliveryRecord[] => running.deliveries.slice(count);
  return [
    http.get(base, () => answer(emulatorInfo(running))),

    http.post(`${base}/verdict`, ({ request }) =>
      control(async () => {
        const body = await jsonOf(request);
        const emulator = emulatorOf(running, body);
        const subjectId = text(body, 'subjectId', true);
        const reason = body['reason'];
        if (!isReasonCode(reason)) {
          throw new BadRequest(`"reason" must be one of ${REASON_CODES.join(', ')}`);
        }
        const person = body['person'];
        if (person !== undefined && (typeof person !== 'object' || person === null)) {
          throw new BadRequest(
            '"person" must be an object (firstName, lastName, dateOfBirth, ...)',
          );
        }
        emulator.setVerdict(subjectId, {
          reason,
          ...(person === undefined ? {} : { person: person as ExtractedPerson }),
        });
        return answer({ ok: true, provider: emulator.provider, subjectId, reason });
      }),
    ),

    http.post(`${base}/journey`, ({ request }) =>
      control(async () => {
        const body = await jsonOf(request);
        const emulator = emulatorOf(running, body);
        const session = sessionOf(body);
        const before = running.deliveries.length;
        await emulator.completeCustomerJourney(session);
        return answer({ ok: true, provider: emulator.provider, deliveries: since(before) });
      }),
    ),

    http.get(`${base}/deliveries`, ({ request }) => {
      const provider = new URL(request.url).searchParams.get('provider');
      const list = running.deliveries.filter((d) => provider === null || d.provider === provider);
      return answer({ deliveries: list });
    }),

    http.post(`${base}/fault`, ({ request }) =>
      control(async () => {
        const body = await jsonOf(request);
        const emulator = emulatorOf(running, body);
        const { fault, scope } = faultOf(body);
        emulator.fail(fault, scope);
        return answer({ ok: true, provider: emulator.provider });
      }),
    ),

    http.post(`${base}/reset`, ({ request }) =>
      control(async () => {
        const body = await jsonOf(request);
        const targets =
          body['provider'] === undefined ? running.providers : [servedOf(running, body)];
        for (const { name, served } of targets) {
          served.emulator.reset();
          const kept = running.deliveries.filter((d) => d.provider !== name);
          running.deliveries.splice(0, running.deliveries.length, ...kept);
        }
        return answer({ ok: true, reset: targets.map((t) => t.name) });
      }),
    ),

    http.all(`${base}/*`, ({ request }) =>
      answer(
        {
          error: {
            type: 'not_found',
            message: `${request.method} ${new URL(request.url).pathname} is not a control endpoint`,
            endpoints: CONTROL_ENDPOINTS,
          },
        },
        404,
      ),
    ),
  ];
}
