import { accessToken, api, ApiError } from '../api/client';
import type { Maturity } from '@marquee/contracts/maturity';
import type { NewTitle, TitleChanges } from '@marquee/contracts/api';

export interface AdminAsset {
  assetId: string;
  state: 'uploading' | 'queued' | 'encoding' | 'ready' | 'failed';
  progress?: number;
  /** What the encoder is doing now (probe, ladder, trickplay…). */
  stage?: string | null;
  reason?: string | null;
  renditions?: { height: number; bandwidth: number; codecs?: string }[];
}

export interface AdminTitle {
  titleId: string;
  type: 'movie' | 'series' | 'episode';
  name: string;
  synopsis?: string;
  /** Visible to viewers; false once the operator unpublished it (or before anything was ready). */
  published?: boolean;
  year?: number;
  maturity?: Maturity;
  genres?: string[];
  season?: number;
  number?: number;
  seriesId?: string | null;
  asset?: AdminAsset | null;
  episodes?: AdminTitle[];
}

/** As GET /api/admin/edges reports each edge (streaming's view, from the edges' own reports). */
export interface EdgeStatus {
  edgeId: string;
  url: string;
  healthy: boolean;
  /** Reported recently enough to be steered to. */
  live: boolean;
  load: number;
  heldAssets: number;
  lastSeen: string;
  /** Cache hit ratios since the edge started (0…1): RAM tier, disk tier (of RAM misses), overall. */
  hitRatio?: { ram: number; disk: number; total: number; bytes?: number; originBytes?: number };
}

/** One service in GET /api/admin/health: readiness of each of its instances. */
export interface ServiceHealth {
  status: 'ready' | 'not_ready';
  instances: { url: string; ready: boolean; detail?: string }[];
}

/** The gateway's resilience state towards one upstream service. */
export interface UpstreamHealth {
  circuit: string;
  concurrencyLimit: number;
  inflight: number;
  /** Calls waiting in the limiter's short backlog for a slot. */
  waiting: number;
  shed: number;
}

export interface AdminHealth {
  status: string;
  services: Record<string, ServiceHealth>;
  upstreams?: Record<string, UpstreamHealth>;
}

function list<T>(value: unknown, key: string): T[] {
  if (Array.isArray(value)) return value as T[];
  const record = value as Record<string, unknown> | undefined;
  const inner = record?.[key] ?? record?.items;
  return Array.isArray(inner) ? (inner as T[]) : [];
}

/** Newest first; a series is followed by its episodes (the list itself holds movies and series only). */
async function titlesWithEpisodes(signal?: AbortSignal): Promise<AdminTitle[]> {
  const top: AdminTitle[] = [];
  let cursor: string | null = null;
  // A console page shows a few hundred titles at most; stop there rather than page forever.
  for (let page = 0; page < 10; page++) {
    const qs: string = cursor ? `?cursor=${encodeURIComponent(cursor)}&limit=100` : '?limit=100';
    const body: { items?: AdminTitle[]; nextCursor?: string | null } = await api(`/api/admin/titles${qs}`, {
      signal,
    });
    top.push(...(body.items ?? []));
    cursor = body.nextCursor ?? null;
    if (!cursor) break;
  }
  const withEpisodes = await Promise.all(
    top.map(async (t) => {
      if (t.type !== 'series') return [t];
      const detail = await api<AdminTitle>(`/api/admin/titles/${t.titleId}`, { signal });
      const episodes = [...(detail.episodes ?? [])].sort(
        (a, b) => (a.season ?? 0) - (b.season ?? 0) || (a.number ?? 0) - (b.number ?? 0),
      );
      return [t, ...episodes];
    }),
  );
  return withEpisodes.flat();
}

/** As GET /api/admin/users lists an account. */
export interface AdminAccount {
  accountId: string;
  email: string;
  role: 'viewer' | 'admin';
  plan: 'basic' | 'standard' | 'premium';
  disabled: boolean;
  createdAt: string;
}

/** The poster goes as the image itself (the API takes JPEG, PNG or WebP up to 1 MiB). */
async function uploadPoster(titleId: string, file: File): Promise<void> {
  const token = await accessToken();
  const res = await fetch(`/api/admin/titles/${encodeURIComponent(titleId)}/poster`, {
    method: 'PUT',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': file.type },
    body: file,
  });
  if (res.ok) return;
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
  const message =
    res.status === 413
      ? 'The image is larger than 1 MiB'
      : res.status === 415
        ? 'Use a JPEG, PNG or WebP image'
        : (body.detail ?? 'The poster could not be uploaded');
  throw new ApiError(res.status, body.code ?? 'unknown', message, body);
}

export const adminApi = {
  update: (titleId: string, changes: TitleChanges) =>
    api<void>(`/api/admin/titles/${encodeURIComponent(titleId)}`, { method: 'PATCH', body: changes }),
  remove: (titleId: string) =>
    api<void>(`/api/admin/titles/${encodeURIComponent(titleId)}`, { method: 'DELETE' }),
  uploadPoster,
  accounts: async (q: string, signal?: AbortSignal) =>
    list<AdminAccount>(
      await api(`/api/admin/users?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`, { signal }),
      'items',
    ),
  changeAccount: (accountId: string, changes: Partial<Pick<AdminAccount, 'role' | 'plan' | 'disabled'>>) =>
    api<AdminAccount>(`/api/admin/users/${encodeURIComponent(accountId)}`, {
      method: 'PATCH',
      body: changes,
    }),
  titles: titlesWithEpisodes,
  create: (body: NewTitle) => api<{ titleId: string }>('/api/admin/titles', { method: 'POST', body }),
  addEpisode: (seriesId: string, body: { season: number; number: number; name: string }) =>
    api<{ titleId: string }>(`/api/admin/titles/${seriesId}/episodes`, { method: 'POST', body }),
  edges: async (signal?: AbortSignal) => list<EdgeStatus>(await api('/api/admin/edges', { signal }), 'items'),
  health: (signal?: AbortSignal) => api<AdminHealth>('/api/admin/health', { signal }),
};
