/**
 * One webhook route for many tenants: the tenant is read from the request (a
 * path segment, `/onfidowh/{tenantId}`, or a header), its provider is found
 * in a {@link ProviderSet}, and the delivery is verified with that tenant's
 * provider alone (its own signing token) and recorded for that tenant.
 *
 * | Situation | Status |
 * |---|---|
 * | method other than POST | 405 |
 * | the request names no tenant, an unknown or removed one, or one of a provider this route does not serve | 404 `unknown_tenant` (the body is not read) |
 * | signed with another tenant's token (or forged) | 401, nothing recorded: the tenant's provider refuses it |
 * | the tenant's provider could not be created, or lacks what verifying needs | 500 `tenant_unavailable` (the provider retries; `onOutcome` gets the `ConfigError`) |
 * | otherwise | what `createWebhookHandler` answers, the event recorded with its tenant |
 *
 * Each tenant has a route of its own underneath (its own sender limit), made
 * on its first delivery and made again when a reload gives the tenant a new
 * provider; a delivery being verified when a reload lands finishes with the
 * provider it started with.
 *
 * @module
 */
import { ConfigError } from '../errors';
import { compileTrustProxy, textHeader } from '../intake/client-address';
import {
  createWebhookHandler,
  handlerLimits,
  type IntakeAnswer,
  type IntakeOutcome,
  type RawDelivery,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookRoute,
  webRoute,
} from '../intake/handler';
import type { CallOptions, IdentityVerificationProvider, IncomingWebhook } from '../provider';
import { TENANT_ID_PATTERN } from './document';
import type { ProviderSet, TenantReady } from './provider-set';

/** What {@link TenantWebhookHandlerOptions.tenantFrom} reads the tenant from. */
export interface TenantRequest {
  /** The request's URL: absolute (Web `Request`), or path and query (node:http). */
  url: string | undefined;
  /** The request headers. */
  headers: IncomingWebhook['headers'];
}

/** Options of {@link createTenantWebhookHandler}: those of `createWebhookHandler` but `provider` and `tenant`, plus the set. */
export interface TenantWebhookHandlerOptions
  extends Omit<WebhookHandlerOptions, 'provider' | 'tenant'> {
  /** The tenants' providers. */
  set: ProviderSet;
  /**
   * Which tenant a request is for, or `undefined` when it names none:
   * {@link tenantFromPath} or {@link tenantFromHeader}, or a function of
   * your own. Only a configured tenant is ever used.
   */
  tenantFrom: (request: TenantRequest) => string | undefined;
  /**
   * The providers this route serves (`['onfido']` for an Onfido webhook
   * route): a tenant configured with another provider is answered 404 here.
   * Default: every tenant.
   */
  providerNames?: readonly string[] | undefined;
}

/** A route for many tenants; also usable per tenant from a framework's route parameter. */
export interface TenantWebhookHandler extends WebhookRoute {
  /**
   * A route bound to one tenant, for frameworks that parse the path
   * themselves: `app.post('/onfidowh/:tenant', (req, res) => ...forTenant(req.params.tenant))`.
   * It answers 404 while the tenant is not configured, like the shared route.
   */
  forTenant(tenant: string): WebhookHandler;
  /**
   * The boot-time check of every tenant this route serves: its provider has
   * what verifying webhooks needs and accepts its credentials. Rejects with a
   * `ConfigError` naming every tenant that is not ready.
   */
  ready(options?: CallOptions): Promise<TenantReady[]>;
}

/**
 * Reads the tenant from the path segment after `prefix`:
 * `tenantFromPath('/serverapi/apiv1/identity-check/onfidowh')` finds `org-7`
 * in `/serverapi/apiv1/identity-check/onfidowh/org-7`. Anything else (the
 * prefix alone, more segments) names no tenant.
 */
export function tenantFromPath(prefix: string): (request: TenantRequest) => string | undefined {
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    throw new ConfigError(
      '[idv] [tenants] tenantFromPath: the prefix must be a path starting with "/"',
      {
        option: 'prefix',
      },
    );
  }
  const base = prefix.replace(/\/+$/, '');
  return ({ url }) => {
    if (typeof url !== 'string') return undefined;
    let path: string;
    try {
      path = new URL(url, 'http://localhost').pathname;
    } catch {
      return undefined;
    }
    if (!path.startsWith(`${base}/`)) return undefined;
    const segment = path.slice(base.length + 1).replace(/\/$/, '');
    return segment === '' || segment.includes('/') ? undefined : segment;
  };
}

/**
 * Reads the tenant from a request header (`x-idv-tenant`, or one your proxy
 * sets). Only a header your own proxy sets should be trusted with this: an
 * Onfido webhook is still verified with the named tenant's token, but a
 * Jumio callback is unsigned.
 */
export function tenantFromHeader(name: string): (request: TenantRequest) => string | undefined {
  if (typeof name !== 'string' || !/^[A-Za-z0-9-]+$/.test(name)) {
    throw new ConfigError(
      '[idv] [tenants] tenantFromHeader: the header name must be a token such as "x-idv-tenant"',
      {
        option: 'name',
      },
    );
  }
  return ({ headers }) => {
    const value = textHeader(headers, name);
    return typeof value === 'string' ? value.trim() : undefined;
  };
}

function answer(
  status: number,
  body: Record<string, unknown>,
  extra: Record<string, string> = {},
): IntakeAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra },
    body,
  };
}

/**
 * Creates one webhook route for the tenants of a {@link ProviderSet}. See the
 * module description for what it answers.
 *
 * @example
 * ```ts
 * const set = await providerSetFromEnv(); // IDV_TENANTS_FILE=/etc/cas/tenants.json
 * const processor = createProcessor({ store, tenants: set, handler: onResult });
 * const onfidoWebhook = createTenantWebhookHandler({
 *   set, store, processor,
 *   tenantFrom: tenantFromPath('/serverapi/apiv1/identity-check/onfidowh'),
 *   providerNames: ['onfido'],
 * });
 * // node:http or Express: app.post('/serverapi/apiv1/identity-check/onfidowh/:org', toNodeListener(onfidoWebhook));
 * ```
 */
export function createTenantWebhookHandler(
  options: TenantWebhookHandlerOptions,
): TenantWebhookHandler {
  const { set, tenantFrom, providerNames, ...common } = options;
  if (typeof tenantFrom !== 'function') {
    throw new ConfigError(
      '[idv] [tenants] createTenantWebhookHandler needs "tenantFrom" (tenantFromPath(...) or tenantFromHeader(...))',
      {
        option: 'tenantFrom',
      },
    );
  }
  // Checked now, not at each tenant's first delivery.
  const { maxBodyBytes } = handlerLimits(options);
  compileTrustProxy(options.trustProxy);
  /** Each tenant provider's route, made on its first delivery (a new provider after a reload gets a new one). */
  const routes = new WeakMap<IdentityVerificationProvider, WebhookHandler>();

  const report = (outcome: IntakeOutcome): void => {
    try {
      options.onOutcome?.(outcome);
    } catch {
      // An observer's failure must not change the answer.
    }
  };
  const serves = (tenant: string | undefined): tenant is string =>
    typeof tenant === 'string' &&
    TENANT_ID_PATTERN.test(tenant) &&
    set.has(tenant) &&
    (providerNames === undefined || providerNames.includes(set.providerName(tenant)));

  const routeFor = (tenant: string, provider: IdentityVerificationProvider): WebhookHandler => {
    let route = routes.get(provider);
    if (route === undefined) {
      // Throws a ConfigError when the provider cannot verify webhooks (an Onfido tenant without webhookToken).
      route = createWebhookHandler({ ...common, provider, tenant });
      routes.set(provider, route);
    }
    return route;
  };

  const receiveFor = async (
    tenant: string | undefined,
    delivery: RawDelivery,
  ): Promise<IntakeAnswer> => {
    if (typeof delivery.method !== 'string' || delivery.method.toUpperCase() !== 'POST') {
      report({ result: 'refused', status: 405, reason: 'method_not_allowed' });
      return answer(405, { error: 'method_not_allowed' }, { allow: 'POST' });
    }
    if (!serves(tenant)) {
      report({ result: 'refused', status: 404, reason: 'unknown_tenant' });
      return answer(404, { error: 'unknown_tenant' });
    }
    let route: WebhookHandler;
    try {
      // The provider as configured now; a reload after this point changes the next delivery.
      route = routeFor(tenant, await set.provider(tenant));
    } catch (error) {
      report({ result: 'failed', status: 500, error, tenant });
      return answer(500, { error: 'tenant_unavailable' });
    }
    return route.receive(delivery);
  };

  const tenantOf = (delivery: RawDelivery): string | undefined => {
    try {
      const found = tenantFrom({ url: delivery.url, headers: delivery.headers });
      return typeof found === 'string' ? found : undefined;
    } catch {
      return undefined;
    }
  };
  const receive = (delivery: RawDelivery) => receiveFor(tenantOf(delivery), delivery);
  const handlerReady = (tenants: string[], call: CallOptions) =>
    set.ready(['webhooks'], { ...call, tenants });

  return Object.assign(webRoute(receive), {
    receive,
    maxBodyBytes,
    forTenant(tenant: string): WebhookHandler {
      const bound = (delivery: RawDelivery) => receiveFor(tenant, delivery);
      return Object.assign(webRoute(bound), {
        receive: bound,
        maxBodyBytes,
        ready: async (call: CallOptions = {}) => {
          if (!serves(tenant)) {
            // The set's own refusal (unknown or removed), or this route's.
            if (!set.has(tenant)) await set.provider(tenant);
            throw new ConfigError(
              `[idv] [tenants] tenant ${JSON.stringify(tenant)} is configured with ${set.providerName(tenant)}, which this route does not serve`,
              { option: 'providerNames' },
            );
          }
          const [ready] = await handlerReady([tenant], call);
          return ready!;
        },
      });
    },
    ready: (call: CallOptions = {}) =>
      handlerReady(
        set.tenants().filter((tenant) => serves(tenant)),
        call,
      ),
  });
}
