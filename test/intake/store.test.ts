import { join } from 'node:path';
import { createMemoryStore, createSqliteStore } from '../../src/intake/index';
import { tempDir } from './helpers';
import { describeEventStore } from './store-suite';

describeEventStore('memory', async () => ({
  store: createMemoryStore(),
  cleanup: async () => {},
}));

describeEventStore('sqlite', async () => {
  const { dir, remove } = await tempDir();
  const store = await createSqliteStore({
    path: join(dir, 'events.sqlite'),
    synchronous: 'normal',
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await remove();
    },
  };
});
