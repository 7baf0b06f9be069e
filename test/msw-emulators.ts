/**
 * Serves emulators over MSW for one test file: listening before the first
 * test, forgetting every emulator's state and any handler a test added after
 * each test, and closing after the last.
 */
import type { RequestHandler } from 'msw';
import { type SetupServerApi, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** What an emulator brings: its MSW handlers and a reset of its state. */
export interface ServedEmulator {
  readonly handlers: readonly RequestHandler[];
  reset(): void;
}

/** Options of {@link useMswEmulators}. */
export interface MswEmulatorsOptions {
  /** Requests let through to the network (a server on 127.0.0.1); any other unhandled request fails the test. */
  bypass?: ((url: URL) => boolean) | undefined;
}

/** Serves `emulators` for the test file; returns the server, for tests that add handlers with `use`. */
export function useMswEmulators(
  emulators: readonly ServedEmulator[],
  options: MswEmulatorsOptions = {},
): SetupServerApi {
  const server = setupServer(...emulators.flatMap((emulator) => emulator.handlers));
  beforeAll(() =>
    server.listen({
      onUnhandledRequest(request, print) {
        if (options.bypass?.(new URL(request.url))) return;
        print.error();
      },
    }),
  );
  afterEach(() => {
    server.resetHandlers();
    for (const emulator of emulators) emulator.reset();
  });
  afterAll(() => server.close());
  return server;
}
