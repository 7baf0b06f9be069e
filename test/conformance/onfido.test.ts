import { createOnfidoEmulator, runConformanceSuite } from 'idv-providers/testing';

await runConformanceSuite({
  emulator: () => createOnfidoEmulator(),
  badCredentials: { apiToken: 'api_sandbox.wrong-token' },
});
