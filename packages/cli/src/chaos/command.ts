import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, SERVICE_NAMES, type ServiceName } from '@marquee/core';
import type { EngineName } from '../cluster/private-engines.js';
import { EXPERIMENTS, type ExperimentName } from './experiments.js';
import { runChaos, type ChaosOptions } from './run.js';
import type { Goals } from './verdict.js';

export const CHAOS_USAGE = `  marquee chaos --experiment ${Object.keys(EXPERIMENTS).join('|')}
                [--duration 3m] [--control 30s] [--every 20s] [--fault 10s] [--service S] [--engine redis|nats|postgres]
                [--replicas 2] [--viewers 6] [--seed N] [--out data/chaos] [--no-upload] [--together] [--json]
                                  a fault experiment on a local cluster under viewers: ChAP-style verdict
                                  (SPS and failed starts, control vs experiment, abort on divergence), a table,
                                  an SVG chart with the fault marks, and an audit for lost writes`;

/** "30s", "3m", "1500ms" or bare seconds → seconds. */
export function parseSeconds(raw: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (!match) throw new ConfigError([`--${name}: a duration like 20s or 3m (got "${raw}")`]);
  const factor = { ms: 0.001, s: 1, m: 60 }[(match[2] ?? 's') as 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

/** The goals of issue 13 for each experiment (docs/benchmarks.md records the measured runs). */
export function goalsFor(experiment: ExperimentName): Goals {
  switch (experiment) {
    case 'latency':
    case 'errors':
    case 'freeze':
      return { maxFailedStartRatio: 0.01, minSpsRatio: 0.9, lostWrites: 0 };
    case 'engine-down':
      return { maxFailedStartRatio: 1, minSpsRatio: 0, lostWrites: 0 };
    case 'rolling-restart':
      // Issue 13 §3: a rolling restart drops nothing — no failed start and no failed request.
      return { maxFailedStartRatio: 0, minSpsRatio: 0.9, lostWrites: 0, maxFailedRequests: 0 };
    case 'kill-each':
      return { maxFailedStartRatio: 0, minSpsRatio: 0.9, lostWrites: 0 };
    default:
      return { maxFailedStartRatio: 0.005, minSpsRatio: 0.95, lostWrites: 0 };
  }
}

export function parseChaosArgs(
  argv: string[],
  log: (line: string) => void,
): ChaosOptions & { json: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      experiment: { type: 'string' },
      duration: { type: 'string', default: '3m' },
      control: { type: 'string', default: '30s' },
      every: { type: 'string', default: '20s' },
      fault: { type: 'string', default: '10s' },
      service: { type: 'string' },
      engine: { type: 'string', default: 'redis' },
      replicas: { type: 'string', default: '2' },
      viewers: { type: 'string', default: '6' },
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      out: { type: 'string', default: 'data/chaos' },
      'no-upload': { type: 'boolean', default: false },
      together: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const name = values.experiment as ExperimentName | undefined;
  if (!name || !(name in EXPERIMENTS)) {
    throw new ConfigError([
      `--experiment: one of ${Object.entries(EXPERIMENTS)
        .map(([n, d]) => `\n  ${n}: ${d}`)
        .join('')}`,
    ]);
  }
  const service = values.service as ServiceName | undefined;
  if (service && !SERVICE_NAMES.includes(service))
    throw new ConfigError([`--service: one of ${SERVICE_NAMES.join(', ')}`]);
  const engine = values.engine as EngineName;
  if (!['redis', 'nats', 'postgres'].includes(engine))
    throw new ConfigError(['--engine: redis, nats or postgres']);
  const int = (raw: string, key: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ConfigError([`--${key}: an integer from ${min} to ${max}`]);
    return n;
  };
  const durationS = parseSeconds(values.duration, 'duration');
  if (durationS > 3600) throw new ConfigError(['--duration: at most 60m (every run stops by itself)']);
  return {
    name,
    durationS,
    controlS: parseSeconds(values.control, 'control'),
    everyS: Math.max(1, parseSeconds(values.every, 'every')),
    faultS: parseSeconds(values.fault, 'fault'),
    ...(service ? { service } : {}),
    engine,
    replicas: int(values.replicas, 'replicas', 2, 4),
    viewers: int(values.viewers, 'viewers', 1, 200),
    seed: int(values.seed, 'seed', 0, 2 ** 31),
    outDir: resolve(values.out),
    goals: goalsFor(name),
    abort: { threshold: 0.5, windowS: 10, maxFailed: 0.25 },
    uploadDuring: !values['no-upload'],
    together: values.together,
    log,
    json: values.json,
  };
}

export async function chaosCommand(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const log = (line: string) => {
    if (!json) console.log(line);
  };
  const options = parseChaosArgs(argv, log);
  // Ctrl-C or SIGTERM mid-run: exit at once and let the exit hooks SIGKILL the replicas and private
  // engines (a SIGKILL of this process is left to their OrphanWatch).
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`${signal}: stopping the run's replicas and engines`);
      process.exit(130);
    });
  const result = await runChaos(options);
  if (json) {
    console.log(JSON.stringify({ ...result, passed: result.verdict.passed }));
  } else {
    console.log(
      `\n${options.name}: ${result.verdict.passed ? 'PASSED' : 'FAILED'}${result.aborted ? ` (aborted: ${result.aborted})` : ''}`,
    );
    console.log(result.table);
    if (result.ejectionS !== undefined)
      console.log(
        `frozen replica ejected by every gateway after ${result.ejectionS.toFixed(1)} s (goal ≤ 5 s)`,
      );
    if (result.recoveryS !== undefined)
      console.log(
        `SPS back to 90 % of control ${result.recoveryS} s after the engine returned (goal ≤ 30 s)`,
      );
    for (const f of result.audit.findings) {
      console.log(
        `audit: ${f.check}: ${f.found}/${f.expected}${f.lost.length ? ` LOST ${f.lost.slice(0, 3).join(', ')}` : ''}`,
      );
    }
    console.log(`chart: ${result.chart}\nreport: ${result.report}`);
  }
  if (!result.verdict.passed) process.exitCode = 1;
}
