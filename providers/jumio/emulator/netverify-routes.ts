/**
 * The emulated Netverify hosts (legacy mode): `POST /api/v4/initiate` and the
 * scan retrieval API, both with HTTP Basic (API token and secret).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import {
  basicCredentials,
  type EmulatorContext,
  jsonBody,
  randomToken,
  timestamp,
} from './context';
import { problem } from './faults';
import type { RegionKey, Scan } from './state';
import { buildScanData, SAMPLE_PERSON } from './verdicts';

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

async function initiate(context: EmulatorContext, region: RegionKey, request: Request) {
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
    createdAt: timestamp(context),
    requestBody: body,
    images: [],
  };
  context.state.scans.set(scan.reference, scan);
  const locale = typeof body['locale'] === 'string' ? body['locale'] : 'en';
  const host = TENANT_HOST[region] ?? 'netverify.com';
  return HttpResponse.json({
    timestamp: timestamp(context),
    transactionReference: scan.reference,
    redirectUrl: `https://${context.tenant}.${host}/web/v4/app?locale=${locale}&authorizationToken=${randomToken(48)}`,
  });
}

/** Every route of a Netverify host. */
export async function netverifyRoute(
  context: EmulatorContext,
  region: RegionKey,
  request: Request,
  path: string,
): Promise<Response> {
  if (request.method === 'POST' && path.replace(/\/$/, '') === '/api/v4/initiate') {
    return initiate(context, region, request);
  }
  const match = /^\/api\/netverify\/v2\/scans\/([^/]+)(\/data|\/images(?:\/([^/]+))?)?$/.exec(path);
  if (request.method !== 'GET' || match === null) return problem(404, 'No such endpoint');
  const scan = context.state.scans.get(match[1] ?? '');
  if (scan === undefined || scan.region !== region) return problem(404, 'Scan not found');
  const origin = context.hosts[region]?.netverify ?? '';
  const sub = match[2];
  if (sub === undefined) {
    return HttpResponse.json({
      timestamp: timestamp(context),
      scanReference: scan.reference,
      status: scan.status,
    });
  }
  if (scan.status === 'PENDING') return problem(404, 'Scan is pending');
  if (sub === '/data') {
    const verdict = scan.verdict ?? {
      verificationStatus: 'APPROVED_VERIFIED',
      person: SAMPLE_PERSON,
    };
    return HttpResponse.json(
      buildScanData(scan.reference, verdict, {
        status: scan.status,
        createdAt: scan.createdAt,
        userReference: scan.userReference,
        merchantReference: scan.customerInternalReference,
        now: timestamp(context),
      }),
    );
  }
  const classifier = match[3];
  if (classifier === undefined) {
    return HttpResponse.json({
      timestamp: timestamp(context),
      scanReference: scan.reference,
      images: scan.images.map((c) => ({
        classifier: c,
        href: `${origin}/api/netverify/v2/scans/${scan.reference}/images/${c}`,
      })),
    });
  }
  const image = context.state.images.get(`${scan.reference}:${classifier}`);
  if (image === undefined) return problem(404, 'Image not found');
  return new HttpResponse(image.bytes.slice().buffer, {
    status: 200,
    headers: {
      'Content-Type': image.contentType,
      'Content-Length': String(image.bytes.byteLength),
    },
  });
}
