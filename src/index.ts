/**
 * `idv-providers`: identity verification through Onfido or Jumio behind one
 * interface, chosen by configuration.
 *
 * The core holds what a host uses: the interface, the outcome model,
 * configuration and the registry, the errors, the webhook intake and
 * verification links. Provider adapters live in their own entry points
 * (`idv-providers/onfido`, `idv-providers/jumio`) and are loaded only when a
 * config names them; what adapters are built from is `idv-providers/kit`.
 *
 * @packageDocumentation
 * @module idv-providers
 */

export { BUILTIN_PROVIDERS } from './builtins';
export type { Clock, CommonOptionsInput } from './config/common';
export { COMMON_ENV, configFromEnv, envPrefix, envVarName } from './config/env';
export { type OptionLabel, parseProviderOptions } from './config/parse';
export {
  ConfigError,
  DownloadRefusedError,
  type DownloadRefusedReason,
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
export * from './links';
export * from './observability';
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
  CaptureLock,
  CompleteCaptureOptions,
  ConnectionCheck,
  DocumentDownload,
  DocumentInfo,
  IdentityVerificationProvider,
  IncomingWebhook,
  PersonHint,
  ProviderCapabilities,
  ProviderReadiness,
  ProviderUse,
  ReadinessProblem,
  RefreshLinkInput,
  StartVerificationInput,
  SubjectDeletion,
  UnknownWebhookEvent,
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
  type ProviderWebhooks,
  parseConfig,
  type RegisteredWebhook,
  registerProvider,
  type WebhookRegistration,
} from './registry';
export * from './tenants';
export { LIBRARY_USER_AGENT, VERSION } from './version';
