import { api } from '../api/client';
import { useLoad } from '../app/use-api';

/** What `marquee chaos` writes to MARQUEE_DATA_DIR/chaos/latest.json (packages/cli/src/chaos/run.ts). */
interface ChaosSummary {
  experiment: string;
  finishedAt: string;
  passed: boolean;
  aborted?: string;
  replicas?: number;
  viewers?: number;
  ejectionS?: number;
  recoveryS?: number;
  rows?: { measure: string; control: string; experiment: string; goal: string; met: boolean }[];
  audit?: { check: string; expected: number; found: number; lost: number }[];
}

interface ChaosAnswer {
  report: ChaosSummary | null;
  chartSvg: string | null;
}

const latestChaos = (signal: AbortSignal) => api<ChaosAnswer>('/api/admin/chaos', { signal });

/**
 * The latest chaos experiment: its verdict against the goals of issue 13, the measures of the control
 * and experiment windows, the audit for lost writes, and its chart (SPS, failed starts and errors over
 * time with the fault marks). The chart is shown as an image from a data: URL, so whatever the SVG
 * file holds, nothing in it runs.
 */
export function ChaosPanel() {
  const chaos = useLoad('chaos', latestChaos);
  const report = chaos.data?.report ?? null;
  const svg = chaos.data?.chartSvg ?? null;
  return (
    <section aria-labelledby="chaos-h">
      <h2 id="chaos-h">Chaos experiments</h2>
      <p className="hint">
        The latest <code>marquee chaos</code> run on this installation (its <code>--out</code> directory is{' '}
        <code>data/chaos</code> by default).
      </p>
      {chaos.error && (
        <p className="error" role="alert">
          {chaos.error.message}
        </p>
      )}
      {chaos.data && !report && (
        <p className="empty">No chaos experiment has been run yet: see docs/operations.md.</p>
      )}
      {report && (
        <>
          <p data-testid="chaos-verdict">
            <span className={report.passed ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
            <strong>{report.experiment}</strong>: {report.passed ? 'PASSED' : 'FAILED'}
            {report.aborted ? ` (aborted: ${report.aborted})` : ''}{' '}
            <small>
              {new Date(report.finishedAt).toLocaleString()}
              {report.replicas ? ` · ${report.replicas} replicas` : ''}
              {report.viewers ? ` · ${report.viewers} viewers` : ''}
            </small>
          </p>
          {report.ejectionS !== undefined && (
            <p>Frozen replica ejected by every gateway after {report.ejectionS.toFixed(1)} s (goal ≤ 5 s).</p>
          )}
          {report.recoveryS !== undefined && (
            <p>SPS back to 90 % of control {report.recoveryS} s after the engine returned (goal ≤ 30 s).</p>
          )}
          {report.rows && report.rows.length > 0 && (
            <div className="table-scroll">
              <table className="admin-table">
                <thead>
                  <tr>
                    <th scope="col">Measure</th>
                    <th scope="col">Control</th>
                    <th scope="col">Experiment</th>
                    <th scope="col">Goal</th>
                    <th scope="col">Met</th>
                  </tr>
                </thead>
                <tbody>
                  {report.rows.map((row) => (
                    <tr key={row.measure}>
                      <td>{row.measure}</td>
                      <td>{row.control}</td>
                      <td>{row.experiment}</td>
                      <td>{row.goal}</td>
                      <td>{row.met ? 'yes' : 'NO'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {report.audit && (
            <ul className="health">
              {report.audit.map((a) => (
                <li key={a.check} className="health-card">
                  <span className={a.lost === 0 ? 'dot ok' : 'dot bad'} aria-hidden="true" />{' '}
                  <strong>{a.check}</strong>{' '}
                  <small>
                    {a.found}/{a.expected}
                    {a.lost > 0 ? ` · ${a.lost} lost` : ''}
                  </small>
                </li>
              ))}
            </ul>
          )}
          {svg && (
            <img
              className="chaos-chart"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
              alt={`Stream starts per second, failed starts and errors over time during ${report.experiment}, with the fault marks`}
              style={{ maxWidth: '100%', height: 'auto' }}
            />
          )}
        </>
      )}
    </section>
  );
}
