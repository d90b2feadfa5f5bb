import { parentPort } from 'node:worker_threads';
import { runToEnd } from '../app/cooperative.js';
import { snapshotParts } from '../app/snapshot-transfer.js';
import { trainSnapshotSteps, type TrainingConfig, type TrainingInput } from '../app/training.js';

/**
 * The training thread. A request arrives in chunks (so that no single structured clone holds the
 * serving thread for long): the titles and configuration first, then interactions, then `train`.
 * It is answered with the snapshot's parts, their arrays moved rather than copied.
 */
export type TrainMessage =
  | { id: number; kind: 'begin'; titles: TrainingInput['titles']; config: TrainingConfig }
  | { id: number; kind: 'interactions'; rows: TrainingInput['interactions'] }
  | { id: number; kind: 'train' };

const requests = new Map<
  number,
  {
    input: { titles: TrainingInput['titles']; interactions: TrainingInput['interactions'][number][] };
    config: TrainingConfig;
  }
>();

parentPort?.on('message', (message: TrainMessage) => {
  if (message.kind === 'begin') {
    requests.set(message.id, { input: { titles: message.titles, interactions: [] }, config: message.config });
    return;
  }
  const request = requests.get(message.id);
  if (!request) return;
  if (message.kind === 'interactions') {
    for (const row of message.rows) request.input.interactions.push(row);
    return;
  }
  requests.delete(message.id);
  try {
    const snapshot = runToEnd(trainSnapshotSteps(request.input, request.config));
    const { parts, transfer } = snapshotParts(snapshot, request.input.titles);
    parentPort!.postMessage({ id: message.id, parts }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort?.postMessage({ ready: true });
