import { describe, expect, it } from 'vitest';
import { progressReporter, type EncodeProgress } from './progress.js';

describe('progressReporter', () => {
  it('reports at most once per interval, across stages, never backwards', () => {
    let clock = 0;
    const seen: EncodeProgress[] = [];
    const report = progressReporter(
      (p) => seen.push(p),
      1000,
      () => clock,
    );
    report('probing', 0);
    clock = 500;
    report('analysing', 1); // throttled
    clock = 1000;
    report('encoding', 0.5);
    clock = 2500;
    report('encoding', 0.4); // backwards
    clock = 3600;
    report('finishing', 1);
    expect(seen).toEqual([
      { fraction: 0, stage: 'probing' },
      { fraction: 0.515, stage: 'encoding' },
      { fraction: 1, stage: 'finishing' },
    ]);
  });
});
