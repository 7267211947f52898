import { openStore } from '../index.js';
import { runStoreContract } from '../store.contract.js';

runStoreContract('memory', async () => {
  const store = await openStore({ driver: 'memory', progressIntervalMs: 20 });
  return { store, cleanup: () => store.close() };
});
