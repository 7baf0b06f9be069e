/**
 * Registering the host's webhook URL with Onfido (the "register the webhook"
 * step of a deployment), idempotently (`GET` and `POST /webhooks`:
 * docs/provider-facts.md#o-wh-1, #o-wh-2).
 *
 * @module
 */
import {
  type CallOptions,
  type IdentityVerificationProvider,
  InvalidInputError,
  trimTrailingSlashes,
  UnexpectedResponseError,
} from 'idv-providers/kit';
import { requireOnfidoContext } from './context';
import type { OnfidoOptionsInput } from './definition';
import { onfido } from './provider';
import { webhookListSchema, webhookSchema } from './schemas';

/** What to register. */
export interface OnfidoWebhookRegistration extends CallOptions {
  /** The host's webhook endpoint; Onfido requires `https`. */
  url: string;
  /** Events to subscribe to. Default: all events. */
  events?: readonly string[] | undefined;
  /** `sandbox` and/or `live`. Default: both. */
  environments?: readonly string[] | undefined;
}

/** A registered webhook. */
export interface OnfidoRegisteredWebhook {
  /** Onfido's webhook id. */
  id: string;
  /** The registered URL. */
  url: string;
  /** The signing token: configure it as `webhookToken`. Secret. */
  token: string;
  /** `true` when this call created it, `false` when it already existed. */
  created: boolean;
}

/** Same URL, ignoring trailing slashes. */
function sameUrl(a: string, b: string): boolean {
  return trimTrailingSlashes(a) === trimTrailingSlashes(b);
}

/**
 * Finds the webhook registered for `url` (`GET /webhooks`) or creates it
 * (`POST /webhooks`), and returns its id and signing token. Pass the provider
 * returned by `onfido()` / `createProvider()`, or Onfido options.
 *
 * @example
 * ```ts
 * const hook = await registerOnfidoWebhook(idv, { url: 'https://cas.example.com/onfidowh' });
 * saveSecret('IDV_ONFIDO_WEBHOOK_TOKEN', hook.token);
 * ```
 */
export async function registerOnfidoWebhook(
  target: IdentityVerificationProvider | OnfidoOptionsInput,
  registration: OnfidoWebhookRegistration,
): Promise<OnfidoRegisteredWebhook> {
  const provider = 'capabilities' in target ? target : onfido(target);
  const ctx = requireOnfidoContext(provider, 'registerOnfidoWebhook', 'target');
  let url: URL;
  try {
    url = new URL(registration.url);
  } catch {
    throw new InvalidInputError('[idv] [onfido] the webhook URL is not an absolute URL', {
      provider: 'onfido',
      field: 'url',
    });
  }
  const signal = registration.signal;
  const list = await ctx.http.request({
    method: 'GET',
    url: '/webhooks',
    schema: webhookListSchema,
    signal,
  });
  const existing = list.data.webhooks.find((hook) => sameUrl(hook.url, url.toString()));
  const found =
    existing ??
    (
      await ctx.http.request({
        method: 'POST',
        url: '/webhooks',
        body: {
          url: registration.url,
          ...(registration.events === undefined ? {} : { events: [...registration.events] }),
          ...(registration.environments === undefined
            ? {}
            : { environments: [...registration.environments] }),
        },
        schema: webhookSchema,
        signal,
      })
    ).data;
  if (found.token == null || found.token === '') {
    throw new UnexpectedResponseError(
      `[idv] [onfido] the webhook ${found.id} was returned without its signing token`,
      { provider: 'onfido' },
    );
  }
  return { id: found.id, url: found.url, token: found.token, created: existing === undefined };
}
