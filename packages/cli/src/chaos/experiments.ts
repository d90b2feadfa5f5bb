import { SERVICE_NAMES, type ServiceName } from '@marquee/core';
import type { EngineName } from '../cluster/private-engines.js';

/**
 * The declared experiments of `marquee chaos`: each a schedule of faults over the experiment window,
 * decided here as data (pure, seeded) and carried out by the runner. Times are seconds from the start
 * of the experiment window (after the control window).
 */

export type Fault =
  | { at: number; kind: 'kill'; service: ServiceName }
  | { at: number; kind: 'freeze'; service: ServiceName; seconds: number }
  | { at: number; kind: 'engine-down'; engine: EngineName; seconds: number }
  | { at: number; kind: 'rolling-restart' }
  | {
      at: number;
      kind: 'inject';
      replica: string;
      seconds: number;
      latencyMs: number;
      latencyShare: number;
      errorShare: number;
    };

export type ExperimentName =
  | 'kill-random'
  | 'kill-each'
  | 'freeze'
  | 'kill-edge'
  | 'engine-down'
  | 'rolling-restart'
  | 'latency'
  | 'errors';

export const EXPERIMENTS: Record<ExperimentName, string> = {
  'kill-random':
    'every --every seconds, SIGKILL a random replica of every service (or of --service), the services spread over the period (--together: all at once)',
  'kill-each': 'SIGKILL one replica of every service in turn, --every seconds apart',
  freeze: 'SIGSTOP one replica of --service for --fault seconds, then SIGCONT (a hung instance)',
  'kill-edge': 'SIGKILL an edge while viewers play from it, every --every seconds',
  'engine-down':
    'stop the private --engine (redis, nats or postgres) for --fault seconds, then start it again',
  'rolling-restart':
    'restart every replica of every service one at a time (SIGTERM, drain, new process, ready)',
  latency:
    'hold half of the requests to one replica of --service 1 s, for --fault seconds (at its HTTP boundary)',
  errors:
    'answer a quarter of the requests to one replica of --service 503, for --fault seconds (at its HTTP boundary)',
};

/** The replica whose HTTP boundary the latency and errors experiments inject into. */
export function injectedReplica(plan: Pick<ExperimentPlan, 'service'>): string {
  return `${plan.service ?? 'streaming'}-1`;
}

export interface ExperimentPlan {
  name: ExperimentName;
  durationS: number;
  everyS: number;
  faultS: number;
  service?: ServiceName;
  engine?: EngineName;
  /** kill-random: every service's kill in the same instant instead of spread over the period. */
  together?: boolean;
}

/** The faults of one experiment, in time order. */
export function scheduleFaults(plan: ExperimentPlan): Fault[] {
  const times = (first: number) => {
    const at: number[] = [];
    for (let t = first; t < plan.durationS; t += plan.everyS) at.push(t);
    return at;
  };
  switch (plan.name) {
    case 'kill-random': {
      // Chaos Monkey's way: each service loses one replica per period, at its own moment of the period
      // (evenly spread), not all at once. Seven replicas killed in the same instant is a correlated failure
      // — every restart at once on the same cores — which `--together` still runs when that is the question.
      const services = plan.service ? [plan.service] : SERVICE_NAMES;
      const step = plan.together ? 0 : plan.everyS / services.length;
      const first = plan.together ? plan.everyS / 2 : step / 2;
      return times(first).flatMap((at) =>
        services.map((service, i) => ({ at: at + i * step, kind: 'kill' as const, service })),
      );
    }
    case 'kill-each':
      return SERVICE_NAMES.map((service, i) => ({ at: 2 + i * plan.everyS, kind: 'kill', service }));
    case 'kill-edge':
      return times(plan.everyS / 2).map((at) => ({ at, kind: 'kill', service: 'edge' }));
    case 'freeze':
      return [{ at: 5, kind: 'freeze', service: plan.service ?? 'streaming', seconds: plan.faultS }];
    case 'engine-down':
      return [{ at: 5, kind: 'engine-down', engine: plan.engine ?? 'redis', seconds: plan.faultS }];
    case 'rolling-restart':
      return [{ at: 2, kind: 'rolling-restart' }];
    case 'latency':
      return [
        {
          at: 5,
          kind: 'inject',
          replica: injectedReplica(plan),
          seconds: plan.faultS,
          latencyMs: 1_000,
          latencyShare: 0.5,
          errorShare: 0,
        },
      ];
    case 'errors':
      return [
        {
          at: 5,
          kind: 'inject',
          replica: injectedReplica(plan),
          seconds: plan.faultS,
          latencyMs: 0,
          latencyShare: 0,
          errorShare: 0.25,
        },
      ];
  }
}

/** A seeded generator (mulberry32) so a run's victims can be replayed with the same --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The replica a kill hits: a random ready replica of `service` — unless it is the only one ready, as a
 * PodDisruptionBudget (maxUnavailable 1) would refuse that eviction; then none.
 */
export function chooseVictim(
  replicas: readonly { id: string; service: ServiceName; ready: boolean }[],
  service: ServiceName,
  random: () => number,
): string | undefined {
  const candidates = replicas.filter((r) => r.ready && r.service === service);
  if (candidates.length < 2) return undefined;
  return candidates[Math.floor(random() * candidates.length)]!.id;
}
