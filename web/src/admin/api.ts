import { api } from '../api/client';
import type { Maturity } from '../api/types';

export interface AdminAsset {
  assetId: string;
  state: 'uploading' | 'queued' | 'encoding' | 'ready' | 'failed';
  progress?: number;
  reason?: string | null;
  renditions?: { height: number; bandwidth: number; codecs?: string }[];
}

export interface AdminTitle {
  titleId: string;
  type: 'movie' | 'series' | 'episode';
  name: string;
  year?: number;
  maturity?: Maturity;
  genres?: string[];
  season?: number;
  number?: number;
  seriesId?: string | null;
  asset?: AdminAsset | null;
}

export interface EdgeStatus {
  id?: string;
  edgeId?: string;
  url?: string;
  healthy?: boolean;
  status?: string;
  load?: number;
  hitRatio?: number | { ram?: number; disk?: number; total?: number };
  heldAssets?: number;
  lastSeen?: string;
}

function list<T>(value: unknown, key: string): T[] {
  if (Array.isArray(value)) return value as T[];
  const record = value as Record<string, unknown> | undefined;
  const inner = record?.[key] ?? record?.items;
  return Array.isArray(inner) ? (inner as T[]) : [];
}

export const adminApi = {
  titles: async (signal?: AbortSignal) =>
    list<AdminTitle>(await api('/api/admin/titles', { signal }), 'titles'),
  create: (body: {
    type: 'movie' | 'series';
    name: string;
    synopsis: string;
    year: number;
    maturity: Maturity;
    genres: string[];
  }) => api<{ titleId: string }>('/api/admin/titles', { method: 'POST', body }),
  addEpisode: (seriesId: string, body: { season: number; number: number; name: string }) =>
    api<{ titleId: string }>(`/api/admin/titles/${seriesId}/episodes`, { method: 'POST', body }),
  edges: async (signal?: AbortSignal) => list<EdgeStatus>(await api('/api/admin/edges', { signal }), 'edges'),
  health: async (signal?: AbortSignal) => {
    const res = await fetch('/readyz', { signal });
    return (await res.json()) as { status: string; services: Record<string, unknown> };
  },
  queue: (signal?: AbortSignal) => api<Record<string, unknown>>('/api/admin/queue', { signal }),
};
