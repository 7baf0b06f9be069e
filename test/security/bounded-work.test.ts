/**
 * Work on configured or received text is linear in its length: no regular
 * expression backtracks super-linearly. (The attack: the trailing-slash trim
 * `/\/+$/` took 2.8 s on 60,000 slashes followed by a character, and grows
 * with the square of the length.) Each test runs its functions on
 * 100,000-character adversarial inputs under a timeout that linear work meets
 * a hundred times over and quadratic work cannot: nothing is timed inside.
 *
 * The regular expressions audited (every literal and `new RegExp` in src/ and
 * providers/ that runs on configured or received text; found by a TypeScript
 * scan of the sources), with the verdict:
 *
 * Fixed (super-linear before):
 * - `/\/+$/` trailing-slash trims: providers/onfido/definition.ts, providers/jumio/kyx.ts,
 *   providers/jumio/netverify.ts, providers/onfido/webhook-registration.ts, src/kit/http/client.ts,
 *   providers/onfido/emulator/handlers.ts (3), providers/jumio/emulator/handlers.ts (2),
 *   providers/jumio/emulator/control.ts, test/fixtures/provider-template/definition.ts,
 *   examples/custom-provider/acme-provider.ts, examples/cas-backend/server.ts → `trimTrailingSlashes`
 *   (src/shared/url.ts, one backwards pass).
 * - `/[^\s@]+@[^\s@]+\.[^\s@]+/` (providers/jumio/references.ts, e-mail in a reference): the leading
 *   run was retried from every position → `/[^\s@]@[^\s@]+\.[^\s@]/`, the same matches.
 * - `new RegExp(subjectId, 'g')` (src/testing/conformance.ts): a pattern built from the provider's
 *   text → `replaceAll` of the plain text.
 * - `/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/` on `text.slice(i)` (src/cli/json-position.ts): linear
 *   itself, applied to a copy of the rest per number → the same pattern sticky (`y`) at the offset.
 * - The recursive JSON reader and `${ENV}` expansion (src/cli/json-position.ts, config-source.ts):
 *   not regexes, but unbounded recursion on nesting → depth-bounded (`MAX_JSON_DEPTH`).
 *
 * Linear as they are (anchored, fixed-width, a single class, or adjacent quantifiers over disjoint
 * classes, so no position is tried twice):
 * - src/config: `/^https?$/` (URL protocol), `/^[\x20-\x7e]+$/` (userAgent), `/([a-z0-9])([A-Z])/g`,
 *   `/-/g`, `/^\d+$/`, `/^(true|1|yes|on)$/i`, `/^(false|0|no|off)$/i` (env values),
 *   `/^Invalid input: /`, `/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i`.
 * - src/shared: `/[?#]/` (describeUrl), `/^\d+(\.\d+)?$/` (Retry-After), `/\.$/` (host), the
 *   escaped-literal alternation of secrets and `/[.*+?^${}()|[\]\\]/g` (redact).
 * - src/kit: `/^https?:\/\//i`, `/^\/+/`, `/[/+]json\b/i` (content type),
 *   `/filename\*=(?:UTF-8'')?([^;]+)/i`, `/filename="?([^";]+)"?/i`, `/^"|"$/g` (Content-Disposition:
 *   the first match succeeds), `/^(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)/`, `/\s+/g` (person fields).
 * - src/cli: `/'(-[^' ]+)/`, `/argument missing|ambiguous/`, `/^\d+$/`, `/baseurl$/i`,
 *   `/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g` (`$` is not in the name class: each start scans its own run),
 *   `/\.$/`, `/(^|\.)example\.(com|net|org)$/`, `/(^|\.)(example|test|invalid)$/`, the env-file
 *   patterns (`/^[A-Za-z_][A-Za-z0-9_]*$/`, `/^#.*`, `/\s#/`, `/^\uFEFF/`, `/\r?\n/`, `/^export\s+/`),
 *   `/^[a-z][a-z0-9-]{0,39}$/i`, `/[ \t\n\r]/`, `/^[0-9a-fA-F]{4}$/`, `/^--?[a-z][a-z-]*$/i`, the
 *   secret-name alternation and `/[-\s]/g`, `/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i` (anchored: one start),
 *   `/\s+/`, `/^(\d{1,9})(ms|s|m|h|d)$/`, `/^[A-Za-z0-9_-]{1,80}$/`.
 * - src/intake: `/^\d+$/`, `/^\d{1,3}$/`, `/(\d{1,3}(?:\.\d{1,3}){3})$/` (bounded per start),
 *   `/^\[([^\]]+)\](?::\d{1,5})?$/`, `/^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/`, `/%[\w.-]+$/` (`%` ends
 *   each run), the SQLite and PostgreSQL error-code and message literals, the table-name patterns.
 * - src/links: the UUID and base64url patterns, `/^[0-9a-fA-F]+$/`, `/\p{Surrogate}/u`.
 * - src/emulator-kit: `/[.*+?^${}()|[\]\\]/g`, `/:[A-Za-z_][A-Za-z0-9_]+/g`-like parameter pattern (`[A-Za-z0-9_]` repeated: route definitions), and
 *   the route patterns `^/a/([^/]+)/b/?$` it compiles (parameters separated by `/`), `/json/i`.
 * - src/testing: `/token|secret|key|password|clientid/i`, `/\S/`,
 *   `/"([^"]*)"\s*:\s*"([^"]+)"/` (each start scans to the next quote).
 * - providers/onfido: `/^[a-z_]+$/`, `/^\./`, `/^(document|facial_similarity|known_faces)/`,
 *   `/^[A-Z]{3}$/`, `/^Bearer /`, `/^[0-9a-fA-F]*$/`; emulator: `/^Token token="?([^"]*)"?$/`,
 *   `/^Bearer (\S+)$/`, the UUID pattern, `/[^\x20-\x7e]/g`, `/[\\()]/g`, `/[^0-9]/g`, the forbidden
 *   character classes, `/^\d{4}-\d{2}-\d{2}$/`, `/^[^@\s]+@[^@\s]+$/`, `/^[a-z*]+:\/\/\S+$/i`.
 * - providers/jumio: `/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/`, `/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/`,
 *   `/^\s*[[{]/`, the locale, status and reference patterns, `/^Bearer /`, `/[\u0000-\u001f\u007f]/`,
 *   the UUID pattern (fixed width), `/\+\s*\(?\d(?:[\s().-]*\d){6,}/` (separators and digits are
 *   disjoint; starts only at `+`), `/\d(?: ?\d){9,}/` (at most ten steps per start); emulator:
 *   `/^(\d{4})-(\d{2})-(\d{2})$/`, `/^Basic\s+([A-Za-z0-9+/=]+)$/i`, `/[<>"/;\`%{}|]/`,
 *   `/^(\d+)([mhd])$/`, `/^https?:\/\//`, `/^\d+$/`, `/^Bearer\s+(\S+)$/i`.
 *
 * Left as it is: `new RegExp(path)` in src/cli/emulator-control.ts, the fault-injection endpoint of
 * the emulator, whose documented input is a regular expression the test author writes.
 */
import {
  ConfigError,
  configFromEnv,
  createProvider,
  parseConfig,
  WebhookVerificationError,
} from 'idv-providers';
import { kyxBaseUrls, looksLikePersonalData } from 'idv-providers/jumio';
import {
  describeUrl,
  downloadFileName,
  mediaTypeOf,
  parseRetryAfter,
  plainFileName,
  redact,
  trimTrailingSlashes,
} from 'idv-providers/kit';
import { onfidoBaseUrl } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { jsonDepthError, jsonErrorPosition } from '../../src/cli/json-position';
import { displayValue } from '../../src/cli/mask';
import { looksLikeSecret } from '../../src/config/parse';
import { fileNameFrom } from '../../src/kit/http/media-type';

const N = 100_000;
/** Linear work on 100,000 characters takes milliseconds; the quadratic forms took seconds. */
const BOUND = { timeout: 4_000 };

describe('trailing slashes (the attack: 60,000 slashes took 2.8 s)', BOUND, () => {
  it('trimTrailingSlashes, and every base URL built from a configured one', () => {
    const slashesThenText = `${'/'.repeat(N)}x`;
    const trailing = `https://api.example/v1${'/'.repeat(N)}`;
    expect(trimTrailingSlashes(slashesThenText)).toBe(slashesThenText);
    expect(trimTrailingSlashes(trailing)).toBe('https://api.example/v1');
    expect(trimTrailingSlashes('/'.repeat(N))).toBe('');
    const baseUrl = `https://proxy.example/${'/'.repeat(N)}x`;
    expect(onfidoBaseUrl({ baseUrl, region: 'EU' })).toBe(baseUrl);
    const urls = kyxBaseUrls(
      parseConfig({
        provider: 'jumio',
        clientId: 'id-1',
        clientSecret: 'secret-1',
        authBaseUrl: baseUrl,
        accountBaseUrl: trailing,
      }).options as never,
    );
    expect(urls.auth).toBe(baseUrl);
    expect(urls.account).toBe('https://api.example/v1');
  });

  it('creating providers with such base URLs (Onfido, Jumio KYX and Netverify)', async () => {
    const baseUrl = `https://proxy.example/${'/'.repeat(N)}x`;
    for (const config of [
      { provider: 'onfido', apiToken: 't-1', baseUrl, verificationSiteUrl: 'https://v.example/' },
      { provider: 'jumio', clientId: 'i', clientSecret: 's', authBaseUrl: baseUrl },
      {
        provider: 'jumio',
        mode: 'netverify',
        clientId: 'i',
        clientSecret: 's',
        netverifyBaseUrl: baseUrl,
      },
    ]) {
      expect((await createProvider(config)).name).toBe(config.provider);
    }
  });
});

describe('received and configured text', BOUND, () => {
  it('a Jumio reference checked for personal data (e-mail, phone, card number)', () => {
    for (const text of [
      'a'.repeat(N),
      `${'a'.repeat(N)}@`,
      `a@${'.'.repeat(N)}`,
      `+${'('.repeat(N)}`,
      `+${'1 '.repeat(N / 2)}`,
      '1 1 1 1 1  '.repeat(N / 11),
      'a@'.repeat(N / 2),
    ]) {
      looksLikePersonalData(text);
    }
    expect(looksLikePersonalData(`${'a'.repeat(N)}@b.c`)).toBe('an e-mail address');
    expect(looksLikePersonalData('a'.repeat(N))).toBeUndefined();
  });

  it('URLs described for messages, and secrets redacted from long answers', () => {
    expect(describeUrl(`http://${'@'.repeat(N)}host/x`)).toBe('http://host/x');
    expect(describeUrl(`http://${'a'.repeat(N)}`)).toHaveLength(N + 7);
    expect(describeUrl(`${'a'.repeat(N)}://x`)).toBe(`${'a'.repeat(N)}://x`);
    const secret = 'S3cretValue-123456';
    const text = `${'S3cretValu'.repeat(N / 10)}${secret}`;
    expect(redact(text, [secret])).toMatch(/\[REDACTED\]$/);
    expect(redact('a'.repeat(N), ['a'.repeat(20)])).not.toContain('aaaa'.repeat(6));
    expect(displayValue('baseUrl', `http://${'a'.repeat(N)}`)).toHaveLength(N + 7);
  });

  it('downloads: content types, Content-Disposition, file names', () => {
    expect(mediaTypeOf(Buffer.alloc(64, 0x20), [`image/png${';'.repeat(N)}`]).ok).toBe(true);
    fileNameFrom(`filename*=${"UTF-8''".repeat(N / 7)}`);
    fileNameFrom('filename="'.repeat(N / 10));
    fileNameFrom(`filename*=${'%'.repeat(N)}`);
    expect(plainFileName(`${'.'.repeat(N)}x`)).toBe('x');
    expect(plainFileName(`${' .'.repeat(N / 2)}`)).toBe('');
    expect(plainFileName(`${'/'.repeat(N)}a`)).toBe('a');
    expect(
      downloadFileName(`${'a.'.repeat(N / 2)}`, { id: 'd', kind: 'document' }, 'image/png'),
    ).toMatch(/\.png$/);
  });

  it('Retry-After values, environment values and the userAgent option', () => {
    expect(parseRetryAfter(`${'1'.repeat(N)}x`, 0)).toBeUndefined();
    expect(() =>
      configFromEnv({
        IDV_PROVIDER: 'onfido',
        IDV_ONFIDO_API_TOKEN: 't',
        IDV_ONFIDO_VERIFICATION_SITE_URL: 'https://v.example/',
        IDV_TIMEOUT_MS: `${'1'.repeat(N)}x`,
      }),
    ).toThrow(ConfigError);
    expect(() =>
      parseConfig({
        provider: 'onfido',
        apiToken: 't',
        verificationSiteUrl: 'https://v.example/',
        userAgent: `${'a'.repeat(N)}\n`,
      }),
    ).toThrow(ConfigError);
  });

  it('option names: unknown ones checked for looking like secrets', () => {
    const random = Buffer.from(Array.from({ length: (N * 3) / 4 }, (_, i) => (i * 7919) % 251));
    expect(looksLikeSecret(random.toString('base64'))).toBe(true);
    expect(() =>
      parseConfig({
        provider: 'onfido',
        apiToken: 'api_sandbox.token-of-some-length',
        verificationSiteUrl: 'https://v.example/',
        ['x'.repeat(N)]: 'api_sandbox.token-of-some-length',
      }),
    ).toThrow(ConfigError);
  });

  it('JSON positions and depths of a config file', () => {
    expect(jsonDepthError(`${'"\\'.repeat(N / 2)}`)).toBeUndefined();
    expect(jsonErrorPosition(`[${'1,'.repeat(N / 2)}x]`)).toEqual({ line: 1, column: N + 2 });
    expect(jsonErrorPosition(`"${'\\u00e9'.repeat(N / 6)}`)).toBeDefined();
    expect(jsonDepthError('[{'.repeat(N / 2))).toEqual({ line: 1, column: 33 });
  });

  it('a Jumio callback body of white space', async () => {
    const idv = await createProvider({
      provider: 'jumio',
      clientId: 'i',
      clientSecret: 's',
      verifyCallbackSource: false,
    });
    await expect(
      idv.verifyWebhook({
        body: `${' '.repeat(N)}x`,
        headers: { 'content-type': 'application/json' },
      }),
    ).rejects.toBeInstanceOf(WebhookVerificationError);
  });
});
