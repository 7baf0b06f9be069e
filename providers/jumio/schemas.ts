/**
 * zod schemas of the KYX platform answers the adapter reads. They require what
 * the adapter uses and let everything else through, so a field Jumio adds never
 * breaks a call, while a missing id or a wrong type is an
 * `UnexpectedResponseError` at once.
 *
 * @module
 */
import { customerLinkSchema } from 'idv-providers/kit';
import { z } from 'zod';

/** `POST {auth}/oauth2/token` (docs/provider-facts.md#j-auth-3). */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});

/**
 * `POST /api/v1/accounts` and `PUT /api/v1/accounts/{id}` (docs/provider-facts.md#j-acc-7; `web.href`
 * only with a domain prefix, #j-host-3). `web.href` is sent to the customer: an answer whose link is not
 * an https URL (`javascript:`, `http:`) is an `UnexpectedResponseError`.
 */
export const accountResponseSchema = z.looseObject({
  timestamp: z.string().optional(),
  account: z.looseObject({ id: z.string().min(1) }),
  web: z.looseObject({ href: customerLinkSchema }).optional(),
  sdk: z.looseObject({ token: z.string().min(1) }).optional(),
  workflowExecution: z.looseObject({ id: z.string().min(1) }),
});

/** A capability's or the workflow's decision (docs/provider-facts.md#j-dec-1). */
export const decisionSchema = z.looseObject({
  type: z.string(),
  details: z.looseObject({ label: z.string().optional() }).optional(),
  risk: z.looseObject({ score: z.number().optional() }).optional(),
});

/** Data the `extraction` capability read from the document (docs/provider-facts.md#j-extr-5). */
export const extractionDataSchema = z.looseObject({
  type: z.string().optional(),
  subType: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  dateOfBirth: z.string().optional(),
  expiryDate: z.string().optional(),
  documentNumber: z.string().optional(),
  issuingCountry: z.string().optional(),
  nationality: z.string().optional(),
});

/** One entry of a capability's list (docs/provider-facts.md#j-dec-7). */
export const capabilityEntrySchema = z.looseObject({
  id: z.string().optional(),
  decision: decisionSchema,
  data: z.unknown().optional(),
});

/** A stored credential (document, selfie, facemap) and its parts; a part may have no href (docs/provider-facts.md#j-ret-3). */
export const credentialSchema = z.looseObject({
  id: z.string().min(1),
  category: z.string().optional(),
  parts: z
    .array(z.looseObject({ classifier: z.string(), href: z.string().optional() }))
    .default([]),
});

/** `GET {retrieval}/api/v1/accounts/{a}/workflow-executions/{w}` (docs/provider-facts.md#j-ret-2). */
export const workflowDetailsSchema = z.looseObject({
  workflow: z.looseObject({
    id: z.string().min(1),
    status: z.string(),
    definitionKey: z.union([z.string(), z.number()]).optional(),
  }),
  account: z.looseObject({ id: z.string().min(1) }),
  createdAt: z.string().optional(),
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  credentials: z.array(credentialSchema).default([]),
  decision: decisionSchema.optional(),
  capabilities: z.record(z.string(), z.array(capabilityEntrySchema)).optional(),
});

/** `GET .../workflow-executions/{w}/status` (docs/provider-facts.md#j-ret-1). */
export const workflowStatusSchema = z.looseObject({
  account: z.looseObject({ id: z.string().min(1) }),
  workflowExecution: z.looseObject({ id: z.string().min(1), status: z.string() }),
});

/** The JSON callback Jumio POSTs to `callbackUrl` (docs/provider-facts.md#j-cb-1). Only ids and the status are read. */
export const callbackSchema = z.looseObject({
  callbackSentAt: z.string().optional(),
  workflowExecution: z.looseObject({
    id: z.string().min(1),
    status: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  }),
  account: z.looseObject({ id: z.string().min(1) }),
});

/** The answer to creating an account or a transaction. */
export type AccountResponse = z.infer<typeof accountResponseSchema>;
/** A workflow execution's details from the retrieval API (decision, capabilities, credentials). */
export type WorkflowDetails = z.infer<typeof workflowDetailsSchema>;
export type CapabilityEntry = z.infer<typeof capabilityEntrySchema>;
export type Credential = z.infer<typeof credentialSchema>;
