import { createLogger } from '@marquee/core';
import { describe, expect, it, vi } from 'vitest';
import { fixtureInput } from '../../test/fixtures.js';
import { DEFAULT_TRAINING_CONFIG, type TrainingInput } from '../app/training.js';
import { ModelTrainer } from './model-trainer.js';

const logger = createLogger({ level: 'silent' });

function trainer(load: () => Promise<TrainingInput>, afterEvents = 3, now = () => 1_000_000) {
  return new ModelTrainer({
    load,
    config: DEFAULT_TRAINING_CONFIG,
    policy: { intervalMs: 3_600_000, afterEvents, minGapMs: 0, busyFactor: 0 },
    logger,
    now,
  });
}

describe('ModelTrainer', () => {
  it('is not ready, and serves an empty model, until the first training from the store', async () => {
    const t = trainer(async () => fixtureInput());
    expect(t.isReady()).toBe(false);
    expect(t.current().catalog.titles).toHaveLength(0);
    t.start();
    await vi.waitFor(() => expect(t.isReady()).toBe(true), { timeout: 10_000 });
    expect(t.current().personalModel).toBe('ease');
    await t.stop();
  });

  it('retrains after the configured number of events, not before', async () => {
    const load = vi.fn(async () => fixtureInput());
    const t = trainer(load, 3);
    await t.retrainNow();
    expect(load).toHaveBeenCalledTimes(1);
    t.noteEvent('interaction');
    t.noteEvent('interaction');
    await new Promise((r) => setTimeout(r, 20));
    expect(load).toHaveBeenCalledTimes(1);
    t.noteEvent('interaction');
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(2));
    await t.stop();
  });

  it('retrains promptly for a new title', async () => {
    const load = vi.fn(async () => fixtureInput());
    const t = trainer(load, 1_000);
    await t.retrainNow();
    t.noteEvent('title');
    await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(2));
    await t.stop();
  });

  it('keeps the previous models when a training fails', async () => {
    let fail = false;
    const t = trainer(async () => {
      if (fail) throw new Error('database gone');
      return fixtureInput();
    });
    const first = await t.retrainNow();
    fail = true;
    await t.retrainNow();
    expect(t.current()).toBe(first);
    expect(t.isReady()).toBe(true);
    await t.stop();
  });
});
