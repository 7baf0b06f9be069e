/**
 * axios, loaded on the first HTTP request rather than when the kit is
 * imported: a process that only verifies webhooks (a serverless receiver)
 * never loads it. This is the one place that loads it.
 *
 * It is loaded with `require` in both builds (see `requireDependency` in
 * `config/lazy.ts`), so every build and every test loads axios's one CommonJS
 * bundle: a single file, much quicker to load than its ESM tree of modules,
 * and one copy per process however the package was imported.
 *
 * @module
 */
import type { AxiosError, AxiosStatic } from 'axios';
import { requireDependency } from '../../config/lazy';

let loaded: AxiosStatic | undefined;

/** axios, loaded on the first call. */
export function loadAxios(): AxiosStatic {
  loaded ??= requireDependency((load) => load('axios') as AxiosStatic);
  return loaded;
}

/**
 * Whether `error` is one axios threw, without loading axios: the same test as
 * axios's own `isAxiosError` (an object whose `isAxiosError` is `true`).
 */
export function isAxiosError(error: unknown): error is AxiosError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { isAxiosError?: unknown }).isAxiosError === true
  );
}
