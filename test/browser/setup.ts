/**
 * What the browser tests run against: the example ATM server, configured from
 * environment variables as a deployment would be, talking over real HTTP to a
 * provider emulator that sends its webhooks and callbacks back over HTTP; and
 * Debian's Chromium, driven by playwright-core.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestClock,
  type EmulatorDelivery,
  serveEmulators,
  type TestClock,
} from 'idv-providers/testing';
import { type BrowserContext, chromium } from 'playwright-core';
import {
  type EmulatedDeployment,
  startEmulatedDeployment,
} from '../../examples/cas-backend/emulated';
import type { LoggingSmsSender } from '../../examples/cas-backend/sms';

/** Where Debian's chromium package puts the browser (see scripts/install-chromium.sh). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Switches that keep Chromium off the network it cannot reach here, and off its first-run work. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** A running headless Chromium with a fresh, empty profile of its own. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts Chromium with a new empty user-data directory. Playwright takes the
 * directory as `launchPersistentContext`'s argument and passes it on as
 * `--user-data-dir`; it refuses that switch in `args`.
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'idv-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
    viewport: { width: 800, height: 900 },
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** One provider's deployment of the example server, and the emulator it talks to. */
export interface Deployment extends EmulatedDeployment {
  readonly clock: TestClock;
  /** Log lines of the server, for a failing test's message. */
  readonly log: string[];
  /** Keeps the emulator's webhooks and callbacks back until {@link releaseDeliveries}. */
  holdDeliveries(): void;
  /** Sends the webhooks and callbacks held back, in order, and stops holding them. */
  releaseDeliveries(): Promise<number>;
}

/**
 * Starts the emulator of `provider` on its own port and the example server
 * (auto-registration on) in front of it, sharing one test clock, so that a
 * test can move the links' time forward.
 */
export async function startDeployment(provider: 'onfido' | 'jumio'): Promise<Deployment> {
  const clock = createTestClock({ start: Date.UTC(2026, 10, 22, 9, 0, 0) });
  const workDir = mkdtempSync(join(tmpdir(), `idv-browser-${provider}-`));
  const log: string[] = [];
  // While held, deliveries wait here, as the provider's decision would while it checks the photos.
  let held: EmulatorDelivery[] | undefined;

  let deployment: EmulatedDeployment | undefined;
  const emulatorServer = await serveEmulators({
    handlers: () => deployment?.emulator.handlers ?? [],
  });
  deployment = await startEmulatedDeployment({
    provider,
    autoRegistration: true,
    clock,
    emulatorBaseUrl: `${emulatorServer.url}/${provider}`,
    storePath: join(workDir, 'intake.sqlite'),
    linkKey: randomBytes(48).toString('base64url'),
    operatorKey: randomBytes(24).toString('base64url'),
    log: (line) => log.push(line),
    deliver: async (delivery, forward) => {
      if (held === undefined) return forward(delivery);
      held.push(delivery);
      return undefined;
    },
  });
  const started = deployment;

  return Object.assign(started, {
    clock,
    log,
    holdDeliveries() {
      held ??= [];
    },
    async releaseDeliveries() {
      const queue = held ?? [];
      held = undefined;
      for (const delivery of queue) await started.forward(delivery);
      return queue.length;
    },
    async close() {
      held = undefined;
      await started.backend.close();
      await started.store.close();
      await emulatorServer.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  });
}

/** The verification link in the last text message to a phone number. */
export function linkInSms(sms: LoggingSmsSender, phoneNumber: string): string {
  const text = sms.lastTo(phoneNumber);
  const link = text?.match(/https?:\/\/\S+?(?=\s|$)/)?.[0];
  if (link === undefined) throw new Error(`no link in the message to ${phoneNumber}: ${text}`);
  return link;
}
