/**
 * The built-in providers: the one list of them in the core. Each is a
 * definition from its own folder (`providers/<name>/definition.ts`: option
 * schema, regions, lazy factory); the adapter's code loads only when a config
 * names it. Adding a built-in provider is a folder, a line here and its entry
 * in package.json.
 *
 * @module
 */
import { jumioDefinition } from '../providers/jumio/definition';
import { onfidoDefinition } from '../providers/onfido/definition';

/** The definitions of the built-in providers, in the order the registry lists them. */
export const BUILTIN_PROVIDERS = [onfidoDefinition, jumioDefinition] as const;
