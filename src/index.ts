/**
 * `idv-providers`: identity verification through Onfido or Jumio behind one
 * interface, chosen by configuration.
 *
 * The core holds the interface, the outcome model, configuration and the
 * registry, errors and the HTTP layer. Provider adapters live in their own entry
 * points (`idv-providers/onfido`, `idv-providers/jumio`) and are loaded only when
 * a config names them.
 *
 * @packageDocumentation
 * @module idv-providers
 */
export {
  type Clock,
  type CommonOptions,
  type CommonOptionsInput,
  clockSchema,
  commonOptionsShape,
  httpUrl,
  nonEmpty,
  policySchema,
  systemClock,
} from './config/common';
export { COMMON_ENV, configFromEnv, envPrefix, envVarName } from './config/env';
export {
  JUMIO_MODES,
  JUMIO_REGIONS,
  type JumioHosts,
  type JumioMode,
  type JumioOptions,
  type JumioOptionsInput,
  type JumioRegion,
  jumioConfigSchema,
  jumioHosts,
  jumioOptionsSchema,
  NETVERIFY_BASE_URLS,
} from './config/jumio';
export {
  DEFAULT_ONFIDO_REPORTS,
  ONFIDO_BASE_URLS,
  ONFIDO_REGIONS,
  type OnfidoOptions,
  type OnfidoOptionsInput,
  type OnfidoRegion,
  onfidoConfigSchema,
  onfidoOptionsSchema,
} from './config/onfido';
export { knownOptionsOf, type OptionLabel, parseProviderOptions } from './config/parse';
export {
  ConfigError,
  DownloadRefusedError,
  IdvError,
  type IdvErrorCode,
  type IdvErrorOptions,
  InvalidInputError,
  isIdvError,
  LinkTokenError,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  type RequestErrorOptions,
  type RequestSummary,
  StoreError,
  TimeoutError,
  UnexpectedResponseError,
  WebhookVerificationError,
} from './errors';
export {
  createHttpClient,
  describeProviderError,
  type HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type HttpStreamResponse,
} from './kit/http/client';
export {
  assertAllowedUrl,
  type DownloadOptions,
  downloadStream,
} from './kit/http/download';
export { describeUrl, REDACTED, redact, redactDeep } from './shared/redact';
export {
  type BackoffOptions,
  backoffDelay,
  IDEMPOTENT_METHODS,
  parseRetryAfter,
  RETRYABLE_STATUSES,
} from './shared/retry';
export * from './intake';
export * from './links';
export {
  CAUTION_REASONS,
  CLEAR_REASONS,
  type DecideOptions,
  decideOutcome,
  type ExtractedPerson,
  FINAL_STATUSES,
  type FinalStatus,
  type IdentityStatus,
  isReasonCode,
  type MappedVerdict,
  type MappingRow,
  mapLabels,
  type OutcomePolicy,
  orderReasons,
  type PolicyDecision,
  type PolicyOverride,
  type ProviderLabel,
  REASON_CODES,
  REJECTED_REASONS,
  type ReasonCode,
  type ReasonFamily,
  reasonFamily,
  type SessionRef,
  type StatusSource,
  SUSPECTED_REASONS,
  statusForReason,
  type VerificationResult,
} from './outcome';
export type {
  CallOptions,
  ConnectionCheck,
  DocumentDownload,
  DocumentInfo,
  IdentityVerificationProvider,
  IncomingWebhook,
  PersonHint,
  ProviderCapabilities,
  StartVerificationInput,
  VerificationSession,
  WebhookEvent,
} from './provider';
export {
  type CreateProviderOptions,
  type CustomProviderConfig,
  createProvider,
  createRegistry,
  defaultRegistry,
  type EnvKind,
  type IdvConfig,
  type JumioConfig,
  jumioDefinition,
  type OnfidoConfig,
  onfidoDefinition,
  type ProviderDefinition,
  ProviderRegistry,
  parseConfig,
  registerProvider,
} from './registry';
export { ownEntry } from './shared/own-entry';
export { LIBRARY_USER_AGENT, VERSION } from './version';
export { bodyBytes, bodyText, constantTimeEqual, headerValue } from './shared/webhook-input';
