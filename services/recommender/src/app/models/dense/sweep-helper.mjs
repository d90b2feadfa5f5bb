// Helper-thread entry: registers tsx's loader in this thread (as training-worker.mjs does), then runs
// the TypeScript helper.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-helper.ts');
