import { SERVICE_NAMES, cacheUrlOf, type ServiceName, type Settings } from '@marquee/core';

type BackendSettings = Pick<Settings, 'DATABASE_URL' | 'REDIS_URL' | 'NATS_URL' | 'S3_BUCKET'> &
  Partial<Pick<Settings, 'CACHE_URL' | 'MEMCACHED_URL'>>;

/**
 * What running only some services in this process means for the embedded backends. Every embedded
 * backend still WORKS when several processes on one machine share one MARQUEE_DATA_DIR (the event log
 * and the SQLite files take cross-process locks; blobs are written atomically), so these are warnings,
 * not errors: the operator may be splitting services on one box on purpose. What they cannot do is span
 * machines, and the in-process cache cannot be shared at all. Empty in monolithic mode or when every
 * backend is a shared engine.
 */
export function embeddedBackendWarnings(
  settings: BackendSettings,
  targets: readonly ServiceName[],
): string[] {
  if (SERVICE_NAMES.every((name) => targets.includes(name))) return [];
  const warnings: string[] = [];
  if (cacheUrlOf(settings) === undefined) {
    warnings.push(
      'cache is in-process (no REDIS_URL): rate limits, stream leases, job leases and cached pages hold ' +
        'per process, so a viewer may exceed the plan stream limit by reaching another instance and every ' +
        'storage instance runs the lifecycle and scrub jobs itself',
    );
  }
  if (!settings.NATS_URL) {
    warnings.push(
      'events use the embedded log in MARQUEE_DATA_DIR (no NATS_URL): only processes on this machine ' +
        'that share that data dir see each other’s events',
    );
  }
  if (!settings.DATABASE_URL) {
    warnings.push(
      'databases are SQLite files in MARQUEE_DATA_DIR (no DATABASE_URL): instances of one service must ' +
        'share that data dir on this machine',
    );
  }
  if (!settings.S3_BUCKET) {
    warnings.push(
      'blobs are files in MARQUEE_DATA_DIR (no S3_BUCKET): storage and encoder must share that data dir ' +
        'on this machine',
    );
  }
  return warnings;
}

/** GATEWAY_TRUST_PROXY as Fastify's trustProxy: '' → trust none, 'true' → any, else the listed addresses. */
export function trustedProxies(setting: string): boolean | string[] {
  if (setting === '') return false;
  if (setting === 'true') return true;
  return setting.split(',');
}
