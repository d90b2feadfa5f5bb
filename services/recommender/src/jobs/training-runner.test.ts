import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { fixtureInput, fixtureInteractions, fixtureTitles } from '../../test/fixtures.js';
import { runToEnd } from '../app/cooperative.js';
import { rowFromHistory } from '../app/models/interaction-matrix.js';
import { DEFAULT_TRAINING_CONFIG, trainSnapshotSteps } from '../app/training.js';
import { workerTraining } from './training-runner.js';

describe('training on a worker thread', () => {
  it('gives the same snapshot as training in place, without falling back', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const runner = workerTraining(logger);
    try {
      const input = fixtureInput();
      const expected = runToEnd(trainSnapshotSteps(input, DEFAULT_TRAINING_CONFIG));
      const received = await runner.train(input, DEFAULT_TRAINING_CONFIG, new AbortController().signal);
      expect(warnings).toEqual([]);
      expect(received.version).toBe(expected.version);
      expect(received.personalModel).toBe('ease');
      const history = rowFromHistory(expected.catalog.index, [{ item: 'horror-02', weight: 1 }]);
      expect(received.personal!.score(history)).toEqual(expected.personal!.score(history));
      expect(received.itemKnn.neighboursOf(3)).toEqual(expected.itemKnn.neighboursOf(3));
      expect(received.trending).toEqual(expected.trending);
      expect(received.catalog.itemOf('drama-01')).toBe(expected.catalog.itemOf('drama-01'));
      expect(received.content.similarity(1, 2)).toBe(expected.content.similarity(1, 2));

      // A second training reuses the worker; after close() a new one starts.
      await runner.train(input, DEFAULT_TRAINING_CONFIG, new AbortController().signal);
      await runner.close();
      const again = await runner.train(input, DEFAULT_TRAINING_CONFIG, new AbortController().signal);
      expect(again.version).toBe(expected.version);
      expect(warnings).toEqual([]);
    } finally {
      await runner.close();
    }
  });

  it('sends a large input in several chunks and trains on all of it', async () => {
    const runner = workerTraining(pino({ level: 'silent' }));
    try {
      const input = { titles: fixtureTitles(), interactions: fixtureInteractions(600) };
      expect(input.interactions.length).toBeGreaterThan(3 * 5_000);
      const expected = runToEnd(trainSnapshotSteps(input, DEFAULT_TRAINING_CONFIG));
      const received = await runner.train(input, DEFAULT_TRAINING_CONFIG, new AbortController().signal);
      expect(received.interactions).toBe(expected.interactions);
      expect(received.version).toBe(expected.version);
    } finally {
      await runner.close();
    }
  });

  it('reports a training error from the worker', async () => {
    const runner = workerTraining(pino({ level: 'silent' }));
    try {
      const config = { ...DEFAULT_TRAINING_CONFIG, easeLambda: -1 };
      await expect(runner.train(fixtureInput(), config, new AbortController().signal)).rejects.toThrow(
        /λ > 0/,
      );
    } finally {
      await runner.close();
    }
  });
});
