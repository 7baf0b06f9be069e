/**
 * The emulated Netverify hosts (legacy mode): `POST /api/v4/initiate`
 * (docs/provider-facts.md#j-nv-1) and the scan retrieval API
 * (docs/provider-facts.md#j-nv-5), both with HTTP Basic (API token and
 * secret).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import { type EmulatorContext, randomToken, timestamp } from './context';
import { basicCredentials, jsonBody, type Route, type RouteContext, route } from './router';
import type { Scan } from './state';
import { SAMPLE_PERSON } from './verdicts';
import { findOr404, problem, scanDataView } from './views';

const WORKFLOW_IDS = new Set([100, 101, 102, 200, 201, 202]);
const TENANT_HOST: Readonly<Record<string, string>> = {
  'amer-1': 'netverify.com',
  'emea-1': 'lon.netverify.com',
  'apac-1': 'core-sgp.jumio.com',
};

/** A 403 (no Basic auth, as Netverify answers) or 401 (wrong credentials) answer, if the request is not authorised. */
export function checkBasic(context: EmulatorContext, request: Request): Response | undefined {
  const credentials = basicCredentials(request);
  if (credentials === undefined) return problem(403, 'HTTP Basic authentication is required');
  if (credentials.user !== context.clientId || credentials.password !== context.clientSecret) {
    return problem(401, 'Bad API token or secret');
  }
  return undefined;
}

function validateInitiate(body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return 'The request body must be a JSON object';
  for (const field of ['customerInternalReference', 'userReference']) {
    const value = body[field];
    if (typeof value !== 'string' || value === '' || value.length > 100) {
      return `${field} is required, at most 100 characters`;
    }
  }
  const workflowId = body['workflowId'];
  if (workflowId !== undefined && !WORKFLOW_IDS.has(Number(workflowId))) {
    return 'workflowId is not supported';
  }
  const lifetime = body['tokenLifetimeInMinutes'];
  if (
    lifetime !== undefined &&
    !(typeof lifetime === 'number' && lifetime >= 5 && lifetime <= 86_400)
  ) {
    return 'tokenLifetimeInMinutes must be between 5 and 86400';
  }
  return undefined;
}

async function initiate({ emulator, region, request }: RouteContext): Promise<Response> {
  const body = await jsonBody(request);
  const invalid = validateInitiate(body);
  if (invalid !== undefined || body === undefined) return problem(400, invalid ?? 'Bad request');
  const scan: Scan = {
    reference: randomUUID(),
    region,
    status: 'PENDING',
    customerInternalReference: String(body['customerInternalReference']),
    userReference: String(body['userReference']),
    callbackUrl: typeof body['callbackUrl'] === 'string' ? body['callbackUrl'] : undefined,
    createdAt: timestamp(emulator),
    requestBody: body,
    images: [],
  };
  emulator.state.scans.set(scan.reference, scan);
  const locale = typeof body['locale'] === 'string' ? body['locale'] : 'en';
  const host = TENANT_HOST[region] ?? 'netverify.com';
  return HttpResponse.json({
    timestamp: timestamp(emulator),
    transactionReference: scan.reference,
    redirectUrl: `https://${emulator.tenant}.${host}/web/v4/app?locale=${locale}&authorizationToken=${randomToken(48)}`,
  });
}

/** A scan route: the scan the path names (in the host's region), or Jumio's 404. */
function scanRoute(
  path: string,
  answer: (scan: Scan, ctx: RouteContext) => Response | Promise<Response>,
): Route {
  return route('GET', `/api/netverify/v2/scans/:reference${path}`, (ctx) => {
    const scan = ctx.emulator.state.scans.get(ctx.params[0] as string);
    return findOr404(scan?.region === ctx.region ? scan : undefined, 'Scan', (found) =>
      answer(found, ctx),
    );
  });
}

/** A finished scan's route: a pending scan has no data or images yet. */
function finishedScanRoute(
  path: string,
  answer: (scan: Scan, ctx: RouteContext) => Response | Promise<Response>,
): Route {
  return scanRoute(path, (scan, ctx) =>
    scan.status === 'PENDING' ? problem(404, 'Scan is pending') : answer(scan, ctx),
  );
}

/** Every route of a Netverify host. */
export const netverifyRoutes: readonly Route[] = [
  route('POST', '/api/v4/initiate', initiate),
  scanRoute('', (scan, { emulator }) =>
    HttpResponse.json({
      timestamp: timestamp(emulator),
      scanReference: scan.reference,
      status: scan.status,
    }),
  ),
  finishedScanRoute('/data', (scan, { emulator }) => {
    const verdict = scan.verdict ?? {
      verificationStatus: 'APPROVED_VERIFIED',
      person: SAMPLE_PERSON,
    };
    return HttpResponse.json(
      scanDataView(scan.reference, verdict, {
        status: scan.status as 'DONE' | 'FAILED',
        createdAt: scan.createdAt,
        userReference: scan.userReference,
        merchantReference: scan.customerInternalReference,
        now: timestamp(emulator),
      }),
    );
  }),
  finishedScanRoute('/images', (scan, { emulator, region }) => {
    const origin = emulator.hosts[region]?.netverify ?? '';
    return HttpResponse.json({
      timestamp: timestamp(emulator),
      scanReference: scan.reference,
      images: scan.images.map((c) => ({
        classifier: c,
        href: `${origin}/api/netverify/v2/scans/${scan.reference}/images/${c}`,
      })),
    });
  }),
  finishedScanRoute('/images/:classifier', (scan, { emulator, params }) =>
    findOr404(
      emulator.state.images.get(`${scan.reference}:${params[1]}`),
      'Image',
      (image) =>
        new HttpResponse(image.bytes.slice().buffer, {
          status: 200,
          headers: {
            'Content-Type': image.contentType,
            'Content-Length': String(image.bytes.byteLength),
          },
        }),
    ),
  ),
];
