/**
 * A link from a provider's answer that is about to be sent to a customer
 * (`customerUrl`: Onfido Studio's `link.url`, Jumio's `web.href`). It goes
 * into an SMS or a page the host renders, so only an absolute `https:` URL is
 * taken: a `javascript:` or `data:` link would run in the host's page, and an
 * `http:` one would hand the customer's session to anyone on the way.
 *
 * @module
 */
import { type RequestSummary, UnexpectedResponseError } from 'idv-providers';
import { z } from 'zod';
import { isHttpsUrl } from '../shared/url';

/** The scheme of `text` when it has a plain one (`javascript`), for the message; never the rest. */
function schemeOf(text: string): string {
  const colon = text.indexOf(':');
  if (colon < 1 || colon > 20) return 'no scheme';
  const scheme = text.slice(0, colon);
  for (let i = 0; i < scheme.length; i++) {
    const c = scheme.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (
      !letter &&
      !(i > 0 && ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e))
    ) {
      return 'no scheme';
    }
  }
  return `"${scheme.toLowerCase()}:"`;
}

/** Where a link was found, for the error. */
export interface CustomerLinkSource {
  /** Provider name. */
  provider: string;
  /** The field of the answer (`link.url`, `web.href`). */
  field: string;
  /** The request whose answer held it. */
  request?: RequestSummary | undefined;
  /** Attempts the request took. */
  attempts?: number | undefined;
}

/**
 * Returns `link` when it is an absolute `https:` URL; otherwise throws an
 * {@link UnexpectedResponseError} that names the field and the link's scheme,
 * never the link itself (it may carry the customer's token).
 */
export function customerLink(link: string, source: CustomerLinkSource): string {
  if (isHttpsUrl(link)) return link;
  const { provider, field } = source;
  throw new UnexpectedResponseError(
    `[idv] [${provider}] the answer's ${field} is not an https URL (${schemeOf(link.trim())}): it is not sent to the customer`,
    {
      provider,
      ...(source.request === undefined ? {} : { request: source.request }),
      ...(source.attempts === undefined ? {} : { attempts: source.attempts }),
      issues: [`${field}: expected an https URL`],
    },
  );
}

/**
 * A link field of a provider's answer that becomes `customerUrl`: an absolute
 * `https:` URL, else the answer is an {@link UnexpectedResponseError} (the
 * issue names the field, never the value).
 */
export const customerLinkSchema = z
  .string()
  .refine(isHttpsUrl, { message: 'expected an https URL (it is sent to the customer)' });
