/**
 * The Acme ID provider passes the same conformance suite as the built-in
 * providers, registered through the public API only.
 */
import { registerProvider } from 'idv-providers';
import { runConformanceSuite } from 'idv-providers/testing';
import { createAcmeEmulator } from './acme-emulator';
import { acmeIdDefinition } from './acme-provider';

registerProvider(acmeIdDefinition);

await runConformanceSuite({ emulator: () => createAcmeEmulator() });
