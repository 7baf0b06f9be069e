import { createOnfidoEmulator, runConformanceSuite } from 'idv-providers/testing';

await runConformanceSuite({ emulator: () => createOnfidoEmulator() });
