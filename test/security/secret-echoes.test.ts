/**
 * A provider may echo a secret in another spelling than the one configured:
 * lower or upper case, URL-encoded, hex, Base64 or Base64url, alone or inside
 * the encoding of a longer text (a Basic auth header's `id:secret`). None of
 * them may reach an error's message, fields, issues or inspection. And an
 * option NAME may itself be a pasted secret: the "unknown option" message
 * shows such a name masked.
 */
import { inspect } from 'node:util';
import { ConfigError, createProvider, isIdvError, parseConfig } from 'idv-providers';
import { REDACTED, redact } from 'idv-providers/kit';
import { createJumioEmulator, createOnfidoEmulator } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { useMswEmulators } from '../msw-emulators';

const API_TOKEN = 'api_sandbox.EchoedToken-7f3a9c1d5e';
const CLIENT_ID = 'EchoClientId-24c1';
const CLIENT_SECRET = 'EchoClientSecret-9b8d7e';

const onfidoEmulator = createOnfidoEmulator({ apiToken: API_TOKEN });
const jumioEmulator = createJumioEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const server = useMswEmulators([onfidoEmulator, jumioEmulator]);

const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');
const hex = (text: string) => Buffer.from(text).toString('hex');

/** Every spelling of `secret` a provider might echo. */
function echoes(secret: string): Record<string, string> {
  return {
    exact: secret,
    lower: secret.toLowerCase(),
    upper: secret.toUpperCase(),
    'url-encoded': encodeURIComponent(secret),
    hex: hex(secret),
    'HEX (upper)': hex(secret).toUpperCase(),
    base64: b64(secret),
    base64url: b64url(secret),
    'base64 of id:secret': b64(`${CLIENT_ID}:${secret}`),
    'base64 of "x" + secret': b64(`x${secret}`),
    'base64 of "xy" + secret + "z"': b64(`xy${secret}z`),
  };
}

function everyText(error: unknown): string {
  return [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: Number.POSITIVE_INFINITY }),
  ].join('\n');
}

function expectNoEcho(text: string, secret: string): void {
  for (const [form, spelled] of Object.entries(echoes(secret))) {
    expect(text.includes(spelled), `${form} echo of the secret`).toBe(false);
  }
}

describe('redact finds every spelling of a secret', () => {
  it.each(Object.entries(echoes(CLIENT_SECRET)))('%s', (_, spelled) => {
    const text = `before ${spelled} after`;
    const cleaned = redact(text, [CLIENT_SECRET]);
    expect(cleaned).toContain(REDACTED);
    expect(cleaned).not.toContain(spelled);
    expect(cleaned.startsWith('before ')).toBe(true);
    expect(cleaned.endsWith(' after')).toBe(true);
    // Nothing long enough to mean anything is left of the encoding.
    expect(cleaned.length).toBeLessThan(text.length);
  });

  it('leaves ordinary text alone', () => {
    expect(redact('GET /v3.6/applicants failed with HTTP 500', [CLIENT_SECRET, API_TOKEN])).toBe(
      'GET /v3.6/applicants failed with HTTP 500',
    );
  });
});

describe('a provider answer that echoes the API token (Onfido)', () => {
  it('in every spelling, in the message, the fields and the type, is redacted from the error', async () => {
    const forms = echoes(API_TOKEN);
    server.use(
      http.get('https://api.eu.onfido.com/v3.6/applicants', () =>
        HttpResponse.json(
          {
            error: {
              type: `bad_token_${forms.lower}`,
              message: Object.values(forms).join(' | '),
              fields: Object.fromEntries(Object.entries(forms).map(([k, v]) => [v, [k, v]])),
            },
          },
          { status: 422 },
        ),
      ),
    );
    const idv = await createProvider(onfidoEmulator.config({ maxRetries: 0 }));
    const error = await idv.checkConnection().catch((e: unknown) => e);
    expect(isIdvError(error)).toBe(true);
    expectNoEcho(everyText(error), API_TOKEN);
  });

  it('as the key of an answer of an unexpected shape, is redacted from the issues', async () => {
    server.use(
      http.get('https://api.eu.onfido.com/v3.6/applicants', () =>
        HttpResponse.json({
          applicants: { [API_TOKEN.toUpperCase()]: 1, [hex(API_TOKEN)]: 2 },
        }),
      ),
    );
    const idv = await createProvider(onfidoEmulator.config({ maxRetries: 0 }));
    const error = await idv.checkConnection().catch((e: unknown) => e);
    expect(isIdvError(error)).toBe(true);
    expectNoEcho(everyText(error), API_TOKEN);
  });
});

describe('a token endpoint that echoes the client credentials (Jumio)', () => {
  it('Basic header, secret in hex and upper case: none in the error', async () => {
    server.use(
      http.post('https://auth.amer-1.jumio.ai/oauth2/token', ({ request }) =>
        HttpResponse.json(
          {
            error: 'invalid_client',
            error_description: `refused ${request.headers.get('authorization')} (${hex(CLIENT_SECRET)}, ${CLIENT_SECRET.toUpperCase()}, ${CLIENT_ID.toLowerCase()})`,
          },
          { status: 401 },
        ),
      ),
    );
    const idv = await createProvider(jumioEmulator.config({ maxRetries: 0 }));
    const error = await idv.checkConnection().catch((e: unknown) => e);
    expect(isIdvError(error)).toBe(true);
    expectNoEcho(everyText(error), CLIENT_SECRET);
    expect(everyText(error)).not.toContain(CLIENT_ID.toLowerCase());
  });
});

describe('an option name that is a pasted secret (the "unknown option" message)', () => {
  function message(config: Record<string, unknown>): string {
    try {
      parseConfig(config);
    } catch (error) {
      if (error instanceof ConfigError) return everyText(error);
      throw error;
    }
    throw new Error('expected a ConfigError');
  }
  const onfidoConfig = {
    provider: 'onfido',
    apiToken: API_TOKEN,
    verificationSiteUrl: 'https://verify.example.com/',
  };

  it('equal to a configured secret value: masked', () => {
    const text = message({ ...onfidoConfig, [API_TOKEN]: true });
    expect(text).not.toContain(API_TOKEN);
    expect(text).toContain(`a name of ${API_TOKEN.length} characters that looks like a secret`);
  });

  it('holding a configured value with something around it: masked', () => {
    const text = message({ ...onfidoConfig, [`"${API_TOKEN}",`]: '' });
    expect(text).not.toContain(API_TOKEN);
  });

  it.each([
    ['a token', 'api_live.Zx81Hq2vTrE0pLm5Wc7Ys3'],
    ['hex', '9f86d081884c7d659a2feaa0c55ad015'],
    ['base64', 'q83vEjRWeJCrze8SNFZ4kA=='],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['random letters', 'aZbYcXdWeVfUgThSrQpOnM'],
  ])('looking like %s: masked', (_, name) => {
    const text = message({ ...onfidoConfig, [name]: 'x' });
    expect(text).not.toContain(name);
    expect(text).toContain('looks like a secret');
  });

  it.each([
    'verificatonSiteUrl',
    'IDV_ONFIDO_VERIFICATION_SITE_URL',
    'webhookTokn',
    'maxRetriesAfterMs',
  ])('a misspelt option %s is still named', (name) => {
    expect(message({ ...onfidoConfig, [name]: 'x' })).toContain(`"${name}"`);
  });
});
