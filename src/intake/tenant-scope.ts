/**
 * What keeps tenants apart in one event store: an event recorded for a tenant
 * has a de-duplication key of that tenant's own, so a delivery to one tenant's
 * route can never be taken for a duplicate of another tenant's.
 *
 * @module
 */

/**
 * The de-duplication key an event is recorded under: the provider's key,
 * under the tenant's name when the event is recorded for one
 * (`tenant/<tenant, URL-encoded>/<key>`; the encoding keeps the tenant's part
 * unambiguous). Without a tenant, the provider's key as it is.
 */
export function tenantDedupeKey(tenant: string | undefined, key: string): string {
  return tenant === undefined ? key : `tenant/${encodeURIComponent(tenant)}/${key}`;
}
