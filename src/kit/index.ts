/**
 * `idv-providers/kit`: what a provider adapter is built from. Adapters (the
 * built-in ones and a host's own) import this entry, never the host's root
 * entry: the HTTP client and streamed downloads, webhook body and header
 * helpers, the fail-closed mapping reader, the outcome decision, the option
 * schemas every provider shares, and, re-exported from the core so that
 * every entry shares one copy, the error classes and the interface types.
 *
 * @packageDocumentation
 * @module idv-providers/kit
 */

export {
  type CallOptions,
  type CaptureLock,
  type Clock,
  type CommonOptionsInput,
  type CompleteCaptureOptions,
  ConfigError,
  type ConnectionCheck,
  type DocumentDownload,
  type DocumentInfo,
  DownloadRefusedError,
  type DownloadRefusedReason,
  type ExtractedPerson,
  type IdentityVerificationProvider,
  IdvError,
  type IncomingWebhook,
  InvalidInputError,
  isIdvError,
  isReasonCode,
  LIBRARY_USER_AGENT,
  NetworkError,
  NotFoundError,
  type PersonHint,
  ProviderApiError,
  type ProviderCapabilities,
  type ProviderDefinition,
  type ProviderLabel,
  parseProviderOptions,
  RateLimitedError,
  type ReasonCode,
  type ReasonFamily,
  type RefreshLinkInput,
  type RequestErrorOptions,
  type RequestSummary,
  reasonFamily,
  type SessionRef,
  type StartVerificationInput,
  type SubjectDeletion,
  TimeoutError,
  UnexpectedResponseError,
  type UnknownWebhookEvent,
  unwrapProvider,
  type VerificationResult,
  type VerificationSession,
  type WebhookEvent,
  WebhookVerificationError,
} from 'idv-providers';
export {
  baseUrlOption,
  type CommonOptions,
  checkBaseUrls,
  clockSchema,
  commonOptionsShape,
  httpUrl,
  isBaseUrlOption,
  nonEmpty,
  policySchema,
  siteUrlOption,
  systemClock,
} from '../config/common';
export { ownEntry } from '../shared/own-entry';
export {
  describeUrl,
  REDACTED,
  type Redactor,
  redact,
  redactDeep,
  redactor,
} from '../shared/redact';
export {
  type AttemptOutcome,
  type AttemptRequest,
  type BackoffOptions,
  backoffDelay,
  type CancelledAttempt,
  decideRetry,
  type ExceptionAttempt,
  IDEMPOTENT_METHODS,
  type NoRetryReason,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  type RetryDecision,
  type RetryOptions,
  type RetryReason,
  type StatusAttempt,
  type TransportAttempt,
} from '../shared/retry';
export {
  isHttpsUrl,
  isInsecureHttpUrl,
  isLoopbackHost,
  trimTrailingSlashes,
} from '../shared/url';
export { type CustomerLinkSource, customerLink, customerLinkSchema } from './customer-link';
export { type HmacSha256, keyedHmacSha256, MAX_STAGED_BYTES } from './hmac';
export {
  createHttpClient,
  describeProviderError,
  type HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type HttpStreamResponse,
  type PacedRequest,
} from './http/client';
export {
  assertAllowedUrl,
  DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS,
  type DownloadOptions,
  downloadStream,
} from './http/download';
export {
  DOWNLOAD_MEDIA_TYPES,
  downloadFileName,
  type MediaTypeDecision,
  mediaTypeOf,
  plainFileName,
  sniffMediaType,
  UNKNOWN_MEDIA_TYPE,
} from './http/media-type';
export {
  findMappingRow,
  type LabelRead,
  type MappingReading,
  type MappingRow,
  type MappingTable,
  mapLabels,
  mappingTable,
  readMapping,
} from './mapping';
export { type DecideOptions, decideOutcome, type MappedVerdict, orderReasons } from './outcome';
export { createPacer, type PaceRate, type Pacer } from './pace';
export {
  type PersonField,
  type PersonFieldMap,
  type PersonRecord,
  type PersonSource,
  personFrom,
} from './person';
export {
  bearerAuth,
  createTokenCache,
  credentialsRefused,
  type IssuedToken,
  type TokenCache,
  type TokenCacheOptions,
} from './token-cache';
export {
  bodyBytes,
  bodyText,
  constantTimeEqual,
  type HeaderBag,
  headerValue,
} from './webhook-input';
