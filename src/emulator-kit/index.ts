/**
 * `idv-providers/emulator-kit`: the building blocks of a provider emulator
 * (the built-in Onfido and Jumio emulators and a host's own, such as the
 * custom-provider example's): the emulator contract, the test clock every
 * emulator defaults to, the fault queue, a small router with a "find or 404"
 * answer, and generated document images.
 *
 * An emulator imports this entry, `idv-providers` (or `idv-providers/kit`)
 * and msw, never `idv-providers/testing`, which re-exports the built-in
 * emulators.
 *
 * @packageDocumentation
 * @module idv-providers/emulator-kit
 */

export { type AdvanceableClock, createTestClock, type TestClock } from './clock';
export type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorFlag,
  EmulatorModule,
  EmulatorMount,
  EmulatorServeOptions,
  EmulatorServing,
  EmulatorVerdict,
  FaultScope,
  ProviderEmulator,
  ServedEmulator,
} from './contract';
export { type FaultAnswers, FaultQueue } from './faults';
export { generatePng, seedOf } from './png';
export {
  createFindOr404,
  type FindOr404,
  matchRoute,
  type Route,
  type RouteMatch,
  route,
} from './router';
