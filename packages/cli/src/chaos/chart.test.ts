import { describe, expect, it } from 'vitest';
import { groupMarks, renderChart } from './chart.js';

describe('the chaos chart', () => {
  it('draws the faults of one second as one mark', () => {
    expect(
      groupMarks([
        { t: 41, label: 'kill -9 gateway-2' },
        { t: 41, label: 'kill -9 users-1' },
        { t: 49, label: 'ABORT' },
        { t: 49, label: 'injection into streaming-1 ended' },
      ]),
    ).toEqual([
      { t: 41, label: 'kill -9 gateway-2, users-1' },
      { t: 49, label: 'ABORT; injection into streaming-1 ended' },
    ]);
    const svg = renderChart({
      title: 't',
      timeline: [0, 1, 2].map((t) => ({ t, starts: 1, failedStarts: 0, errors: 0 })),
      controlEndS: 1,
      marks: [
        { t: 2, label: 'kill -9 a' },
        { t: 2, label: 'kill -9 b' },
      ],
    });
    expect(svg).toContain('kill -9 a, b');
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(1);
  });
});
