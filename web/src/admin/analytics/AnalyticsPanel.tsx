import { useMemo, useState } from 'react';
import type { AnalyticsOverview } from '@marquee/contracts/api';
import { useLoad } from '../../app/use-api';
import { adminApi } from '../api';
import {
  analyticsApi,
  formatBitrate,
  formatMs,
  formatRatio,
  formatSeconds,
  type AnalyticsFilter,
} from './analytics-api';
import { bars, Chart } from './Chart';
import { TitleStats } from './TitleStats';
import './analytics.css';

const RANGES = [
  { hours: 1, label: 'Last hour' },
  { hours: 6, label: 'Last 6 hours' },
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
];

const axisColor = { stroke: '#aaa', grid: { stroke: '#333' }, ticks: { stroke: '#333' } };

function Kpis({ totals }: { totals: AnalyticsOverview['totals'] }) {
  const items: [string, string][] = [
    ['Sessions', String(totals.sessions)],
    ['Starts', String(totals.starts)],
    ['Start time p50', formatMs(totals.startupP50Ms)],
    ['Start time p95', formatMs(totals.startupP95Ms)],
    ['Rebuffer ratio', formatRatio(totals.rebufferRatio)],
    ['Average bitrate', formatBitrate(totals.avgBitrate)],
    ['Error rate', formatRatio(totals.errorRate)],
    ['Watch time', formatSeconds(totals.watchSeconds)],
  ];
  return (
    <dl className="kpis">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function OverTime({ overview }: { overview: AnalyticsOverview }) {
  const data = useMemo(
    () =>
      [
        overview.series.map((p) => Date.parse(p.t) / 1000),
        overview.series.map((p) => p.starts),
        overview.series.map((p) => p.startupP50Ms),
        overview.series.map((p) => p.startupP95Ms),
      ] as uPlot.AlignedData,
    [overview],
  );
  // The asked range, not the data's: with one bucket uPlot's own range spans years around it.
  const from = Date.parse(overview.from) / 1000;
  const to = Date.parse(overview.to) / 1000;
  const options = useMemo(
    () => ({
      scales: { x: { time: true, range: [from, to] as [number, number] }, ms: { auto: true } },
      axes: [
        axisColor,
        { ...axisColor, label: 'starts' },
        { ...axisColor, side: 1, scale: 'ms', label: 'ms' },
      ],
      series: [
        {},
        { label: 'Starts', stroke: '#e50914', width: 2, paths: bars, fill: 'rgba(229,9,20,0.35)' },
        { label: 'Start p50 (ms)', stroke: '#4caf50', width: 2, scale: 'ms' },
        { label: 'Start p95 (ms)', stroke: '#ffb300', width: 2, scale: 'ms' },
      ],
    }),
    [from, to],
  );
  return <Chart label={`Starts and start time per ${overview.bucket}`} options={options} data={data} />;
}

function StartupHistogram({ overview }: { overview: AnalyticsOverview }) {
  const data = useMemo(
    () =>
      [
        overview.startupHistogram.map((b) => b.fromMs),
        overview.startupHistogram.map((b) => b.count),
      ] as uPlot.AlignedData,
    [overview],
  );
  // From 0 ms to one bucket past the slowest start, so the buckets at either end are drawn whole.
  const last = overview.startupHistogram.at(-1)?.fromMs ?? 0;
  const options = useMemo(
    () => ({
      scales: { x: { time: false, range: [0, last + 250] as [number, number] } },
      axes: [
        { ...axisColor, label: 'start time (ms, 250 ms buckets)' },
        { ...axisColor, label: 'starts' },
      ],
      series: [{}, { label: 'Starts', stroke: '#e50914', fill: 'rgba(229,9,20,0.5)', paths: bars }],
    }),
    [last],
  );
  return <Chart label="Histogram of start times" options={options} data={data} height={180} />;
}

function Breakdown({ title, rows }: { title: string; rows: AnalyticsOverview['byEdge'] }) {
  if (rows.length === 0) return null;
  return (
    <div className="table-scroll">
      <table className="admin-table">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{title.replace('By ', '')}</th>
            <th scope="col">Sessions</th>
            <th scope="col">Start p50</th>
            <th scope="col">Start p95</th>
            <th scope="col">Rebuffer</th>
            <th scope="col">Bitrate</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td className="nowrap">{r.key}</td>
              <td>{r.sessions}</td>
              <td>{formatMs(r.startupP50Ms)}</td>
              <td>{formatMs(r.startupP95Ms)}</td>
              <td>{formatRatio(r.rebufferRatio)}</td>
              <td>{formatBitrate(r.avgBitrate)}</td>
              <td>{formatRatio(r.errorRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The quality-of-experience page of the admin console (docs/analytics.md). */
export function AnalyticsPanel() {
  const [filter, setFilter] = useState<AnalyticsFilter>({ hours: 24 });
  const key = JSON.stringify(filter);
  const overview = useLoad(`overview:${key}`, (signal) => analyticsApi.overview(filter, signal));
  const sessions = useLoad(`sessions:${key}`, (signal) => analyticsApi.sessions(filter, signal));
  const titles = useLoad('titles', (signal) => adminApi.titles(signal));
  const names = new Map(
    (titles.data ?? []).flatMap((t) => [t, ...(t.episodes ?? [])]).map((t) => [t.titleId, t.name]),
  );
  const o = overview.data;
  const edges = o ? o.byEdge.map((e) => e.key).filter((k) => k !== '(none)') : [];
  return (
    <section aria-labelledby="analytics-h" className="analytics">
      <h2 id="analytics-h">Quality of experience</h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Time range{' '}
          <select
            value={filter.hours}
            onChange={(e) => setFilter({ ...filter, hours: Number(e.target.value) })}
          >
            {RANGES.map((r) => (
              <option key={r.hours} value={r.hours}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Title{' '}
          <select
            value={filter.titleId ?? ''}
            onChange={(e) => setFilter({ ...filter, titleId: e.target.value || undefined })}
          >
            <option value="">All titles</option>
            {[...names].map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Edge{' '}
          <select
            value={filter.edge ?? ''}
            onChange={(e) => setFilter({ ...filter, edge: e.target.value || undefined })}
          >
            <option value="">All edges</option>
            {[...new Set([...edges, ...(filter.edge ? [filter.edge] : [])])].map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => {
            overview.reload();
            sessions.reload();
          }}
        >
          Refresh
        </button>
      </form>
      {overview.error && (
        <p className="error" role="alert">
          {overview.error.message}
        </p>
      )}
      {o && (
        <>
          <Kpis totals={o.totals} />
          {o.totals.sessions === 0 && <p className="empty">No playback reported in this range yet.</p>}
          {o.series.length > 0 && (
            <>
              <h3>Starts and start time</h3>
              <OverTime overview={o} />
              <h3>Start time distribution</h3>
              <StartupHistogram overview={o} />
            </>
          )}
          <Breakdown title="By edge" rows={o.byEdge} />
          <Breakdown title="By plan" rows={o.byPlan} />
          <Breakdown
            title="By title"
            rows={o.byTitle.map((r) => ({ ...r, key: names.get(r.key) ?? r.key }))}
          />
          {o.errors.length > 0 && (
            <div className="table-scroll">
              <table className="admin-table">
                <caption>Errors by kind</caption>
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    <th scope="col">Fatal</th>
                    <th scope="col">Count</th>
                    <th scope="col">Sessions</th>
                  </tr>
                </thead>
                <tbody>
                  {o.errors.map((e) => (
                    <tr key={`${e.kind}-${e.fatal}`}>
                      <td>{e.kind}</td>
                      <td>{e.fatal ? 'yes' : 'no'}</td>
                      <td>{e.count}</td>
                      <td>{e.sessions}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {filter.titleId && <TitleStats titleId={filter.titleId} hours={filter.hours} />}
      {(sessions.data?.items.length ?? 0) > 0 && (
        <div className="table-scroll">
          <table className="admin-table" aria-label="Latest sessions">
            <caption>Latest sessions</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Title</th>
                <th scope="col">Edge</th>
                <th scope="col">Start time</th>
                <th scope="col">Stalls</th>
                <th scope="col">Watched</th>
                <th scope="col">Bitrate</th>
                <th scope="col">Errors</th>
              </tr>
            </thead>
            <tbody>
              {sessions.data!.items.map((s) => (
                <tr key={s.sessionId} data-session={s.sessionId}>
                  <td className="nowrap">{new Date(s.firstSeen).toLocaleTimeString()}</td>
                  <td>{names.get(s.titleId) ?? s.titleId}</td>
                  <td>{s.edge ?? '–'}</td>
                  <td>{formatMs(s.startupMs)}</td>
                  <td>
                    {s.stalls}
                    {s.stalls > 0 && ` (${formatMs(s.stallMs)})`}
                  </td>
                  <td>{formatSeconds(s.watchSeconds)}</td>
                  <td>{formatBitrate(s.avgBitrate)}</td>
                  <td>{s.errors}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
