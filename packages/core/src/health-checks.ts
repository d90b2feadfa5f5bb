import type { Dispatcher } from 'undici';
import type { LoadBalancer } from './load-balancer.js';

export interface HealthCheckOptions {
  /** Path probed on every instance; 2xx means healthy. */
  path?: string;
  intervalMs?: number;
  timeoutMs?: number;
}

/** Answers whether one instance is healthy; must not throw. */
export type InstanceProbe = (url: string) => Promise<boolean>;

/** GET `path` (default /healthz) on an instance through its dispatcher; healthy means 2xx in time. */
export function httpProbe(
  dispatcherFor: (url: string) => Dispatcher,
  options: HealthCheckOptions,
  headers: Record<string, string>,
): InstanceProbe {
  const timeout = options.timeoutMs ?? 1_000;
  return async (url) => {
    try {
      const res = await dispatcherFor(url).request({
        method: 'GET',
        path: options.path ?? '/healthz',
        headers,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
      });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300;
    } catch {
      return false;
    }
  };
}

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
