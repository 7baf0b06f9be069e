/**
 * `idv-providers/jumio`: the Jumio adapter, for the KYX platform (default) and
 * for tenants still on legacy Netverify web v4 (`mode: "netverify"`).
 *
 * - {@link jumio}: the provider factory (also reached through
 *   `createProvider({ provider: 'jumio', ... })`).
 * - {@link JUMIO_MAPPING} and {@link NETVERIFY_MAPPING}: the verdict → reason
 *   code tables, as data.
 * - {@link JumioWebhookEvent}: the callbacks `verifyWebhook` returns, as a
 *   discriminated union.
 * - {@link isJumioCallbackSource}: checks a callback's sender against Jumio's
 *   published addresses for a region.
 * - Reference checks, to validate a host's references before it stores them.
 *
 * @packageDocumentation
 * @module idv-providers/jumio
 */

export { MAX_CALLBACK_BYTES, PROGRESS_STATUSES } from './callback';
export {
  type CallbackSourceList,
  type CallbackSourceOptions,
  isJumioCallbackSource,
  JUMIO_CALLBACK_SOURCES,
  jumioCallbackAddresses,
  NETVERIFY_CALLBACK_SOURCES,
  normaliseAddress,
} from './callback-sources';
export {
  JUMIO_MODES,
  JUMIO_REGIONS,
  type JumioConfig,
  type JumioHosts,
  type JumioMode,
  type JumioOptions,
  type JumioOptionsInput,
  type JumioRegion,
  jumioCheckTarget,
  jumioConfigSchema,
  jumioDefinition,
  jumioHosts,
  jumioOptionsSchema,
  NETVERIFY_BASE_URLS,
} from './definition';
export {
  isKnownKyxEvent,
  isKnownNetverifyEvent,
  JUMIO_KYX_EVENT_TYPES,
  type JumioKyxEvent,
  type JumioKyxEventFields,
  type JumioKyxEventType,
  type JumioUnknownEvent,
  type JumioWebhookEvent,
  NETVERIFY_EVENT_TYPES,
  type NetverifyEvent,
  type NetverifyEventFields,
  type NetverifyEventType,
} from './events';
export { DEFAULT_WORKFLOW_KEY, type JumioKyxProvider, kyxBaseUrls } from './kyx';
export {
  findJumioRow,
  JUMIO_DECISION_TABLE,
  JUMIO_MAPPING,
  JUMIO_WORKFLOW_STATUSES,
  type JumioDecisionType,
  type JumioMappedVerdict,
  type JumioMappingRow,
  type JumioNextStep,
  mapJumioVerdict,
  mapWorkflowStatus,
} from './mapping';
export { DEFAULT_NETVERIFY_WORKFLOW_ID, PROBE_SCAN_REFERENCE } from './netverify';
export {
  mapNetverifyVerdict,
  NETVERIFY_MAPPING,
  type NetverifyMappedVerdict,
  type NetverifyMappingRow,
} from './netverify-mapping';
export { refreshMarginMs } from './oauth';
export { type JumioProvider, jumio } from './provider';
export {
  checkCustomerInternalReference,
  checkUserReference,
  FORBIDDEN_REFERENCE_CHARACTERS,
  looksLikePersonalData,
  MAX_REFERENCE_LENGTH,
} from './references';
export { type WorkflowDetails, workflowDetailsSchema } from './schemas';
