import { useMemo } from 'react';
import { useLoad } from '../../app/use-api';
import { analyticsApi, formatMs, formatRatio, formatSeconds } from './analytics-api';
import { Chart } from './Chart';

const axisColor = { stroke: '#aaa', grid: { stroke: '#333' }, ticks: { stroke: '#333' } };

/** One title's audience: views, watch time, completion and the retention curve, with its QoE. */
export function TitleStats({ titleId, hours = 24 * 30 }: { titleId: string; hours?: number }) {
  const stats = useLoad(`title:${titleId}:${hours}`, (signal) => analyticsApi.title(titleId, hours, signal));
  const t = stats.data;
  const data = useMemo(
    () =>
      [(t?.retention ?? []).map((p) => p.at * 100), (t?.retention ?? []).map((p) => p.share * 100)] as [
        number[],
        number[],
      ],
    [t],
  );
  const options = useMemo(
    () => ({
      scales: { x: { time: false }, y: { range: [0, 100] as [number, number] } },
      axes: [
        { ...axisColor, label: '% of the title' },
        { ...axisColor, label: '% of viewers still watching' },
      ],
      series: [{}, { label: 'Still watching (%)', stroke: '#e50914', width: 2, fill: 'rgba(229,9,20,0.2)' }],
    }),
    [],
  );
  if (stats.error) return <p className="error">{stats.error.message}</p>;
  if (!t) return null;
  return (
    <section className="title-stats" aria-label="Title statistics">
      <h3>Audience</h3>
      <dl className="kpis">
        <div>
          <dt>Views</dt>
          <dd>{t.views}</dd>
        </div>
        <div>
          <dt>Viewers</dt>
          <dd>{t.viewers}</dd>
        </div>
        <div>
          <dt>Watch time</dt>
          <dd>{formatSeconds(t.watchSeconds)}</dd>
        </div>
        <div>
          <dt>Completion</dt>
          <dd>{formatRatio(t.completionRate)}</dd>
        </div>
        <div>
          <dt>Start time p50</dt>
          <dd>{formatMs(t.qoe.startupP50Ms)}</dd>
        </div>
        <div>
          <dt>Rebuffer ratio</dt>
          <dd>{formatRatio(t.qoe.rebufferRatio)}</dd>
        </div>
      </dl>
      {t.retention.length > 0 ? (
        <Chart label="Audience retention curve" options={options} data={data} height={200} />
      ) : (
        <p className="empty">Nobody has watched this title in this range.</p>
      )}
    </section>
  );
}
