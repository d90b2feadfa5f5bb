import { SERVICE_NAMES } from '@marquee/core';
import { describe, expect, it } from 'vitest';
import { chooseVictim, scheduleFaults, seededRandom } from './experiments.js';
import { formatTable, judge, shouldAbort, windowStats } from './verdict.js';
import { renderChart } from './chart.js';
import type { Second } from './viewers.js';

const steady = (seconds: number, starts: number, from = 0): Second[] =>
  Array.from({ length: seconds }, (_, i) => ({ t: from + i, starts, failedStarts: 0, errors: 0 }));

describe('ChAP verdict', () => {
  it('compares SPS and failed starts of the experiment with the control window', () => {
    const timeline = [...steady(30, 4), ...steady(30, 4, 30)];
    timeline[40] = { t: 40, starts: 3, failedStarts: 1, errors: 2 };
    const control = windowStats(timeline, 0, 30);
    const experiment = windowStats(timeline, 30, 60);
    expect(control.sps).toBe(4);
    expect(experiment.failedStartRatio).toBeCloseTo(1 / 120, 6);
    const strict = judge(control, experiment, 0, {
      maxFailedStartRatio: 0.005,
      minSpsRatio: 0.95,
      lostWrites: 0,
    });
    expect(strict.passed).toBe(false);
    expect(strict.rows.find((r) => r.measure === 'failed starts')!.met).toBe(false);
    const lenient = judge(control, experiment, 0, {
      maxFailedStartRatio: 0.01,
      minSpsRatio: 0.95,
      lostWrites: 0,
    });
    expect(lenient.passed).toBe(true);
    expect(
      judge(control, experiment, 1, { maxFailedStartRatio: 0.01, minSpsRatio: 0.95, lostWrites: 0 }).passed,
    ).toBe(false);
    expect(formatTable(lenient)).toMatch(/stream starts per second\s+4\.00\s+3\.97/);
  });

  it('tells first-attempt errors (reported) from failed requests (a goal for rolling restarts)', () => {
    const timeline = [...steady(30, 4), ...steady(30, 4, 30)];
    // Second 35: two first attempts failed, both retried on the other edge; second 45: one still failed.
    timeline[35] = { t: 35, starts: 4, failedStarts: 0, errors: 2, failedRequests: 0 };
    const retriedOnly = windowStats(timeline, 30, 60);
    expect([retriedOnly.errors, retriedOnly.failedRequests]).toEqual([2, 0]);
    const goals = { maxFailedStartRatio: 0, minSpsRatio: 0.9, lostWrites: 0 as const, maxFailedRequests: 0 };
    const control = windowStats(timeline, 0, 30);
    expect(judge(control, retriedOnly, 0, goals).passed).toBe(true);
    timeline[45] = { t: 45, starts: 4, failedStarts: 0, errors: 2, failedRequests: 1 };
    const oneFailed = judge(control, windowStats(timeline, 30, 60), 0, goals);
    expect(oneFailed.passed).toBe(false);
    expect(oneFailed.rows.find((r) => r.measure.startsWith('failed requests'))).toMatchObject({
      experiment: '1',
      goal: '≤ 0',
      met: false,
    });
    // Without the goal the count is only reported.
    const { maxFailedRequests: _, ...reported } = goals;
    expect(judge(control, windowStats(timeline, 30, 60), 0, reported).passed).toBe(true);
  });

  it('aborts when SPS diverges from control, or starts fail, over the recent window', () => {
    const control = windowStats(steady(30, 4), 0, 30);
    const options = { threshold: 0.5, windowS: 10, maxFailed: 0.25 };
    const healthy = [...steady(30, 4), ...steady(20, 3, 30)];
    expect(shouldAbort(healthy, 50, control, options)).toBeUndefined();
    const collapsed = [...steady(30, 4), ...steady(10, 4, 30), ...steady(10, 1, 40)];
    expect(shouldAbort(collapsed, 50, control, options)).toMatch(/below 50 % of control/);
    const failing = [...steady(30, 4), ...steady(20, 4, 30).map((s) => ({ ...s, failedStarts: 2 }))];
    expect(shouldAbort(failing, 50, control, options)).toMatch(/% of starts failed/);
  });
});

describe('experiments', () => {
  it('kills one replica of every service per period, spread over it, and never the last ready replica of one', () => {
    const services = SERVICE_NAMES.length;
    const together = scheduleFaults({
      name: 'kill-random',
      durationS: 60,
      everyS: 20,
      faultS: 10,
      together: true,
    });
    expect(together.map((f) => f.at)).toEqual([
      ...Array(services).fill(10),
      ...Array(services).fill(30),
      ...Array(services).fill(50),
    ]);
    const spread = scheduleFaults({ name: 'kill-random', durationS: 60, everyS: 20, faultS: 10 });
    expect(spread).toHaveLength(3 * services);
    const step = 20 / services;
    expect(spread.slice(0, services).map((f) => f.at)).toEqual(
      SERVICE_NAMES.map((_, i) => step / 2 + i * step),
    );
    for (let period = 0; period < 3; period++) {
      const inPeriod = spread.filter((f) => f.at >= period * 20 && f.at < (period + 1) * 20);
      expect(new Set(inPeriod.map((f) => (f.kind === 'kill' ? f.service : '')))).toHaveProperty(
        'size',
        services,
      );
    }
    const random = seededRandom(7);
    const replicas = [
      { id: 'streaming-1', service: 'streaming' as const, ready: true },
      { id: 'streaming-2', service: 'streaming' as const, ready: false },
      { id: 'users-1', service: 'users' as const, ready: true },
      { id: 'users-2', service: 'users' as const, ready: true },
    ];
    expect(chooseVictim(replicas, 'streaming', random)).toBeUndefined();
    const victims = new Set(Array.from({ length: 20 }, () => chooseVictim(replicas, 'users', random)));
    expect([...victims].sort()).toEqual(['users-1', 'users-2']);
    // The same seed picks the same victims.
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, () => a())).toEqual(Array.from({ length: 5 }, () => b()));
  });

  it('charts SPS with the control window and the fault marks as SVG', () => {
    const svg = renderChart({
      title: 'kill-random <test>',
      timeline: [...steady(30, 4), { t: 30, starts: 2, failedStarts: 1, errors: 3 }],
      controlEndS: 20,
      marks: [{ t: 25, label: 'kill -9 streaming-1' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('kill -9 streaming-1');
    expect(svg).toContain('kill-random &lt;test&gt;');
    expect(svg).toContain('fill="#d62728"');
  });
});
