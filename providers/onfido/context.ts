/**
 * What every Onfido call needs: the validated options, the HTTP client with the
 * API token or the OAuth2 access token, the base URL and the clock.
 *
 * @module
 */
import {
  type Clock,
  createHttpClient,
  type HttpClient,
  InvalidInputError,
  type SessionRef,
  systemClock,
  unwrapProvider,
} from 'idv-providers/kit';
import { type OnfidoOptions, onfidoBaseUrl } from './definition';
import { bearerAuth, createOnfidoTokenSource } from './oauth';

/** How long an SDK token (and so the customer's link) lives: 90 minutes (docs/provider-facts.md#o-sdk-2). */
export const ONFIDO_SDK_TOKEN_LIFETIME_MS = 90 * 60 * 1000;

/** The adapter's state, shared by its parts. */
export interface OnfidoContext {
  readonly options: OnfidoOptions;
  readonly http: HttpClient;
  /** The API base URL, version path included, without a trailing slash. */
  readonly baseUrl: string;
  /** The origin of {@link baseUrl}: the only one downloads may come from. */
  readonly origin: string;
  readonly clock: Clock;
  /** `true` when verifications run as Onfido Studio workflow runs. */
  readonly studio: boolean;
  /** How requests authenticate: the API token, or OAuth2 client credentials. */
  readonly auth: 'api_token' | 'oauth2';
  /**
   * The submits in flight, by applicant id: concurrent `completeCapture` calls
   * for one applicant share one search-or-create of its check.
   */
  readonly captures: Map<string, Promise<string>>;
}

const contexts = new WeakMap<object, OnfidoContext>();

/** Remembers the context of a provider built by `onfido()`. */
export function rememberOnfidoContext(provider: object, ctx: OnfidoContext): void {
  contexts.set(provider, ctx);
}

/** The context of a provider built by `onfido()` (also behind `createProvider`'s instrumented copy), if it is one. */
export function onfidoContextOf(provider: object): OnfidoContext | undefined {
  return contexts.get(unwrapProvider(provider));
}

/**
 * The context of `provider` for the Onfido helper `helper` (`resumeOnfidoCheck`):
 * an `InvalidInputError` naming `field` when the provider is not Onfido's.
 */
export function requireOnfidoContext(
  provider: object,
  helper: string,
  field = 'provider',
): OnfidoContext {
  const ctx = onfidoContextOf(provider);
  if (ctx === undefined) {
    throw new InvalidInputError(
      `[idv] [onfido] ${helper} needs a provider created by onfido() or createProvider({ provider: "onfido" })`,
      { provider: 'onfido', field },
    );
  }
  return ctx;
}

/** Builds the context from validated options. */
export function createOnfidoContext(options: OnfidoOptions): OnfidoContext {
  const baseUrl = onfidoBaseUrl(options);
  const clock = options.clock ?? systemClock;
  const configured = [
    options.apiToken,
    options.clientId,
    options.clientSecret,
    options.webhookToken,
  ];
  const common = {
    provider: 'onfido',
    baseUrl,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    maxRetryAfterMs: options.maxRetryAfterMs,
    userAgent: options.userAgent,
    clock,
  };
  const { clientId, clientSecret } = options;
  let http: HttpClient;
  let auth: OnfidoContext['auth'] = 'api_token';
  if (clientId !== undefined && clientSecret !== undefined) {
    // OAuth2 client credentials (docs/provider-facts.md#o-auth-3).
    auth = 'oauth2';
    const tokens = createOnfidoTokenSource({
      http: { ...common, secrets: () => configured },
      clientId,
      clientSecret,
      clock,
    });
    http = createHttpClient({
      ...common,
      secrets: () => [...configured, ...tokens.secrets()],
      ...bearerAuth(tokens),
    });
  } else {
    // The API token (docs/provider-facts.md#o-auth-1).
    http = createHttpClient({
      ...common,
      secrets: () => configured,
      authorize: () => ({ Authorization: `Token token=${options.apiToken}` }),
    });
  }
  return {
    options,
    http,
    baseUrl,
    origin: new URL(baseUrl).origin,
    clock,
    studio: options.workflowId !== undefined,
    auth,
    captures: new Map(),
  };
}

/** A path segment, encoded. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

/** Refuses a session that is not Onfido's. */
export function assertOnfidoSession(session: SessionRef): void {
  if (session?.provider !== 'onfido') {
    throw new InvalidInputError(
      `[idv] [onfido] this session belongs to provider ${JSON.stringify(session?.provider)}, not "onfido"`,
      { provider: 'onfido', field: 'session.provider' },
    );
  }
}
