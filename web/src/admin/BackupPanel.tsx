import { useEffect } from 'react';
import type { BackupStatus } from '@marquee/contracts/api';
import { api } from '../api/client';
import { useLoad } from '../app/use-api';

const backupStatus = (signal: AbortSignal) => api<BackupStatus>('/api/admin/backups', { signal });

function age(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

function size(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

const secondsSince = (iso: string) => Math.max(0, (Date.now() - Date.parse(iso)) / 1000);

/**
 * The last backup (age, size) and the last restore test, as the storage service reads them from
 * BACKUP_TARGET. A backup older than twice the interval is overdue: the same rule as the
 * MarqueeBackupTooOld alert.
 */
export function BackupPanel() {
  const status = useLoad('backups', backupStatus);
  const { reload } = status;
  useEffect(() => {
    const t = window.setInterval(reload, 30_000);
    return () => window.clearInterval(t);
  }, [reload]);
  const s = status.data;
  const newest = s?.newest ?? null;
  const test = s?.lastRestoreTest ?? null;
  const overdue = newest !== null && s?.intervalSeconds != null && newest.ageSeconds > 2 * s.intervalSeconds;
  return (
    <section aria-labelledby="backups-h">
      <h2 id="backups-h">Backups</h2>
      {status.error && (
        <p className="error" role="alert">
          {status.error.message}
        </p>
      )}
      {s && (
        <ul className="health">
          <li className="health-card" data-testid="backup-newest">
            <span className={newest && !overdue ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
            <strong>Last backup</strong>{' '}
            {newest ? (
              <small>
                {age(newest.ageSeconds)} ago{overdue ? ' — overdue' : ''} · {size(newest.totalBytes)} · took{' '}
                {(newest.durationMs / 1000).toFixed(1)} s
              </small>
            ) : (
              <small>none yet — run `marquee backup`</small>
            )}
            {newest && <small className="sub">{newest.id}</small>}
            <small className="sub">
              {s.backups} kept in {s.target}
              {s.intervalSeconds != null ? ` · every ${age(s.intervalSeconds)}` : ' · schedule off'}
            </small>
          </li>
          <li className="health-card" data-testid="backup-restore-test">
            <span className={test?.ok ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
            <strong>Restore test</strong>{' '}
            {test ? (
              <small>
                {test.ok ? 'passed' : 'FAILED'} {age(secondsSince(test.testedAt))} ago · in{' '}
                {(test.durationMs / 1000).toFixed(1)} s · {test.checksumsVerified} checksums verified
              </small>
            ) : (
              <small>none yet — run `marquee backup verify`</small>
            )}
            {test && <small className="sub">of backup {test.backupId}</small>}
            {test?.problems.slice(0, 5).map((problem) => (
              <small key={problem} className="sub error">
                {problem}
              </small>
            ))}
          </li>
        </ul>
      )}
    </section>
  );
}
