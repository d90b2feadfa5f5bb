import { workerData } from 'node:worker_threads';
import { helpSweeps, sweepThread, type SweepLayout } from './sweep-inverse.js';

/** A thread that takes tasks of the coordinator's sweep until it is told to exit (sweep-threads.ts). */
export interface SweepHelperData {
  memory: WebAssembly.Memory;
  layout: SweepLayout;
  control: Int32Array;
}

const { memory, layout, control } = workerData as SweepHelperData;
helpSweeps(sweepThread(memory, layout, control));
