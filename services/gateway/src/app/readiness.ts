import { request, type Dispatcher } from 'undici';
import { SERVICE_NAMES, type ServiceName } from '@marquee/core';

export interface InstanceReadiness {
  url: string;
  ready: boolean;
  /** Why not, in a few words (status code, timeout, refused). */
  detail?: string;
}

export interface ServiceReadiness {
  status: 'ready' | 'not_ready';
  /** Instances that answered ready, and instances configured. */
  ready: number;
  instances: number;
}

export interface ReadinessReport {
  ready: boolean;
  body: { status: 'ready' | 'not_ready'; services: Record<ServiceName, ServiceReadiness> };
}

/**
 * The gateway's /readyz: a service is ready when at least one of its instances is (the load balancer
 * routes around the others); for `edge` that means at least one edge can serve, which is what the
 * player's content steering needs. The whole platform is ready when every service is. Instance URLs
 * stay out of this public answer; the admin health view has them.
 */
export function aggregateReadiness(
  instances: Record<ServiceName, readonly InstanceReadiness[]>,
): ReadinessReport {
  const services = {} as Record<ServiceName, ServiceReadiness>;
  for (const name of SERVICE_NAMES) {
    const list = instances[name] ?? [];
    const ready = list.filter((i) => i.ready).length;
    services[name] = { status: ready > 0 ? 'ready' : 'not_ready', ready, instances: list.length };
  }
  const ready = Object.values(services).every((s) => s.status === 'ready');
  return { ready, body: { status: ready ? 'ready' : 'not_ready', services } };
}

/**
 * Asks one instance's /readyz with a short timeout; never throws. `dispatcher` carries the trust an
 * instance on TLS needs (the edges' certificate), when it is not in the public roots.
 */
export async function probeReadiness(
  baseUrl: string,
  timeoutMs: number,
  dispatcher?: Dispatcher,
): Promise<InstanceReadiness> {
  try {
    const res = await request(new URL('/readyz', baseUrl), {
      ...(dispatcher ? { dispatcher } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    return res.statusCode === 200
      ? { url: baseUrl, ready: true }
      : { url: baseUrl, ready: false, detail: `answered ${res.statusCode}` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const detail = e.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (e.code ?? e.message);
    return { url: baseUrl, ready: false, detail };
  }
}
