/**
 * The example's verification page in a real browser, for each provider: the
 * customer opens the link texted to them, takes the (emulated) photos, says
 * they have finished, and watches the identity reach its final status. Links
 * that ran out or were altered are refused with a page that says so.
 * Screenshots go to test-results/browser/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReasonCode } from 'idv-providers';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../examples/cas-backend/identities';
import { ROUTES } from '../../examples/cas-backend/server';
import { type Browser, type Deployment, launchBrowser, linkInSms, startDeployment } from './setup';

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/browser/', import.meta.url));

/** What the customer should end up seeing, with auto-registration on. */
const OUTCOMES: Array<{ reason: ReasonCode; state: Identity['state']; text: string }> = [
  {
    reason: 'CLEAR',
    state: 'registered',
    text: 'Your identity has been verified. You can now use the ATM.',
  },
  {
    reason: 'CAUTION_FACIAL_COMPARISON',
    state: 'awaiting_registration',
    text: 'Thank you. Your documents are being reviewed; we will text you when it is done.',
  },
  {
    reason: 'SUSPECTED_COMPROMISED_DOCUMENT',
    state: 'rejected',
    text: 'We are sorry: your identity could not be verified.',
  },
];

const EXPIRED_TEXT =
  'This verification link has expired. Please start again at the ATM to get a new link.';
const INVALID_TEXT =
  'This verification link is not valid. Please use the link from your most recent message.';

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(['onfido', 'jumio'] as const)('the verification page with %s', (provider) => {
  let deployment: Deployment;
  let pages: Page[] = [];
  let pageErrors: string[] = [];
  let customers = 0;

  beforeAll(async () => {
    deployment = await startDeployment(provider);
  });

  afterAll(async () => {
    await deployment?.close();
  });

  beforeEach(async ({ onTestFailed }) => {
    for (const page of pages) await page.close();
    pages = [];
    pageErrors = [];
    await deployment.releaseDeliveries();
    onTestFailed(() => {
      console.error(`[${provider}] server log:\n${deployment.log.slice(-30).join('\n')}`);
    });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    pages.push(page);
    return page;
  }

  /** The ATM starts a verification; the customer's link is read from the text message they got. */
  async function newCustomer(verdict?: ReasonCode) {
    const phoneNumber = `+42077710${provider === 'onfido' ? 1 : 2}${String(customers++).padStart(3, '0')}`;
    const identity = await deployment.startVerification(phoneNumber);
    if (verdict !== undefined)
      deployment.emulator.setVerdict(identity.session.subjectId, { reason: verdict });
    const link = linkInSms(deployment.sms, phoneNumber);
    return { identity, link };
  }

  const screenshot = (page: Page, name: string) =>
    page.screenshot({ path: `${SCREENSHOTS}${provider}-${name}.png`, fullPage: true });

  it('opens from the signed link in the text message', async () => {
    const { identity, link } = await newCustomer();
    expect(link).toBe(identity.link);
    expect(link.startsWith(`${deployment.url}${ROUTES.page}?token=`)).toBe(true);

    const page = await newPage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Verify your identity');
    expect(await page.locator('h1').textContent()).toBe('Verify your identity');
    expect(await page.locator('body').getAttribute('data-page-status')).toBe('link_sent');
    expect(await page.getByTestId('capture').isEnabled()).toBe(true);
    // Finishing is offered only once the photos are taken.
    expect(await page.getByTestId('finish').isDisabled()).toBe(true);
    expect(await page.locator('time').getAttribute('datetime')).toBe(identity.linkExpiresAt);
    await screenshot(page, 'opened');
    expect(pageErrors).toEqual([]);
  });

  it.each(OUTCOMES)(
    'capture then finish calls submit, and $reason ends as $state on the page',
    async ({ reason, state, text }) => {
      const { identity, link } = await newCustomer(reason);
      const token = new URL(link).searchParams.get('token');
      const page = await newPage();
      await page.goto(link);

      // The provider decides a while after the photos are taken: its webhook or callback waits.
      deployment.holdDeliveries();
      await page.getByTestId('capture').click();
      await page.locator('#message', { hasText: 'Photos taken.' }).waitFor();
      expect(await page.getByTestId('finish').isEnabled()).toBe(true);

      const submitted = page.waitForRequest(
        (request) => new URL(request.url()).pathname === ROUTES.submit,
      );
      const answered = page.waitForResponse(
        (response) => new URL(response.url()).pathname === ROUTES.submit,
      );
      await page.getByTestId('finish').click();
      const request = await submitted;
      expect(request.method()).toBe('POST');
      expect(request.postDataJSON()).toEqual({ token });
      const response = await answered;
      expect(response.status(), await response.text()).toBe(200);
      await page.locator('body[data-page-status="submitted"]').waitFor();
      expect(await page.locator('#message').textContent()).toBe('We are checking your documents…');
      expect((await deployment.identity(identity.id)).state).toBe('submitted');

      // The provider's decision arrives; the page, polling, shows where the identity ends.
      expect(await deployment.releaseDeliveries()).toBeGreaterThan(0);
      await page.locator(`body[data-page-status="${state}"]`).waitFor({ timeout: 15_000 });
      expect(await page.locator('#message').textContent()).toBe(text);
      expect(await page.locator('#message').getAttribute('class')).toBe('status');
      await screenshot(page, `final-${state}`);

      const held = await deployment.identity(identity.id);
      expect(held.state).toBe(state);
      expect(held.reason).toBe(reason);
      expect(held.history.map((entry) => entry.what)).toContain('customer finished capture');
      expect(pageErrors).toEqual([]);
    },
  );

  // Jumio's callback follows its hosted capture, not the host's submit: the
  // result can be in before the customer comes back to say they have finished.
  it.runIf(provider === 'jumio')(
    'shows the final status when the result arrived before the customer finished',
    async () => {
      const { identity, link } = await newCustomer('CLEAR');
      const page = await newPage();
      await page.goto(link);
      await page.getByTestId('capture').click();
      await page.locator('#message', { hasText: 'Photos taken.' }).waitFor();
      expect((await deployment.finalIdentity(identity.id)).state).toBe('registered');

      await page.getByTestId('finish').click();
      // Either the final status, or the error the page shows instead of it.
      await page
        .locator('body[data-page-status="registered"], #message.error')
        .first()
        .waitFor({ timeout: 15_000 });
      await screenshot(page, 'final-before-finish');
      expect(await page.locator('#message').textContent()).toBe(OUTCOMES[0]!.text);
      expect(await page.locator('body').getAttribute('data-page-status')).toBe('registered');
      expect(pageErrors).toEqual([]);
    },
  );

  it('refuses a tampered link with the invalid-link message', async () => {
    const { link } = await newCustomer();
    const url = new URL(link);
    const token = url.searchParams.get('token') ?? '';
    // Another character inside the token's tag (its last 22 characters): it no longer verifies.
    const at = token.length - 11;
    const swapped = token[at] === 'A' ? 'B' : 'A';
    url.searchParams.set('token', `${token.slice(0, at)}${swapped}${token.slice(at + 1)}`);

    const page = await newPage();
    const response = await page.goto(url.toString());
    expect(response?.status()).toBe(400);
    expect(await page.getByTestId('refused').textContent()).toBe(INVALID_TEXT);
    expect(await page.locator('body').getAttribute('data-page-status')).toBe('refused_invalid');
    expect(await page.getByTestId('capture').count()).toBe(0);
    await screenshot(page, 'refused-invalid');
    expect(pageErrors).toEqual([]);
  });

  // Moves this deployment's clock forward, so it runs last.
  it('shows that a link has expired, with HTTP 410, once 90 minutes have passed', async () => {
    const { link } = await newCustomer();
    const page = await newPage();
    expect((await page.goto(link))?.status()).toBe(200);

    deployment.clock.advance(91 * 60 * 1000);
    const response = await page.reload();
    expect(response?.status()).toBe(410);
    expect(await page.title()).toBe('Verification link');
    expect(await page.getByTestId('refused').textContent()).toBe(EXPIRED_TEXT);
    expect(await page.locator('body').getAttribute('data-page-status')).toBe('refused_expired');
    expect(await page.getByTestId('finish').count()).toBe(0);
    await screenshot(page, 'refused-expired');
    expect(pageErrors).toEqual([]);
  });
});
