import { describe, expect, it } from 'vitest';
import { BackgroundWork } from './background-work.js';

const silent = { error: () => undefined };

describe('BackgroundWork', () => {
  it('stop() resolves only once the task running has finished, and starts nothing after', async () => {
    const background = new BackgroundWork(silent);
    let release!: () => void;
    let sawAbort = false;
    void background.run('held', async (signal) => {
      await new Promise<void>((resolve) => (release = resolve));
      sawAbort = signal.aborted;
    });
    let stopped = false;
    const stopping = background.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(sawAbort).toBe(true);
    let ran = false;
    await background.run('late', async () => void (ran = true));
    expect(ran).toBe(false);
  });

  it('runs a chore every interval, one at a time, and logs a failure instead of throwing', async () => {
    const logged: string[] = [];
    const background = new BackgroundWork({ error: (_o: unknown, msg?: string) => void logged.push(msg!) });
    let runs = 0;
    let overlapping = 0;
    let active = 0;
    background.every(5, 'chore', async () => {
      runs++;
      active++;
      overlapping = Math.max(overlapping, active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
      if (runs === 1) throw new Error('boom');
    });
    await new Promise((r) => setTimeout(r, 120));
    await background.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(overlapping).toBe(1);
    expect(active).toBe(0);
    expect(logged).toEqual(['chore failed']);
  });
});
