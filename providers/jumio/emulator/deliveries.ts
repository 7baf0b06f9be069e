/**
 * The callbacks Jumio sends when a transaction finishes: KYX's JSON body
 * naming the workflow execution (docs/provider-facts.md#j-cb-1; the 2023
 * guide's href shape, docs/provider-facts.md#j-ret-7), and Netverify's form
 * with the scan's data (docs/provider-facts.md#j-nv-2). Jumio does not sign
 * them (docs/provider-facts.md#j-cb-4); the adapter trusts only the API's
 * answer.
 *
 * @module
 */
import type { EmulatorDelivery } from 'idv-providers/emulator-kit';
import { type EmulatorContext, timestamp } from './context';
import type { Execution, NetverifyVerdict, Scan } from './state';
import { SAMPLE_PERSON } from './verdicts';
import { rejectReasonJson } from './views';

/** Sends (records, and hands to `deliver` when given) a callback. */
export type Deliver = (delivery: EmulatorDelivery) => Promise<number | undefined>;

/** Records a callback and hands it to `deliver`, noting the status the host answered. */
export async function send(
  context: EmulatorContext,
  delivery: EmulatorDelivery,
  deliver?: Deliver,
): Promise<void> {
  context.state.deliveries.push(delivery);
  if (deliver !== undefined) {
    const status = await deliver(delivery);
    if (status !== undefined) delivery.answeredStatus = status;
  }
}

/** The KYX callback of a finished workflow execution (which must have a callback URL). */
export function kyxCallback(context: EmulatorContext, execution: Execution): EmulatorDelivery {
  const retrieval = context.hosts[execution.region]?.retrieval ?? '';
  const accountHref = `${retrieval}/api/v1/accounts/${execution.accountId}`;
  const body = JSON.stringify({
    callbackSentAt: timestamp(context),
    ...(execution.userReference === undefined ? {} : { userReference: execution.userReference }),
    workflowExecution: {
      id: execution.id,
      href: `${accountHref}/workflow-executions/${execution.id}`,
      definitionKey: String(execution.definitionKey),
      status: execution.status,
    },
    account: { id: execution.accountId, href: accountHref },
  });
  return {
    url: execution.callbackUrl ?? '',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Jumio Callback' },
    body,
  };
}

function netverifyForm(context: EmulatorContext, scan: Scan, verdict: NetverifyVerdict): string {
  const origin = context.hosts[scan.region]?.netverify ?? '';
  const approved = verdict.verificationStatus === 'APPROVED_VERIFIED';
  const check = approved ? 'OK' : 'N/A';
  const form = new URLSearchParams({
    callBackType: 'NETVERIFYID',
    jumioIdScanReference: scan.reference,
    verificationStatus: verdict.verificationStatus,
    idScanStatus: approved ? 'SUCCESS' : 'ERROR',
    idScanSource: 'WEB_UPLOAD',
    idCheckDataPositions: check,
    idCheckDocumentValidation: check,
    idCheckHologram: check,
    idCheckMRZcode: check,
    idCheckMicroprint: check,
    idCheckSecurityFeatures: check,
    idCheckSignature: check,
    transactionDate: scan.createdAt,
    callbackDate: timestamp(context),
    merchantIdScanReference: scan.customerInternalReference,
    customerId: scan.userReference,
  });
  const person = verdict.person ?? SAMPLE_PERSON;
  if (verdict.verificationStatus !== 'NO_ID_UPLOADED') {
    const fields: Array<[string, string | undefined]> = [
      ['idType', person.documentType],
      ['idCountry', person.issuingCountry],
      ['idFirstName', person.firstName],
      ['idLastName', person.lastName],
      ['idNumber', person.documentNumber],
      ['idDob', person.dateOfBirth],
      ['idExpiry', person.documentExpiry],
    ];
    for (const [key, value] of fields) if (value !== undefined) form.set(key, value);
    for (const [key, classifier] of [
      ['idScanImage', 'front'],
      ['idScanImageBackside', 'back'],
      ['idScanImageFace', 'face'],
    ] as const) {
      form.set(key, `${origin}/api/netverify/v2/scans/${scan.reference}/images/${classifier}`);
    }
  }
  if (verdict.rejectReason !== undefined) {
    form.set('rejectReason', JSON.stringify(rejectReasonJson(verdict.rejectReason)));
  }
  if (verdict.identityVerification !== undefined) {
    const iv = verdict.identityVerification;
    form.set(
      'identityVerification',
      JSON.stringify({
        ...(iv.similarity === undefined ? {} : { similarity: iv.similarity }),
        ...(iv.validity === undefined ? {} : { validity: iv.validity }),
        ...(iv.reason === undefined ? {} : { reason: iv.reason }),
      }),
    );
  }
  return form.toString();
}

/** The Netverify callback of a finished scan (which must have a callback URL). */
export function netverifyCallback(
  context: EmulatorContext,
  scan: Scan,
  verdict: NetverifyVerdict,
): EmulatorDelivery {
  return {
    url: scan.callbackUrl ?? '',
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Jumio Callback',
    },
    body: netverifyForm(context, scan, verdict),
  };
}
