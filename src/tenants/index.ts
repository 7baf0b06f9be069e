/**
 * Many tenants in one backend: providers keyed by tenant id
 * ({@link createProviderSet}, {@link providerSetFromEnv}), and one webhook
 * route for all of them ({@link createTenantWebhookHandler}).
 *
 * @module
 */
export {
  type Environment,
  readTenantsFile,
  TENANT_ID_PATTERN,
  TENANTS_FILE_ENV,
  type TenantsDocument,
} from './document';
export {
  createProviderSet,
  type ProviderSet,
  type ProviderSetOptions,
  providerSetFromEnv,
  type TenantChanges,
  type TenantReady,
} from './provider-set';
export {
  createTenantWebhookHandler,
  type TenantRequest,
  type TenantWebhookHandler,
  type TenantWebhookHandlerOptions,
  tenantFromHeader,
  tenantFromPath,
} from './webhook';
