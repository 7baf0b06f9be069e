/**
 * Loading modules on first use: a built-in adapter's entry (so that importing
 * the core loads no provider code), an optional peer (a database driver,
 * `@opentelemetry/api`), and axios (on the first HTTP request). This is the one
 * place that knows how each build loads modules.
 *
 * @module
 */
import { createRequire } from 'node:module';

/**
 * Set to `true` by the CommonJS build, so that modules load through `require`
 * there and through `import()` in the ESM build: each build then shares one
 * copy of the core with its adapters (one `IdvError` class), and a test runner
 * that cannot run `import()` in CommonJS is never asked to.
 */
declare const __IDV_CJS__: boolean | undefined;
const isCommonJsBuild = typeof __IDV_CJS__ !== 'undefined' && __IDV_CJS__;

/**
 * Loads a module: `esm` (an `import()`) in the ESM build and in tests, `cjs`
 * (a `require`) in the CommonJS build. Pass both with the same literal
 * specifier, so bundlers and test runners (module mocks) can see it.
 */
export function loadModule<M>(esm: () => Promise<M>, cjs: () => M): Promise<M> {
  return isCommonJsBuild ? Promise.resolve().then(cjs) : esm();
}

/**
 * Loads a CommonJS dependency on first use, synchronously: `load` is given the
 * CommonJS build's own `require` there, and in the ESM build and in tests a
 * `require` made for this module. Both builds thus load the dependency's one
 * CommonJS file (one copy per process, and quicker to load than an ESM tree of
 * modules). Pass a function that requires a literal specifier.
 */
export function requireDependency<M>(load: (require: NodeJS.Require) => M): M {
  return load(isCommonJsBuild ? require : createRequire(import.meta.url));
}
