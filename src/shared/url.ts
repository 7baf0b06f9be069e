/**
 * Small helpers for URLs given in configuration or received from a provider.
 * Each does its work in one pass over the text: none uses a regular expression
 * that could backtrack (`/\/+$/` takes seconds on `"////…x"`).
 *
 * @module
 */

const SLASH = 0x2f;

/**
 * `text` without its trailing slashes (`https://api/v1//` → `https://api/v1`),
 * in time linear in its length.
 */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === SLASH) end -= 1;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * True for the host names of this machine that need no DNS: `localhost`,
 * `127.0.0.0/8` and `[::1]` (as `URL.hostname` spells them).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  const parts = host.split('.');
  return (
    parts.length === 4 &&
    parts[0] === '127' &&
    parts.every((part) => part !== '' && part.length <= 3 && Number(part) <= 255 && isDigits(part))
  );
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function parse(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * True when `text` is an `http:` URL to another machine: its traffic (and the
 * credentials it carries) can be read and changed on the way. Loopback
 * addresses ({@link isLoopbackHost}) are not; anything that is not an
 * absolute URL is not either (a schema refuses it on its own).
 */
export function isInsecureHttpUrl(text: string): boolean {
  const url = parse(text);
  return url !== undefined && url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}

/** True when `text` is an absolute `https:` URL with a host. */
export function isHttpsUrl(text: string): boolean {
  const url = parse(text);
  return url !== undefined && url.protocol === 'https:' && url.hostname !== '';
}

/** User names shorter than this are not treated as secrets (`admin`, `proxy` are ordinary words). */
const MIN_SECRET_USER_NAME = 8;

/**
 * The secrets a URL's user-info holds (`http://user:pass@proxy`): its password,
 * and its user name when it is long enough to be a credential (8 characters or
 * more), each as written and percent-decoded, for the list of secrets kept out
 * of errors.
 */
export function userInfoOf(text: string): string[] {
  const url = parse(text);
  if (url === undefined) return [];
  const out: string[] = [];
  const parts = [url.password, url.username.length >= MIN_SECRET_USER_NAME ? url.username : ''];
  for (const part of parts) {
    if (part === '') continue;
    out.push(part);
    try {
      const decoded = decodeURIComponent(part);
      if (decoded !== part) out.push(decoded);
    } catch {
      // Not valid percent-encoding: the raw form is the one that can show.
    }
  }
  return out;
}

/**
 * True when `hostname` is `domain` or one of its subdomains
 * (`api.eu.onfido.com` is on `onfido.com`; `notonfido.com` is not).
 */
export function isOnDomain(hostname: string, domain: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const base = domain.toLowerCase();
  return host === base || host.endsWith(`.${base}`);
}
