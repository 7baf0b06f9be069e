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

// The built-in providers' own names (options, regions, schemas) are exported
// by their entries, idv-providers/onfido and idv-providers/jumio. Until every
// caller imports them from there, the core passes them on.
export * from '../providers/jumio/definition';
export * from '../providers/onfido/definition';
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
export * from './intake';
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
// Moved to the author kit; the root passes them on until its callers import idv-providers/kit.
export { type MappingRow, mapLabels } from './kit/mapping';
export { type DecideOptions, decideOutcome, type MappedVerdict, orderReasons } from './kit/outcome';
export * from './links';
export {
  CAUTION_REASONS,
  CLEAR_REASONS,
  type ExtractedPerson,
  FINAL_STATUSES,
  type FinalStatus,
  type IdentityStatus,
  isReasonCode,
  type OutcomePolicy,
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
  type BuiltinConfig,
  type ConfigOf,
  type CreateProviderOptions,
  type CustomProviderConfig,
  createProvider,
  createRegistry,
  defaultRegistry,
  type EnvKind,
  envOf,
  type IdvConfig,
  type ProviderDefinition,
  ProviderRegistry,
  parseConfig,
  registerProvider,
} from './registry';
export { ownEntry } from './shared/own-entry';
export { describeUrl, REDACTED, redact, redactDeep } from './shared/redact';
export {
  type BackoffOptions,
  backoffDelay,
  IDEMPOTENT_METHODS,
  parseRetryAfter,
  RETRYABLE_STATUSES,
} from './shared/retry';
export { bodyBytes, bodyText, constantTimeEqual, headerValue } from './kit/webhook-input';
export { LIBRARY_USER_AGENT, VERSION } from './version';
