import { useEffect } from 'react';
import { useLoad } from '../app/use-api';
import { adminApi, type EdgeStatus } from './api';

function usePolling(reload: () => void, ms: number) {
  useEffect(() => {
    const t = window.setInterval(reload, ms);
    return () => window.clearInterval(t);
  }, [reload, ms]);
}

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

function hitRatio(e: EdgeStatus): string {
  if (typeof e.hitRatio === 'number') return pct(e.hitRatio);
  if (e.hitRatio)
    return `${pct(e.hitRatio.total)} (RAM ${pct(e.hitRatio.ram)}, disk ${pct(e.hitRatio.disk)})`;
  return '—';
}

export function EdgesPanel() {
  const edges = useLoad('edges', (signal) => adminApi.edges(signal));
  usePolling(edges.reload, 3000);
  return (
    <section aria-labelledby="edges-h">
      <h2 id="edges-h">Edges</h2>
      {edges.error && (
        <p className="error" role="alert">
          {edges.error.message}
        </p>
      )}
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">Edge</th>
            <th scope="col">Health</th>
            <th scope="col">Load</th>
            <th scope="col">Cache hit ratio</th>
            <th scope="col">Assets held</th>
          </tr>
        </thead>
        <tbody>
          {(edges.data ?? []).map((e, i) => {
            const healthy = e.healthy ?? e.status === 'healthy';
            return (
              <tr key={e.edgeId ?? e.id ?? i}>
                <td>{e.edgeId ?? e.id ?? e.url}</td>
                <td>
                  <span className={healthy ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
                  {healthy ? 'healthy' : (e.status ?? 'down')}
                </td>
                <td>{e.load === undefined ? '—' : e.load.toFixed(2)}</td>
                <td>{hitRatio(e)}</td>
                <td>{e.heldAssets ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function HealthPanel() {
  const health = useLoad('health', (signal) => adminApi.health(signal));
  const queue = useLoad('queue', (signal) => adminApi.queue(signal));
  usePolling(health.reload, 3000);
  usePolling(queue.reload, 3000);
  const services = health.data?.services ?? {};
  return (
    <section aria-labelledby="health-h">
      <h2 id="health-h">Services</h2>
      <ul className="health">
        {Object.entries(services).map(([name, value]) => {
          const ok =
            value === true ||
            value === 'ready' ||
            (typeof value === 'object' &&
              value !== null &&
              (value as { status?: string }).status === 'ready');
          return (
            <li key={name}>
              <span className={ok ? 'dot ok' : 'dot bad'} aria-hidden="true" /> {name}{' '}
              <small>{ok ? 'ready' : 'not ready'}</small>
            </li>
          );
        })}
      </ul>
      <h2>Encoding queue</h2>
      {queue.error ? (
        <p className="hint">Queue status unavailable: {queue.error.message}</p>
      ) : (
        <pre className="queue">{JSON.stringify(queue.data ?? {}, null, 2)}</pre>
      )}
    </section>
  );
}
