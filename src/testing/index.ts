/**
 * `idv-providers/testing`: tools for testing a backend against the providers
 * without reaching them.
 *
 * @packageDocumentation
 * @module idv-providers/testing
 */

export * from '../../providers/jumio/emulator';
export * from '../../providers/onfido/emulator';
export { createTestClock, type TestClock } from './clock';
export {
  type ConformanceScenario,
  type ConformanceSuiteOptions,
  conformanceScenarios,
  runConformanceSuite,
} from './conformance';
export type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorVerdict,
  FaultScope,
  ProviderEmulator,
} from './emulator';
export { type FlowRun, runVerificationFlow, SAMPLE_PERSON } from './flow';
export { type EmulatorServer, type ServeEmulatorsOptions, serveEmulators } from './serve';
