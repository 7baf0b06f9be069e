/**
 * Legacy Netverify mode against the emulator: the start call, every row of
 * the mapping table in jumio-netverify.md (transcribed here, independent of
 * the adapter's table), callbacks that are never trusted, documents and the
 * connection check.
 */
import { createHash } from 'node:crypto';
import {
  createProvider,
  type ExtractedPerson,
  type IdentityVerificationProvider,
  NotFoundError,
  ProviderApiError,
  type ReasonCode,
  WebhookVerificationError,
} from 'idv-providers';
import { NETVERIFY_MAPPING, PROBE_SCAN_REFERENCE } from 'idv-providers/jumio';
import { createTestClock, type JumioNetverifyVerdict } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { caught, expectNoSecrets, useJumioEmulator } from './harness';

const { emulator } = useJumioEmulator();

const PERSON: Required<ExtractedPerson> = {
  firstName: 'LUKAS',
  lastName: 'MEIER',
  dateOfBirth: '1979-07-01',
  documentType: 'DRIVING_LICENSE',
  documentNumber: 'DL-558812',
  nationality: 'CHE',
  issuingCountry: 'CHE',
  documentExpiry: '2030-01-31',
};

/** What Netverify's scan data carries of the person (it has no nationality field). */
const { nationality: _notInScanData, ...SCANNED } = PERSON;

async function provider(
  overrides: Record<string, unknown> = {},
): Promise<IdentityVerificationProvider> {
  return createProvider(
    // The emulator's callbacks are handed over without a sender address: the sender check
    // (on by default) is off here, and on in the test of the Netverify sender list.
    emulator.config({
      mode: 'netverify',
      clock: createTestClock(),
      verifyCallbackSource: false,
      ...overrides,
    }),
  );
}

async function run(verdict: JumioNetverifyVerdict, autoRegistration = false) {
  const idv = await provider({ autoRegistration });
  const { session } = await idv.startVerification({ identityReference: 'identity-nv' });
  emulator.setNetverifyVerdict(session.subjectId, { person: PERSON, ...verdict });
  await emulator.completeCustomerJourney(session);
  return idv.getResult(session);
}

const STATUS: Record<string, [auto: string, manual: string]> = {
  CLEAR: ['registered', 'awaiting_registration'],
  CAUTION: ['awaiting_registration', 'awaiting_registration'],
  SUSPECTED: ['rejected', 'rejected'],
  REJECTED: ['retry', 'retry'],
  EXPIRED: ['retry', 'retry'],
  UNKNOWN: ['awaiting_registration', 'awaiting_registration'],
};
const family = (reason: ReasonCode) =>
  reason === 'CLEAR' || reason === 'EXPIRED' || reason === 'UNKNOWN'
    ? reason
    : reason.split('_')[0]!;

const fraud = (code: string, description: string): JumioNetverifyVerdict => ({
  verificationStatus: 'DENIED_FRAUD',
  rejectReason: { code, description },
});
const unreadable = (code: string, description: string): JumioNetverifyVerdict => ({
  verificationStatus: 'ERROR_NOT_READABLE_ID',
  rejectReason: { code, description },
});
const approved = (identityVerification?: JumioNetverifyVerdict['identityVerification']) => ({
  verificationStatus: 'APPROVED_VERIFIED',
  ...(identityVerification === undefined ? {} : { identityVerification }),
});

/** jumio-netverify.md, "Suggested mapping into our reason codes", one case per value. */
const SPEC: Record<string, Array<[string, JumioNetverifyVerdict, ReasonCode]>> = {
  'APPROVED_VERIFIED, similarity MATCH, validity true (or no identityVerification) → CLEAR': [
    ['MATCH and valid', approved({ similarity: 'MATCH', validity: true }), 'CLEAR'],
    ['no identity verification', approved(), 'CLEAR'],
  ],
  'APPROVED_VERIFIED with NO_MATCH, or validity false with a spoofing reason → SUSPECTED_FACE_COMPARISON':
    [
      [
        'NO_MATCH',
        approved({ similarity: 'NO_MATCH', validity: true }),
        'SUSPECTED_FACE_COMPARISON',
      ],
      ...[
        'SELFIE_CROPPED_FROM_ID',
        'ENTIRE_ID_USED_AS_SELFIE',
        'MULTIPLE_PEOPLE',
        'SELFIE_IS_SCREEN_PAPER_VIDEO',
        'SELFIE_MANIPULATED',
        'LIVENESS_FAILED',
      ].map((reason): [string, JumioNetverifyVerdict, ReasonCode] => [
        reason,
        approved({ similarity: 'MATCH', validity: false, reason }),
        'SUSPECTED_FACE_COMPARISON',
      ]),
    ],
  'APPROVED_VERIFIED with NOT_POSSIBLE, or validity false for quality → REJECTED_IMAGE_INTEGRITY': [
    [
      'NOT_POSSIBLE',
      approved({ similarity: 'NOT_POSSIBLE', validity: true }),
      'REJECTED_IMAGE_INTEGRITY',
    ],
    ...['NO_FACE_PRESENT', 'FACE_NOT_FULLY_VISIBLE', 'BAD_QUALITY', 'BLACK_AND_WHITE'].map(
      (reason): [string, JumioNetverifyVerdict, ReasonCode] => [
        reason,
        approved({ similarity: 'MATCH', validity: false, reason }),
        'REJECTED_IMAGE_INTEGRITY',
      ],
    ),
  ],
  'APPROVED_VERIFIED with AGE_DIFFERENCE_TOO_BIG → CAUTION_FACIAL_COMPARISON': [
    [
      'AGE_DIFFERENCE_TOO_BIG',
      approved({ similarity: 'MATCH', validity: false, reason: 'AGE_DIFFERENCE_TOO_BIG' }),
      'CAUTION_FACIAL_COMPARISON',
    ],
  ],
  'DENIED_FRAUD 105, 106 → SUSPECTED_COMPROMISED_DOCUMENT': [
    ['105 FRAUDSTER', fraud('105', 'FRAUDSTER'), 'SUSPECTED_COMPROMISED_DOCUMENT'],
    ['106 FAKE', fraud('106', 'FAKE'), 'SUSPECTED_COMPROMISED_DOCUMENT'],
  ],
  'DENIED_FRAUD 100, 109, 110, 114, 118 → SUSPECTED_VISUAL_CONSISTENCY': [
    [
      '100 MANIPULATED_DOCUMENT',
      fraud('100', 'MANIPULATED_DOCUMENT'),
      'SUSPECTED_VISUAL_CONSISTENCY',
    ],
    ['109 PUNCHED_DOCUMENT', fraud('109', 'PUNCHED_DOCUMENT'), 'SUSPECTED_VISUAL_CONSISTENCY'],
    [
      '110 CHIP_DATA_MANIPULATED',
      fraud('110', 'CHIP_DATA_MANIPULATED'),
      'SUSPECTED_VISUAL_CONSISTENCY',
    ],
    [
      '114 DIGITAL_MANIPULATION',
      fraud('114', 'DIGITAL_MANIPULATION'),
      'SUSPECTED_VISUAL_CONSISTENCY',
    ],
    [
      '118 MISMATCH_FRONT_BACK',
      fraud('118', 'MISMATCH_FRONT_BACK'),
      'SUSPECTED_VISUAL_CONSISTENCY',
    ],
  ],
  'DENIED_FRAUD 108, 112 → SUSPECTED_DATA_VALIDATION': [
    ['108 MRZ_CHECK_FAILED', fraud('108', 'MRZ_CHECK_FAILED'), 'SUSPECTED_DATA_VALIDATION'],
    ['112 CHIP_MISSING', fraud('112', 'CHIP_MISSING'), 'SUSPECTED_DATA_VALIDATION'],
  ],
  'DENIED_FRAUD 111, 113, 115 → SUSPECTED_DATA_CONSISTENCY': [
    [
      '111 MISMATCH_PRINTED_BARCODE_DATA',
      fraud('111', 'MISMATCH_PRINTED_BARCODE_DATA'),
      'SUSPECTED_DATA_CONSISTENCY',
    ],
    [
      '113 MISMATCHING_DATA_REPEATED_FACE',
      fraud('113', 'MISMATCHING_DATA_REPEATED_FACE'),
      'SUSPECTED_DATA_CONSISTENCY',
    ],
    [
      '115 MISMATCH_HRZ_MRZ_DATA',
      fraud('115', 'MISMATCH_HRZ_MRZ_DATA'),
      'SUSPECTED_DATA_CONSISTENCY',
    ],
  ],
  'DENIED_FRAUD 107 → SUSPECTED_FACE_COMPARISON': [
    ['107 PHOTO_MISMATCH', fraud('107', 'PHOTO_MISMATCH'), 'SUSPECTED_FACE_COMPARISON'],
  ],
  'DENIED_UNSUPPORTED_ID_TYPE / _COUNTRY → REJECTED_IMAGE_INTEGRITY': [
    [
      'DENIED_UNSUPPORTED_ID_TYPE',
      { verificationStatus: 'DENIED_UNSUPPORTED_ID_TYPE' },
      'REJECTED_IMAGE_INTEGRITY',
    ],
    [
      'DENIED_UNSUPPORTED_ID_COUNTRY',
      { verificationStatus: 'DENIED_UNSUPPORTED_ID_COUNTRY' },
      'REJECTED_IMAGE_INTEGRITY',
    ],
  ],
  'ERROR_NOT_READABLE_ID (any code; 202 → SUSPECTED_COMPROMISED_DOCUMENT) → REJECTED_IMAGE_INTEGRITY':
    [
      ...(
        [
          ['102', 'PHOTOCOPY_BLACK_WHITE'],
          ['103', 'PHOTOCOPY_COLOR'],
          ['104', 'DIGITAL_COPY'],
          ['200', 'NOT_READABLE_DOCUMENT'],
          ['201', 'NO_DOCUMENT'],
          ['206', 'MISSING_BACK'],
          ['207', 'WRONG_DOCUMENT_PAGE'],
          ['209', 'MISSING_SIGNATURE'],
          ['210', 'CAMERA_BLACK_WHITE'],
          ['211', 'DIFFERENT_PERSONS_SHOWN'],
          ['213', 'INVALID_WATERMARK'],
          ['214', 'MISSING_FRONT'],
          ['300', 'MANUAL_REJECTION'],
        ] as const
      ).map(([code, description]): [string, JumioNetverifyVerdict, ReasonCode] => [
        `${code} ${description}`,
        unreadable(code, description),
        'REJECTED_IMAGE_INTEGRITY',
      ]),
      ['a code not in the table', unreadable('299', 'SOMETHING_NEW'), 'REJECTED_IMAGE_INTEGRITY'],
      [
        'no reject reason',
        { verificationStatus: 'ERROR_NOT_READABLE_ID' },
        'REJECTED_IMAGE_INTEGRITY',
      ],
      [
        '202 SAMPLE_DOCUMENT',
        unreadable('202', 'SAMPLE_DOCUMENT'),
        'SUSPECTED_COMPROMISED_DOCUMENT',
      ],
    ],
  'NO_ID_UPLOADED → EXPIRED': [
    ['NO_ID_UPLOADED', { verificationStatus: 'NO_ID_UPLOADED' }, 'EXPIRED'],
  ],
  'anything else → UNKNOWN': [
    ['DENIED_NAME_MISMATCH', { verificationStatus: 'DENIED_NAME_MISMATCH' }, 'UNKNOWN'],
    ['DENIED_FRAUD with a code not in the table', fraud('116', 'SUPERIMPOSED_TEXT'), 'UNKNOWN'],
    ['DENIED_FRAUD without a code', { verificationStatus: 'DENIED_FRAUD' }, 'UNKNOWN'],
    ['an unknown similarity', approved({ similarity: 'PARTIAL', validity: true }), 'UNKNOWN'],
    [
      'validity false without a reason',
      approved({ similarity: 'MATCH', validity: false }),
      'UNKNOWN',
    ],
    [
      'an unknown validity reason',
      approved({ similarity: 'MATCH', validity: false, reason: 'HAT' }),
      'UNKNOWN',
    ],
  ],
};

for (const [row, cases] of Object.entries(SPEC)) {
  describe(row, () => {
    it.each(cases)('%s', async (_name, verdict, reason) => {
      const [auto, manual] = STATUS[family(reason)]!;
      for (const [autoRegistration, status] of [
        [true, auto],
        [false, manual],
      ] as const) {
        const result = await run(verdict, autoRegistration);
        expect(result.reason).toBe(reason);
        expect(result.reasons).toEqual([reason]);
        expect(result.status).toBe(status);
        expect(result.providerLabels).toContainEqual({
          source: 'document.status',
          value: verdict.verificationStatus,
        });
        expect(result.person).toEqual(reason === 'EXPIRED' ? null : SCANNED);
      }
    });
  });
}

describe('the legacy table has exactly the rows of the reference', () => {
  it('covers every code and value listed above', () => {
    const keys = NETVERIFY_MAPPING.map((row) => row.key);
    expect(new Set(keys).size).toBe(keys.length);
    const codes = Object.values(SPEC)
      .flat()
      .flatMap(([, v]) =>
        v.rejectReason === undefined ? [] : [`${v.verificationStatus}.${v.rejectReason.code}`],
      )
      .filter((key) => !key.endsWith('.299') && !key.endsWith('.116'));
    for (const key of codes) expect(keys).toContain(key);
    expect(keys.filter((k) => /^(DENIED_FRAUD|ERROR_NOT_READABLE_ID)\./.test(k)).sort()).toEqual(
      [...new Set(codes)].sort(),
    );
  });
});

describe('Netverify start', () => {
  it('initiates with Basic auth, a User-Agent and the configured options', async () => {
    const clock = createTestClock();
    const idv = await provider({
      clock,
      tokenLifetimeMinutes: 60,
      successUrl: 'https://idv-host.example/done',
      errorUrl: 'https://idv-host.example/failed',
      locale: 'de',
    });
    const started = await idv.startVerification({ identityReference: 'identity-nv1' });
    const [request] = emulator.requests();
    expect(`${request?.method} ${request?.url}`).toBe('POST https://netverify.com/api/v4/initiate');
    expect(request?.headers['authorization']).toBe(
      `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`,
    );
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.headers['user-agent']).toMatch(/^idv-providers\//);
    expect(emulator.scan(started.session.subjectId)?.requestBody).toEqual({
      customerInternalReference: 'identity-nv1',
      userReference: 'identity-nv1',
      workflowId: 200,
      callbackUrl: 'https://idv-host.example/callbacks/jumio',
      successUrl: 'https://idv-host.example/done',
      errorUrl: 'https://idv-host.example/failed',
      locale: 'de',
      tokenLifetimeInMinutes: 60,
    });
    expect(started.session).toEqual({
      provider: 'jumio',
      subjectId: started.session.subjectId,
      attemptId: started.session.subjectId,
    });
    expect(started.customerUrl).toMatch(
      /^https:\/\/acme\.netverify\.com\/web\/v4\/app\?locale=de&authorizationToken=/,
    );
    expect(started.sdkToken).toBeUndefined();
    expect(started.expiresAt.getTime()).toBe(clock.now() + 60 * 60_000);
    expect(emulator.tokenRequests()).toBe(0);
    expect(idv.capabilities).toEqual({
      signedWebhooks: false,
      requiresCompleteCapture: false,
      hostedCapture: true,
      sdkToken: false,
    });
  });

  it('sends the user reference and workflow id when given', async () => {
    const idv = await provider({ workflowKey: 100 });
    const { session } = await idv.startVerification({
      identityReference: 'identity-nv2',
      userReference: 'user-9',
    });
    expect(emulator.scan(session.subjectId)?.requestBody).toMatchObject({
      userReference: 'user-9',
      workflowId: 100,
    });
  });

  it.each([
    ['emea-1', 'lon.netverify.com'],
    ['apac-1', 'core-sgp.jumio.com'],
  ] as const)('uses the %s data center %s', async (region, host) => {
    const idv = await provider({ region });
    const { session } = await idv.startVerification({ identityReference: 'identity-nv3' });
    await emulator.completeCustomerJourney(session);
    await idv.getResult(session);
    expect([...new Set(emulator.requests().map((r) => new URL(r.url).host))]).toEqual([host]);
  });

  it('does not retry an initiate that failed with a 5xx', async () => {
    const idv = await provider();
    emulator.fail({ kind: 'status', status: 500 }, { method: 'POST', times: 3 });
    expect(
      await caught(idv.startVerification({ identityReference: 'identity-nv4' })),
    ).toBeInstanceOf(ProviderApiError);
    expect(emulator.requestCount('POST', /initiate/)).toBe(1);
  });
});

describe('Netverify results and callbacks', () => {
  it('is pending until the scan is done', async () => {
    const idv = await provider();
    const { session } = await idv.startVerification({ identityReference: 'identity-nv5' });
    const pending = await idv.getResult(session);
    expect(pending).toMatchObject({ status: 'pending', reason: null, reasons: [], person: null });
    expect(pending.providerLabels).toEqual([{ source: 'scan.status', value: 'PENDING' }]);
    expect(emulator.requestCount('GET', /\/data$/)).toBe(0);
  });

  it('parses the form callback and re-reads the verdict, never trusting the callback', async () => {
    const idv = await provider({ autoRegistration: true });
    const { session } = await idv.startVerification({ identityReference: 'identity-nv6' });
    emulator.setNetverifyVerdict(session.subjectId, fraud('106', 'FAKE'));
    await emulator.completeCustomerJourney(session);
    const [delivery] = emulator.deliveries();
    expect(delivery?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(delivery!.body);
    expect(form.get('verificationStatus')).toBe('DENIED_FRAUD');
    expect(form.get('merchantIdScanReference')).toBe('identity-nv6');
    expect(JSON.parse(form.get('rejectReason')!)).toMatchObject({ rejectReasonCode: '106' });

    // A forged copy claiming approval names the same scan; the verdict comes from the API.
    form.set('verificationStatus', 'APPROVED_VERIFIED');
    form.set('idScanStatus', 'SUCCESS');
    form.delete('rejectReason');
    const event = await idv.verifyWebhook({ body: form.toString(), headers: delivery!.headers });
    expect(event).toEqual({
      provider: 'jumio',
      type: 'NETVERIFYID',
      dedupeKey: `jumio:NETVERIFYID:${session.subjectId}`,
      session: { provider: 'jumio', subjectId: session.subjectId, attemptId: session.subjectId },
      actionable: true,
      occurredAt: form.get('callbackDate'),
      // The typed variant's fields (NetverifyEvent).
      known: true,
      platform: 'netverify',
      scanReference: session.subjectId,
    });
    const result = await idv.getResult(event.session);
    expect(result).toMatchObject({ reason: 'SUSPECTED_COMPROMISED_DOCUMENT', status: 'rejected' });
    expect(result.providerLabels).toContainEqual({
      source: 'verification.rejectReason',
      value: '106 FAKE',
    });
  });

  it.each([
    ['JSON', '{"jumioIdScanReference":"abc","verificationStatus":"APPROVED_VERIFIED"}'],
    ['no scan reference', 'verificationStatus=APPROVED_VERIFIED'],
    ['no verification status', 'jumioIdScanReference=0d1b85cb-6693-40f3-a78a-ed1db2b1f565'],
    [
      'a path as scan reference',
      'jumioIdScanReference=..%2F..%2Fx&verificationStatus=DENIED_FRAUD',
    ],
    ['a lower-case status', 'jumioIdScanReference=abc&verificationStatus=approved'],
  ])('refuses a callback with %s', async (_name, body) => {
    const idv = await provider();
    const error = await caught(idv.verifyWebhook({ body, headers: {} }));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe('malformed_body');
  });

  it('checks the Netverify sender list when asked', async () => {
    const idv = await provider({ verifyCallbackSource: true });
    const body =
      'jumioIdScanReference=0d1b85cb-6693-40f3-a78a-ed1db2b1f565&verificationStatus=NO_ID_UPLOADED';
    expect(
      (await idv.verifyWebhook({ body, headers: {}, remoteAddress: '54.67.101.173' })).type,
    ).toBe('NETVERIFYID');
    const error = await caught(
      idv.verifyWebhook({ body, headers: {}, remoteAddress: '54.177.61.57' }),
    );
    expect((error as WebhookVerificationError).reason).toBe('unknown_sender');
  });

  it('reads a failed scan without data as expired', async () => {
    const idv = await provider();
    const { session } = await idv.startVerification({ identityReference: 'identity-nv7' });
    emulator.setVerdict(session.subjectId, { reason: 'EXPIRED' });
    await emulator.completeCustomerJourney(session);
    emulator.fail({ kind: 'status', status: 404 }, { path: /\/data$/ });
    const result = await idv.getResult(session);
    expect(result).toMatchObject({ reason: 'EXPIRED', status: 'retry', person: null });
    expect(result.providerLabels).toEqual([{ source: 'scan.status', value: 'FAILED' }]);
  });

  it('does not invent a verdict for a done scan whose data is gone', async () => {
    const idv = await provider();
    const { session } = await idv.startVerification({ identityReference: 'identity-nv8' });
    await emulator.completeCustomerJourney(session);
    emulator.fail({ kind: 'status', status: 404 }, { path: /\/data$/ });
    expect(await caught(idv.getResult(session))).toBeInstanceOf(NotFoundError);
  });

  it.each([
    'CLEAR',
    'SUSPECTED_FACE_COMPARISON',
    'SUSPECTED_COMPROMISED_DOCUMENT',
    'SUSPECTED_VISUAL_CONSISTENCY',
    'SUSPECTED_DATA_VALIDATION',
    'SUSPECTED_DATA_CONSISTENCY',
    'REJECTED_IMAGE_INTEGRITY',
    'CAUTION_FACIAL_COMPARISON',
    'EXPIRED',
    'UNKNOWN',
  ] as const)('setVerdict %s comes back as %s', async (reason) => {
    const idv = await provider();
    const { session } = await idv.startVerification({ identityReference: 'identity-nv9' });
    emulator.setVerdict(session.subjectId, { reason, person: PERSON });
    await emulator.completeCustomerJourney(session);
    expect((await idv.getResult(session)).reasons).toEqual([reason]);
  });
});

describe('Netverify documents and connection check', () => {
  it('lists front, back and face and streams them with Basic auth, hash-equal', async () => {
    const idv = await provider();
    const { session } = await idv.startVerification({ identityReference: 'identity-nv10' });
    await emulator.completeCustomerJourney(session);
    const documents = await idv.listDocuments(session);
    expect(documents.map((d) => [d.id, d.kind, d.side])).toEqual([
      [`${session.subjectId}:front`, 'document', 'front'],
      [`${session.subjectId}:back`, 'document', 'back'],
      [`${session.subjectId}:face`, 'selfie', 'face'],
    ]);
    for (const document of documents) {
      const download = await idv.downloadDocument(document);
      const chunks: Buffer[] = [];
      for await (const chunk of download.body) chunks.push(Buffer.from(chunk as Uint8Array));
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      expect(sha(Buffer.concat(chunks))).toBe(sha(emulator.servedBytes(document.id)!));
    }
    const downloads = emulator.requests().filter((r) => /\/images\/\w+$/.test(r.path));
    expect(downloads.every((r) => r.headers['authorization']?.startsWith('Basic '))).toBe(true);
    const offHost = {
      ...documents[0]!,
      downloadUrl: 'https://lon.netverify.com/api/netverify/v2/scans/x/images/front',
    };
    expect((await caught(idv.downloadDocument(offHost))).code).toBe('download_refused');
  });

  it('proves the credentials with a retrieval call that creates nothing', async () => {
    const idv = await provider();
    const check = await idv.checkConnection();
    expect(check).toMatchObject({ provider: 'jumio', ok: true, baseUrl: 'https://netverify.com' });
    expect(emulator.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/netverify/v2/scans/${PROBE_SCAN_REFERENCE}`,
    ]);
  });

  it('reports wrong credentials without leaking them', async () => {
    const idv = await provider({ clientSecret: 'wrong-netverify-secret-31' });
    const error = await caught(idv.checkConnection());
    expect((error as ProviderApiError).status).toBe(401);
    expectNoSecrets(error, [
      emulator.clientId,
      'wrong-netverify-secret-31',
      `${emulator.clientId}:wrong-netverify-secret-31`,
    ]);
  });
});
