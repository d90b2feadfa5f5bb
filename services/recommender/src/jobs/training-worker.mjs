// Worker-thread entry: registers tsx's loader in this thread (as bin/marquee.mjs does for the main
// one), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./training-worker.ts');
