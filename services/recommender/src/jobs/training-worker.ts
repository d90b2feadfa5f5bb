import { parentPort } from 'node:worker_threads';
import { runToEnd } from '../app/cooperative.js';
import { snapshotParts } from '../app/snapshot-transfer.js';
import { trainSnapshotSteps, type TrainingConfig, type TrainingInput } from '../app/training.js';

/** The training thread: one request at a time, answered with the snapshot's parts (arrays moved). */
export interface TrainRequest {
  id: number;
  input: TrainingInput;
  config: TrainingConfig;
}

parentPort?.on('message', (request: TrainRequest) => {
  try {
    const snapshot = runToEnd(trainSnapshotSteps(request.input, request.config));
    const { parts, transfer } = snapshotParts(snapshot, request.input.titles);
    parentPort!.postMessage({ id: request.id, parts }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort?.postMessage({ ready: true });
