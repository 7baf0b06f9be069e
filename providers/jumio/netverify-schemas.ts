/**
 * zod schemas of the Netverify (legacy) answers and callback the adapter reads:
 * the initiate answer (docs/provider-facts.md#j-nv-1), the scan status and data
 * (docs/provider-facts.md#j-nv-5 to #j-nv-7) and the form-encoded callback
 * (docs/provider-facts.md#j-nv-2).
 *
 * @module
 */
import { customerLinkSchema } from 'idv-providers/kit';
import { z } from 'zod';

/** `POST {host}/api/v4/initiate`. `redirectUrl` is sent to the customer: only an https URL is taken. */
export const initiateResponseSchema = z.looseObject({
  timestamp: z.string().optional(),
  transactionReference: z.string().min(1),
  redirectUrl: customerLinkSchema,
});

/** `GET /api/netverify/v2/scans/{ref}`. */
export const scanStatusSchema = z.looseObject({
  timestamp: z.string().optional(),
  scanReference: z.string().min(1),
  status: z.string(),
});

const code = z.union([z.string(), z.number()]).transform(String);

/** `rejectReason`, in the retrieval answer. */
export const rejectReasonSchema = z.looseObject({
  rejectReasonCode: code.optional(),
  rejectReasonDescription: z.string().optional(),
  rejectReasonDetails: z.unknown().optional(),
});

/** `identityVerification`; `validity` comes as a boolean or as `"TRUE"`/`"true"`. */
export const identityVerificationSchema = z.looseObject({
  similarity: z.string().optional(),
  validity: z
    .union([z.boolean(), z.string()])
    .optional()
    .transform((v) => (typeof v === 'string' ? v.toLowerCase() === 'true' : v)),
  reason: z.string().optional(),
});

/** `GET /api/netverify/v2/scans/{ref}/data`. */
export const scanDataSchema = z.looseObject({
  timestamp: z.string().optional(),
  scanReference: z.string().min(1),
  document: z.looseObject({
    status: z.string(),
    type: z.string().optional(),
    idSubtype: z.string().optional(),
    issuingCountry: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    dob: z.string().optional(),
    expiry: z.string().optional(),
    number: z.string().optional(),
    nationality: z.string().optional(),
  }),
  transaction: z
    .looseObject({ status: z.string().optional(), date: z.string().optional() })
    .optional(),
  verification: z
    .looseObject({
      mrzCheck: z.string().optional(),
      rejectReason: rejectReasonSchema.optional(),
      identityVerification: identityVerificationSchema.optional(),
    })
    .optional(),
});

/** `GET /api/netverify/v2/scans/{ref}/images`. */
export const scanImagesSchema = z.looseObject({
  scanReference: z.string().optional(),
  images: z.array(z.looseObject({ classifier: z.string(), href: z.string() })).default([]),
});

/**
 * The form-encoded callback, reduced to what is read from it: the scan
 * reference, the host's own reference and the status (never the verdict's details).
 */
export const netverifyCallbackSchema = z.object({
  callBackType: z
    .string()
    .regex(/^[A-Z_]{1,40}$/)
    .optional(),
  jumioIdScanReference: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  merchantIdScanReference: z.string().max(100).optional(),
  verificationStatus: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  callbackDate: z.string().optional(),
});

export type ScanData = z.infer<typeof scanDataSchema>;
