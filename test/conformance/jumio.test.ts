import { createJumioEmulator, runConformanceSuite } from 'idv-providers/testing';

await runConformanceSuite({ emulator: () => createJumioEmulator() });
