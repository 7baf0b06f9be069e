/**
 * `POST /webhooks/idv`: the provider's webhook (Onfido) or callback (Jumio),
 * as a Next.js App Router route handler. Register
 * `https://<your host>/webhooks/idv` with Onfido, or set it as Jumio's
 * callback URL.
 *
 * The intake's handler is a Web handler (`(request, context?) =>
 * Promise<Response>`), as a route handler is, and Next.js reads nothing of a
 * route handler's body, so the handler gets the bytes as sent. It is called
 * from a function of one argument rather than exported as `POST` itself:
 * Next.js checks that a route's second parameter is its `{ params }`
 * context, which the handler's `context` (the sender's address) is not.
 */
import { intake, senderOf } from '../../../lib/idv';

// The intake uses node:crypto and better-sqlite3: the Node.js runtime, never cached.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  const { webhook } = await intake();
  return webhook(request, { remoteAddress: senderOf(request) });
}
