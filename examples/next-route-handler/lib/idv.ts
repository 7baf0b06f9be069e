/**
 * The intake behind the Next.js route: the provider the environment names
 * (`IDV_PROVIDER` and its settings, README "Configuration"), the SQLite event
 * store, and the intake's handler. Created once per server process, on first
 * use, and kept on `globalThis`, since Next.js may evaluate a module more
 * than once (hot reloading in development).
 *
 * The processor runs beside the server, in worker.ts: a route handler answers
 * and returns, so nothing long-running belongs in it.
 */
import {
  configFromEnv,
  createProvider,
  createSqliteStore,
  createWebhookHandler,
  type IdentityVerificationProvider,
  type SqliteEventStore,
  type WebhookHandler,
} from 'idv-providers';

/** The provider, the store and the intake's handler for it. */
export interface Intake {
  provider: IdentityVerificationProvider;
  store: SqliteEventStore;
  webhook: WebhookHandler;
}

const KEY = Symbol.for('idv-providers.example.next-intake');
const holder = globalThis as unknown as Record<symbol, Promise<Intake> | undefined>;

async function open(): Promise<Intake> {
  const provider = await createProvider(configFromEnv());
  const store = await createSqliteStore({
    path: process.env['IDV_EVENTS_DB'] ?? './idv-events.sqlite',
  });
  // No processor here: worker.ts polls the same store.
  return { provider, store, webhook: createWebhookHandler({ provider, store }) };
}

/** The intake of this process, created on first use. */
export function intake(): Promise<Intake> {
  let current = holder[KEY];
  if (current === undefined) {
    current = open();
    holder[KEY] = current;
    // A failed start (a missing setting) is tried again by the next request.
    current.catch(() => {
      if (holder[KEY] === current) holder[KEY] = undefined;
    });
  }
  return current;
}

/** Closes the store and forgets the intake (tests, and a graceful shutdown). */
export async function closeIntake(): Promise<void> {
  const current = holder[KEY];
  holder[KEY] = undefined;
  await (await current?.catch(() => undefined))?.store.close();
}

/**
 * The sender's address, for Jumio's source check (Onfido signs its webhooks
 * and needs none). Next.js gives a route handler no socket address, so it is
 * read from the header named by `IDV_SENDER_HEADER`, which must be one the
 * proxy in front **sets**, replacing what a client sent: `x-real-ip` on
 * Vercel, or behind NGINX `proxy_set_header X-Real-IP $remote_addr;` when
 * the app's port is reachable only through NGINX. Unset, there is no address
 * and Jumio's callbacks are refused 403.
 */
export function senderOf(request: Request): string | undefined {
  const header = process.env['IDV_SENDER_HEADER'];
  if (header === undefined || header === '') return undefined;
  return request.headers.get(header)?.trim() || undefined;
}
