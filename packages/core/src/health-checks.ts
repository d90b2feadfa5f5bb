import type { LoadBalancer } from './load-balancer.js';

export interface HealthCheckOptions {
  /** Path probed on every instance; 2xx means healthy. */
  path?: string;
  intervalMs?: number;
  timeoutMs?: number;
}

/** Answers whether one instance is healthy; must not throw. */
export type InstanceProbe = (url: string) => Promise<boolean>;

/** Long enough to mean "until a health check says otherwise". */
const UNTIL_HEALTHY_MS = 24 * 60 * 60 * 1000;

/**
 * Probes every instance of a balancer in the background (immediately, then every `intervalMs`, never
 * two rounds at once): a failing instance is ejected until a later probe sees it healthy, then
 * re-admitted. Returns a stop function that waits for a round in progress.
 */
export function startHealthChecks(
  balancer: LoadBalancer,
  probe: InstanceProbe,
  options: HealthCheckOptions = {},
  onChange?: (url: string, healthy: boolean) => void,
): () => Promise<void> {
  const intervalMs = options.intervalMs ?? 2_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  const runRound = async () => {
    await Promise.all(
      balancer.urls.map(async (url) => {
        const healthy = await probe(url);
        if (stopped) return;
        const wasEjected = balancer.isEjected(url);
        if (healthy) balancer.admit(url);
        else balancer.eject(url, 'failed health check', UNTIL_HEALTHY_MS);
        if (wasEjected === healthy) onChange?.(url, healthy);
      }),
    );
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = runRound().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  round = runRound().finally(schedule);

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await round;
  };
}
