import { useEffect } from 'react';
import { useLoad } from '../app/use-api';
import { adminApi, type AdminTitle, type EdgeStatus } from './api';

function usePolling(reload: () => void, ms: number) {
  useEffect(() => {
    const t = window.setInterval(reload, ms);
    return () => window.clearInterval(t);
  }, [reload, ms]);
}

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 90 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

function edgeState(e: EdgeStatus): { ok: boolean; label: string } {
  if (!e.healthy) return { ok: false, label: 'unhealthy' };
  if (!e.live) return { ok: false, label: `silent since ${ago(e.lastSeen)}` };
  return { ok: true, label: 'healthy' };
}

export function EdgesPanel() {
  const edges = useLoad('edges', (signal) => adminApi.edges(signal));
  usePolling(edges.reload, 3000);
  const all = edges.data ?? [];
  return (
    <section aria-labelledby="edges-h">
      <h2 id="edges-h">Edges</h2>
      <p className="hint">
        Players are steered to the healthy, least loaded edges; an edge that stops reporting is taken out of
        steering within seconds.
      </p>
      {edges.error && (
        <p className="error" role="alert">
          {edges.error.message}
        </p>
      )}
      {!edges.loading && !edges.error && all.length === 0 && (
        <p className="empty">No edge has reported yet.</p>
      )}
      {all.length > 0 && (
        <div className="table-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Edge</th>
                <th scope="col">Health</th>
                <th scope="col">Load</th>
                <th scope="col">Cache hit ratio</th>
                <th scope="col" className="hide-narrow">
                  Assets cached
                </th>
                <th scope="col" className="hide-narrow">
                  Last report
                </th>
              </tr>
            </thead>
            <tbody>
              {all.map((e) => {
                const state = edgeState(e);
                return (
                  <tr key={e.edgeId}>
                    <td className="nowrap">
                      {e.edgeId}
                      <small className="sub hide-narrow">{e.url}</small>
                    </td>
                    <td>
                      <span className={state.ok ? 'dot ok' : 'dot bad'} aria-hidden="true" /> {state.label}
                    </td>
                    <td>
                      <span
                        className="meter"
                        role="meter"
                        aria-label={`Load of ${e.edgeId}`}
                        aria-valuemin={0}
                        aria-valuemax={100}
                        aria-valuenow={Math.round(e.load * 100)}
                      >
                        <span style={{ width: `${Math.min(100, e.load * 100)}%` }} />
                      </span>{' '}
                      {Math.round(e.load * 100)}%
                    </td>
                    <td>
                      {e.hitRatio === undefined ? (
                        'not reported'
                      ) : (
                        <>
                          {percent(e.hitRatio.total)}
                          <small className="sub hide-narrow">
                            RAM {percent(e.hitRatio.ram)} · disk {percent(e.hitRatio.disk)}
                            {e.hitRatio.bytes === undefined
                              ? null
                              : ` · bytes ${percent(e.hitRatio.bytes)}, ${megabytes(e.hitRatio.originBytes ?? 0)} from origin`}
                          </small>
                        </>
                      )}
                    </td>
                    <td className="hide-narrow">{e.heldAssets}</td>
                    <td className="hide-narrow">{ago(e.lastSeen)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const ACTIVE = ['uploading', 'queued', 'encoding'];

/** The encoding queue as the catalog sees it: what is waiting, what is encoding, what failed. */
function EncodingQueue({ titles }: { titles: AdminTitle[] }) {
  const withAsset = titles.filter((t) => t.asset);
  const count = (state: string) => withAsset.filter((t) => t.asset!.state === state).length;
  const active = withAsset.filter((t) => ACTIVE.includes(t.asset!.state) || t.asset!.state === 'failed');
  return (
    <>
      <ul className="queue-counts">
        {['queued', 'encoding', 'ready', 'failed'].map((state) => (
          <li key={state}>
            <strong>{count(state)}</strong> {state}
          </li>
        ))}
      </ul>
      {active.length === 0 ? (
        <p className="empty">Nothing is waiting or encoding.</p>
      ) : (
        <ul className="queue-items">
          {active.map((t) => (
            <li key={t.titleId}>
              <span>{t.name}</span>{' '}
              <span className={`state ${t.asset!.state}`}>
                {t.asset!.state}
                {t.asset!.state === 'encoding' && t.asset!.progress !== undefined
                  ? ` ${Math.round(t.asset!.progress * 100)}%${t.asset!.stage ? ` (${t.asset!.stage})` : ''}`
                  : ''}
                {t.asset!.state === 'failed' && t.asset!.reason ? ` — ${t.asset!.reason}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function HealthPanel() {
  const health = useLoad('health', (signal) => adminApi.health(signal));
  const titles = useLoad('queue-titles', (signal) => adminApi.titles(signal));
  usePolling(health.reload, 3000);
  usePolling(titles.reload, 3000);
  const services = Object.entries(health.data?.services ?? {});
  const upstreams = health.data?.upstreams ?? {};
  return (
    <section aria-labelledby="health-h">
      <h2 id="health-h">Services</h2>
      {health.error && (
        <p className="error" role="alert">
          {health.error.message}
        </p>
      )}
      <ul className="health">
        {services.map(([name, s]) => {
          const ready = s.instances.filter((i) => i.ready).length;
          const upstream = upstreams[name];
          const down = s.instances.filter((i) => !i.ready);
          return (
            <li key={name} className="health-card">
              <span className={s.status === 'ready' ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
              <strong>{name}</strong>{' '}
              <small>
                {s.status === 'ready' ? 'ready' : 'not ready'} · {ready}/{s.instances.length} instance
                {s.instances.length === 1 ? '' : 's'}
              </small>
              {upstream && (
                <small className="sub">
                  circuit {upstream.circuit} · {upstream.inflight}/{upstream.concurrencyLimit} in flight
                  {upstream.waiting > 0 ? ` · ${upstream.waiting} waiting` : ''}
                  {upstream.shed > 0 ? ` · ${upstream.shed} shed` : ''}
                </small>
              )}
              {down.map((i) => (
                <small key={i.url} className="sub error">
                  {i.url}: {i.detail ?? 'not ready'}
                </small>
              ))}
            </li>
          );
        })}
      </ul>
      <h2>Encoding queue</h2>
      {titles.error ? (
        <p className="error">{titles.error.message}</p>
      ) : (
        <EncodingQueue titles={titles.data ?? []} />
      )}
    </section>
  );
}
