/**
 * `idv-providers/testing`: tools for testing a backend against the providers
 * without reaching them: the built-in emulators, the conformance suite, the
 * verification flow, the event store contract suite and an HTTP server for
 * emulators. The emulator contract and the test clock come from
 * `idv-providers/emulator-kit`, re-exported here.
 *
 * @packageDocumentation
 * @module idv-providers/testing
 */

export type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorVerdict,
  FaultScope,
  ProviderEmulator,
} from 'idv-providers/emulator-kit';
export { createTestClock, type TestClock } from 'idv-providers/emulator-kit';
export * from 'idv-providers/jumio/emulator';
export * from 'idv-providers/onfido/emulator';
export {
  type ConformanceScenario,
  type ConformanceSuiteOptions,
  conformanceScenarios,
  runConformanceSuite,
} from './conformance';
export { createMemoryLock } from './conformance-lifecycle';
export { type FlowRun, runVerificationFlow, SAMPLE_PERSON } from './flow';
export { type EmulatorServer, type ServeEmulatorsOptions, serveEmulators } from './serve';
export {
  type EventStoreFactory,
  type EventStoreUnderTest,
  runEventStoreSuite,
} from './store-suite';
