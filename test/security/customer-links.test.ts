/**
 * A link the provider hands back is sent to the customer (`customerUrl`, in an
 * SMS or a page). One that is not an absolute `https:` URL — `javascript:`
 * runs in the host's page, `http:` exposes the customer's session on the way,
 * `data:` carries a page of its own — is refused as an UnexpectedResponseError
 * naming the field, never the link: Onfido Studio's `link.url`, Jumio's
 * `web.href`, Netverify's `redirectUrl`.
 */
import { createProvider, UnexpectedResponseError } from 'idv-providers';
import { customerLink } from 'idv-providers/kit';
import { createJumioEmulator, createOnfidoEmulator } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { useMswEmulators } from '../msw-emulators';

const onfidoEmulator = createOnfidoEmulator();
const jumioEmulator = createJumioEmulator();
const server = useMswEmulators([onfidoEmulator, jumioEmulator]);

const ADA = { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' } as const;

/** Links a provider must never get to hand a customer. */
const HOSTILE = [
  'javascript:alert(document.cookie)',
  'JavaScript:alert(1)',
  ' javascript:alert(1)',
  'http://eu.onfido.app/l/abc',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  '//evil.example/l/abc',
  'https://',
] as const;

async function refusal(promise: Promise<unknown>): Promise<UnexpectedResponseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnexpectedResponseError);
  return error as UnexpectedResponseError;
}

describe('Onfido Studio link.url', () => {
  it.each(HOSTILE)('%s is refused, not made the customerUrl', async (link) => {
    server.use(
      http.post('https://api.eu.onfido.com/v3.6/workflow_runs', () =>
        HttpResponse.json(
          {
            id: 'run-1',
            workflow_id: onfidoEmulator.workflowId,
            status: 'awaiting_input',
            link: { url: link, expires_at: null },
          },
          { status: 201 },
        ),
      ),
    );
    const idv = await createProvider(
      onfidoEmulator.config({ workflowId: onfidoEmulator.workflowId }),
    );
    const error = await refusal(
      idv.startVerification({ identityReference: 'identity-1', person: ADA }),
    );
    expect(error.message).toContain('link.url');
    expect(error.message).not.toContain('alert');
    expect(error.message).not.toContain('evil.example');
  });

  it('an https link is taken as it is', async () => {
    const idv = await createProvider(
      onfidoEmulator.config({ workflowId: onfidoEmulator.workflowId }),
    );
    const started = await idv.startVerification({ identityReference: 'identity-1', person: ADA });
    expect(started.customerUrl).toMatch(/^https:\/\/eu\.onfido\.app\/l\//);
  });
});

describe('Jumio web.href', () => {
  it.each(HOSTILE)('%s is refused, not made the customerUrl', async (href) => {
    server.use(
      http.post('https://account.amer-1.jumio.ai/api/v1/accounts', () =>
        HttpResponse.json({
          account: { id: 'a-1' },
          web: { href },
          workflowExecution: { id: 'w-1' },
        }),
      ),
    );
    const idv = await createProvider(jumioEmulator.config());
    const error = await refusal(idv.startVerification({ identityReference: 'identity-1' }));
    expect(error.issues.join(' ')).toContain('web.href');
    expect(error.message).not.toContain('alert');
  });
});

describe('Jumio Netverify redirectUrl', () => {
  it.each(HOSTILE)('%s is refused, not made the customerUrl', async (redirectUrl) => {
    server.use(
      http.post('https://netverify.com/api/v4/initiate', () =>
        HttpResponse.json({ transactionReference: 't-1', redirectUrl }),
      ),
    );
    const idv = await createProvider(jumioEmulator.config({ mode: 'netverify' }));
    const error = await refusal(idv.startVerification({ identityReference: 'identity-1' }));
    expect(error.issues.join(' ')).toContain('redirectUrl');
  });
});

describe('customerLink (the kit helper)', () => {
  it('returns an https link and refuses the rest, naming the scheme only', () => {
    expect(customerLink('https://x.example/l/1?t=2', { provider: 'p', field: 'f' })).toBe(
      'https://x.example/l/1?t=2',
    );
    expect(() => customerLink('javascript:alert(1)', { provider: 'p', field: 'f' })).toThrow(
      /f is not an https URL \("javascript:"\)/,
    );
  });
});
