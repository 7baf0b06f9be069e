/**
 * `idv-providers/onfido`: the Onfido adapter (API v3.6).
 *
 * - {@link onfido}: the provider factory (`createProvider({ provider: 'onfido', ... })` uses it).
 * - {@link registerOnfidoWebhook}: registers the host's webhook URL and returns its signing token.
 * - {@link resumeOnfidoCheck}: resumes a paused check.
 * - {@link restoreOnfidoApplicant}: brings back an applicant deleted with `deleteSubject`, within Onfido's deletion delay.
 * - {@link OnfidoWebhookEvent}: the events `verifyWebhook` returns, as a discriminated union.
 * - {@link signOnfidoWebhook}, {@link verifyOnfidoSignature}: the webhook signature, for fixtures and custom receivers.
 * - {@link ONFIDO_MAPPING}, {@link ONFIDO_WORKFLOW_MAPPING}: the mapping tables, as data.
 *
 * @packageDocumentation
 * @module idv-providers/onfido
 */
export { captureLockKey as onfidoCaptureLockKey } from './capture';
export { ONFIDO_SDK_TOKEN_LIFETIME_MS } from './context';
export {
  DEFAULT_ONFIDO_REPORTS,
  ONFIDO_BASE_URLS,
  ONFIDO_REGIONS,
  type OnfidoConfig,
  type OnfidoOptions,
  type OnfidoOptionsInput,
  type OnfidoRegion,
  onfidoBaseUrl,
  onfidoConfigSchema,
  onfidoDefinition,
  onfidoOptionsSchema,
} from './definition';
export { contentTypeOf } from './documents';
export {
  isKnownOnfidoEvent,
  ONFIDO_EVENT_TYPES,
  type OnfidoAccountEvent,
  type OnfidoCheckEvent,
  type OnfidoEventFields,
  type OnfidoEventType,
  type OnfidoKnownEvent,
  type OnfidoReportEvent,
  type OnfidoResourceOf,
  type OnfidoUnknownEvent,
  type OnfidoWebhookEvent,
  type OnfidoWorkflowRunEvent,
  type OnfidoWorkflowTaskEvent,
} from './events';
export {
  checkLabels,
  mapOnfidoCheck,
  ONFIDO_MAPPING,
  type OnfidoCheckMapping,
  type OnfidoMappingRow,
  reportFamily,
  reportKeys,
} from './mapping';
export { extractPerson } from './person';
export { type OnfidoProvider, onfido } from './provider';
export { HELD_CHECK_STATUSES } from './result';
export { resumeOnfidoCheck } from './resume';
export {
  applicantSchema as onfidoApplicantSchema,
  checkSchema as onfidoCheckSchema,
  documentSchema as onfidoDocumentSchema,
  liveMediaSchema as onfidoLiveMediaSchema,
  type OnfidoApplicant,
  type OnfidoCheck,
  type OnfidoDocument,
  type OnfidoLiveMedia,
  type OnfidoReport,
  type OnfidoWebhook,
  type OnfidoWebhookBody,
  type OnfidoWorkflowRun,
  reportSchema as onfidoReportSchema,
  webhookEventSchema as onfidoWebhookEventSchema,
  webhookSchema as onfidoWebhookSchema,
  workflowRunSchema as onfidoWorkflowRunSchema,
} from './schemas';
export {
  applicantBody,
  applicantLocation,
  type OnfidoApplicantBody,
  type OnfidoApplicantLocation,
} from './start';
export { restoreOnfidoApplicant } from './subject';
export {
  dedupeKeyOf as onfidoDedupeKey,
  MAX_WEBHOOK_BYTES as ONFIDO_MAX_WEBHOOK_BYTES,
  ONFIDO_ACTIONABLE_EVENTS,
  ONFIDO_SIGNATURE_HEADER,
  parseOnfidoWebhook,
  signOnfidoWebhook,
  verifyOnfidoSignature,
} from './webhook';
export {
  type OnfidoRegisteredWebhook,
  type OnfidoWebhookRegistration,
  registerOnfidoWebhook,
} from './webhook-registration';
export {
  ONFIDO_WORKFLOW_MAPPING,
  type OnfidoWorkflowRow,
  workflowReasons,
  workflowRow,
} from './workflow-mapping';
