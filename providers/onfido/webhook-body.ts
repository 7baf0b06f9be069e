/**
 * The shape check of a verified webhook body, written out by hand for the hot
 * path of `verifyWebhook`: it accepts exactly what `webhookEventSchema`
 * accepts (the zod schema stays the documented shape and builds the refusal
 * message; `test/onfido/webhook-body.test.ts` holds the two to the same
 * answers on generated input), at a fraction of the cost.
 *
 * @module
 */
import type { OnfidoWebhookBody } from './schemas';

/** An object as zod's `z.object` takes one: not `null`, not an array. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `z.string().min(1)`. */
function isId(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** `z.string().nullish()`: absent, `null` or a string. */
function isOptionalText(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

/**
 * Whether a parsed body has the shape the adapter reads: `{payload:
 * {resource_type, action, object: {id, ...}, resource?}}` (docs/provider-facts.md#o-wh-4),
 * with `resource_type`, `action` and `object.id` non-empty strings, the
 * optional texts of `object` (`status`, `completed_at_iso8601`, `href`,
 * `workflow_run_id`) absent, `null` or strings, and `resource` absent, `null`
 * or an object whose `applicant_id` is absent, `null` or a string. Other
 * fields are ignored, as the schema ignores them.
 */
export function isOnfidoWebhookBody(value: unknown): value is OnfidoWebhookBody {
  if (!isRecord(value)) return false;
  const payload = value['payload'];
  if (!isRecord(payload)) return false;
  if (!isId(payload['resource_type']) || !isId(payload['action'])) return false;
  const object = payload['object'];
  if (!isRecord(object) || !isId(object['id'])) return false;
  if (
    !isOptionalText(object['status']) ||
    !isOptionalText(object['completed_at_iso8601']) ||
    !isOptionalText(object['href']) ||
    !isOptionalText(object['workflow_run_id'])
  ) {
    return false;
  }
  const resource = payload['resource'];
  if (resource === undefined || resource === null) return true;
  return isRecord(resource) && isOptionalText(resource['applicant_id']);
}
