import type { AnalyticsOverview, AnalyticsSessions, TitleAnalytics } from '@marquee/contracts/api';
import { api } from '../../api/client';

export interface AnalyticsFilter {
  /** How far back from now, in hours. */
  hours: number;
  titleId?: string;
  edge?: string;
}

function query(filter: AnalyticsFilter, extra: Record<string, string> = {}): string {
  const to = new Date();
  const from = new Date(to.getTime() - filter.hours * 3_600_000);
  const params = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), ...extra });
  if (filter.titleId) params.set('titleId', filter.titleId);
  if (filter.edge) params.set('edge', filter.edge);
  return params.toString();
}

/** GET /api/admin/analytics/* (docs/analytics.md). */
export const analyticsApi = {
  overview: (filter: AnalyticsFilter, signal?: AbortSignal) =>
    api<AnalyticsOverview>(`/api/admin/analytics/overview?${query(filter)}`, { signal }),
  sessions: (filter: AnalyticsFilter, signal?: AbortSignal) =>
    api<AnalyticsSessions>(`/api/admin/analytics/sessions?${query(filter, { limit: '20' })}`, { signal }),
  title: (titleId: string, hours: number, signal?: AbortSignal) =>
    api<TitleAnalytics>(`/api/admin/analytics/titles/${encodeURIComponent(titleId)}?${query({ hours })}`, {
      signal,
    }),
};

export const formatMs = (ms: number | null) =>
  ms === null ? '–' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
export const formatRatio = (r: number | null) =>
  r === null ? '–' : `${(r * 100).toFixed(r < 0.01 ? 2 : 1)} %`;
export const formatBitrate = (b: number | null) =>
  b === null ? '–' : b >= 1e6 ? `${(b / 1e6).toFixed(1)} Mb/s` : `${Math.round(b / 1e3)} kb/s`;
export const formatSeconds = (s: number) =>
  s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
