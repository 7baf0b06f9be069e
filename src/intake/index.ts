/**
 * The webhook intake: a Web-standard handler and a node:http adapter that
 * verify, record and answer at once; event stores (in memory, SQLite and PostgreSQL); and
 * the processor that fetches results and calls the host.
 *
 * @module
 */
export { type BodyReadResult, DEFAULT_MAX_BODY_BYTES } from './body';
export type { TrustProxy } from './client-address';
export {
  createWebhookHandler,
  type IntakeAnswer,
  type IntakeOutcome,
  type Nudgeable,
  type RawDelivery,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookRoute,
} from './handler';
export { createMemoryStore, type MemoryEventStore } from './memory-store';
export {
  type NodeListener,
  type NodeListenerOptions,
  toNodeListener,
} from './node-adapter';
export type {
  OwnedPostgresPool,
  PostgresPool,
  PostgresPoolClient,
  PostgresPoolConfig,
  PostgresPoolConstructor,
  PostgresQueryable,
  PostgresQueryConfig,
  PostgresQueryResult,
} from './postgres-driver';
export {
  createPostgresStore,
  type PostgresEventStore,
  type PostgresStoreOptions,
} from './postgres-store';
export {
  createProcessor,
  DEADLINE_EVENT_TYPE,
  type DrainSummary,
  type ProcessorOptions,
  type ResultDelivery,
  type ResultHandler,
  type TenantProviders,
  type TrackedDeadline,
  type TrackOptions,
  type WebhookProcessor,
} from './processor';
export { checkReady, type ProviderReady } from './readiness';
export type { SenderLimit } from './sender-limit';
export type {
  SqliteDatabase,
  SqliteDatabaseConstructor,
  SqliteOpenOptions,
  SqliteRunResult,
  SqliteStatement,
} from './sqlite-driver';
export {
  createSqliteStore,
  type SqliteEventStore,
  type SqliteStoreOptions,
} from './sqlite-store';
export {
  type ClaimedEvent,
  type ClaimOptions,
  clipError,
  EVENT_STATES,
  type EventState,
  type EventStore,
  emptyCounts,
  type FinishedState,
  type InsertResult,
  type IntakeStats,
  MAX_ERROR_LENGTH,
  type NewEvent,
  type PurgeOptions,
  type PurgeSubjectOptions,
  type StateCounts,
  type StoredEvent,
} from './store';
