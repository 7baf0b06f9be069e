/**
 * `idv-providers/emulator-kit`: the building blocks of a provider emulator
 * (the built-in Onfido and Jumio emulators and a host's own, such as the
 * custom-provider example's): the emulator contract, a test clock and
 * generated document images.
 *
 * @packageDocumentation
 * @module idv-providers/emulator-kit
 */

export { createTestClock, type TestClock } from '../testing/clock';
export type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorVerdict,
  FaultScope,
  ProviderEmulator,
} from '../testing/emulator';
export { generatePng, seedOf } from '../testing/png';
