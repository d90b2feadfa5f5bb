import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { RestoreTestRecord } from '@marquee/contracts';

const gauge = (registry: Registry, name: string, help: string) =>
  new Gauge({ name, help, registers: [registry] });
const byOutcome = (registry: Registry, name: string, help: string) =>
  new Counter({ name, help, labelNames: ['outcome'] as const, registers: [registry] });

/**
 * The backup schedule's metrics. The alert that matters: the newest backup is older than twice the
 * interval (`marquee_backup_newest_age_seconds > 2 * marquee_backup_interval_seconds`); before any
 * backup exists the age is +Inf, so a schedule that never succeeded fires it too. The second: the last
 * restore test failed (`marquee_backup_restore_test_ok == 0`).
 */
export class BackupMetrics {
  readonly registry = new Registry();
  private newest: Date | undefined;
  readonly interval = gauge(this.registry, 'marquee_backup_interval_seconds', 'BACKUP_INTERVAL in seconds');
  readonly lastSize = gauge(
    this.registry,
    'marquee_backup_last_size_bytes',
    'Bytes the newest backup describes (databases, files, blobs)',
  );
  readonly lastDuration = gauge(
    this.registry,
    'marquee_backup_last_duration_seconds',
    'How long the newest backup took',
  );
  readonly runs = byOutcome(this.registry, 'marquee_backup_runs_total', 'Scheduled backups by outcome');

  readonly restoreTestOk = gauge(
    this.registry,
    'marquee_backup_restore_test_ok',
    'Whether the last restore test passed (1) or failed (0); absent before the first one',
  );
  readonly restoreTestTime = gauge(
    this.registry,
    'marquee_backup_restore_test_timestamp_seconds',
    'When the last restore test finished (Unix time)',
  );
  readonly restoreTestDuration = gauge(
    this.registry,
    'marquee_backup_restore_test_duration_seconds',
    'How long the last restore test took (restore into a scratch place and checks)',
  );
  readonly restoreTests = byOutcome(
    this.registry,
    'marquee_backup_restore_tests_total',
    'Restore tests run by this process, by outcome',
  );

  constructor(private readonly clock: () => number = Date.now) {
    const ageSeconds = () => (this.newest ? (this.clock() - this.newest.getTime()) / 1000 : Infinity);
    new Gauge({
      name: 'marquee_backup_newest_age_seconds',
      help: 'Age of the newest finished backup in BACKUP_TARGET (+Inf when there is none)',
      registers: [this.registry],
      collect() {
        this.set(ageSeconds());
      },
    });
  }

  noteNewest(startedAt: Date | undefined): void {
    this.newest = startedAt;
  }

  /** The last restore test's outcome (the newest recorded in the target at start, then each one run). */
  noteRestoreTest(record: Pick<RestoreTestRecord, 'ok' | 'testedAt' | 'durationMs'>): void {
    this.restoreTestOk.set(record.ok ? 1 : 0);
    this.restoreTestTime.set(Date.parse(record.testedAt) / 1000);
    this.restoreTestDuration.set(record.durationMs / 1000);
  }
}

/**
 * Serves these metrics from `app`'s /metrics (the storage service's in monolithic mode) after the
 * service's own: each service's registry is private to it, and a second endpoint would be one more
 * thing to scrape. prom-client's text format allows concatenation of distinct metric families.
 */
export function appendToMetricsEndpoint(app: FastifyInstance, registry: Registry, service: string): void {
  // The same `service` label the host's own series carry, so rules can match the two.
  registry.setDefaultLabels({ service });
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.url !== '/metrics' || typeof payload !== 'string') return payload;
    return `${payload.trimEnd()}\n${await registry.metrics()}`;
  });
}
