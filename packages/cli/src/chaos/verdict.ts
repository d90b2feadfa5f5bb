import type { Second } from './viewers.js';

/**
 * ChAP-style judgement (Netflix's Chaos Automation Platform): stream starts per second (SPS) and failed
 * starts in a control window against the experiment window, an automatic abort when SPS diverges, and
 * a verdict against declared goals. Pure, so it is tested on made-up timelines.
 */

export interface Goals {
  /** Failed starts at most this share of attempted starts in the experiment window. */
  maxFailedStartRatio: number;
  /** Experiment SPS at least this share of control SPS. */
  minSpsRatio: number;
  lostWrites: 0;
  /** Failed requests (after the client's own retry or failover) at most this many; unset: reported. */
  maxFailedRequests?: number;
}

export interface WindowStats {
  seconds: number;
  starts: number;
  failedStarts: number;
  errors: number;
  failedRequests: number;
  sps: number;
  failedStartRatio: number;
}

export function windowStats(timeline: readonly Second[], from: number, to: number): WindowStats {
  const inWindow = timeline.filter((s) => s.t >= from && s.t < to);
  const sum = (k: Exclude<keyof Second, 't'>) => inWindow.reduce((a, s) => a + (s[k] ?? 0), 0);
  const seconds = Math.max(1, to - from);
  const starts = sum('starts');
  const failedStarts = sum('failedStarts');
  return {
    seconds,
    starts,
    failedStarts,
    errors: sum('errors'),
    failedRequests: sum('failedRequests'),
    sps: starts / seconds,
    failedStartRatio: starts + failedStarts === 0 ? 0 : failedStarts / (starts + failedStarts),
  };
}

/**
 * Abort rule: the SPS of the last `windowS` seconds below `(1 - threshold)` of control SPS, or failed
 * starts above `maxFailed` of attempts in that window. Returns why, or undefined to go on.
 */
export function shouldAbort(
  timeline: readonly Second[],
  now: number,
  control: WindowStats,
  options: { threshold: number; windowS: number; maxFailed: number },
): string | undefined {
  if (now < options.windowS) return undefined;
  const recent = windowStats(timeline, now - options.windowS, now);
  if (control.sps > 0 && recent.sps < (1 - options.threshold) * control.sps) {
    return `SPS ${recent.sps.toFixed(2)}/s over the last ${options.windowS} s is below ${((1 - options.threshold) * 100).toFixed(0)} % of control (${control.sps.toFixed(2)}/s)`;
  }
  if (recent.failedStartRatio > options.maxFailed) {
    return `${(recent.failedStartRatio * 100).toFixed(1)} % of starts failed over the last ${options.windowS} s`;
  }
  return undefined;
}

export interface Verdict {
  passed: boolean;
  rows: { measure: string; control: string; experiment: string; goal: string; met: boolean }[];
}

export function judge(
  control: WindowStats,
  experiment: WindowStats,
  lostWrites: number,
  goals: Goals,
): Verdict {
  const spsRatio = control.sps === 0 ? 0 : experiment.sps / control.sps;
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const rows = [
    {
      measure: 'stream starts per second',
      control: control.sps.toFixed(2),
      experiment: `${experiment.sps.toFixed(2)} (${pct(spsRatio)})`,
      goal: `≥ ${pct(goals.minSpsRatio)} of control`,
      met: spsRatio >= goals.minSpsRatio,
    },
    {
      measure: 'failed starts',
      control: `${control.failedStarts} (${pct(control.failedStartRatio)})`,
      experiment: `${experiment.failedStarts} (${pct(experiment.failedStartRatio)})`,
      goal: `≤ ${pct(goals.maxFailedStartRatio)}`,
      met: experiment.failedStartRatio <= goals.maxFailedStartRatio,
    },
    {
      measure: 'request errors (first attempts)',
      control: String(control.errors),
      experiment: String(experiment.errors),
      goal: '(reported)',
      met: true,
    },
    {
      measure: 'failed requests (after retry/failover)',
      control: String(control.failedRequests),
      experiment: String(experiment.failedRequests),
      goal: goals.maxFailedRequests === undefined ? '(reported)' : `≤ ${goals.maxFailedRequests}`,
      met: goals.maxFailedRequests === undefined || experiment.failedRequests <= goals.maxFailedRequests,
    },
    {
      measure: 'lost writes',
      control: '-',
      experiment: String(lostWrites),
      goal: '0',
      met: lostWrites === 0,
    },
  ];
  return { passed: rows.every((r) => r.met), rows };
}

/** The verdict as a fixed-width table for the terminal. */
export function formatTable(verdict: Verdict): string {
  const header = ['measure', 'control', 'experiment', 'goal', 'met'];
  const lines = verdict.rows.map((r) => [r.measure, r.control, r.experiment, r.goal, r.met ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [row(header), row(widths.map((w) => '-'.repeat(w))), ...lines.map(row)].join('\n');
}
