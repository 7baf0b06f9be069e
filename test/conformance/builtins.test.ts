/**
 * The conformance suite for every built-in provider, each against its own
 * emulator, found through its definition: a new built-in provider is run
 * here without a line of its own.
 */
import { createRegistry } from 'idv-providers';
import { runConformanceSuite } from 'idv-providers/testing';

const registry = createRegistry();
for (const name of registry.names()) {
  const load = registry.get(name).emulator;
  if (load === undefined) throw new Error(`the built-in provider ${name} names no emulator`);
  const entry = await load();
  await runConformanceSuite({ emulator: () => entry.createEmulator() });
}
