import { api } from './client';
import type { HomeRow, Maturity, PlaybackSession, Profile, TitleDetail, TitleSummary } from './types';

/** Accepts either a bare array or `{ <key>: [...] }`, so the UI tolerates both list conventions. */
function list<T>(value: unknown, key: string): T[] {
  if (Array.isArray(value)) return value as T[];
  const record = value as Record<string, unknown> | undefined;
  const inner = record?.[key] ?? record?.items;
  return Array.isArray(inner) ? (inner as T[]) : [];
}

export const profilesApi = {
  list: async (signal?: AbortSignal) => list<Profile>(await api('/api/profiles', { signal }), 'profiles'),
  create: (body: { name: string; kids: boolean; maxMaturity?: Maturity }) =>
    api<Profile>('/api/profiles', { method: 'POST', body }),
  update: (id: string, body: Partial<Pick<Profile, 'name' | 'kids' | 'maxMaturity'>>) =>
    api<Profile>(`/api/profiles/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api(`/api/profiles/${id}`, { method: 'DELETE' }),
};

export const homeApi = {
  rows: async (profileId: string, signal?: AbortSignal) =>
    list<HomeRow>(await api(`/api/profiles/${profileId}/home`, { signal }), 'rows'),
};

export const titlesApi = {
  search: async (
    params: { q?: string; genre?: string; profileId?: string; cursor?: string },
    signal?: AbortSignal,
  ) => {
    const qs = new URLSearchParams(
      Object.entries(params).filter((e): e is [string, string] => Boolean(e[1])),
    );
    const body = await api<{ items?: TitleSummary[]; titles?: TitleSummary[]; nextCursor?: string | null }>(
      `/api/titles?${qs}`,
      { signal },
    );
    return {
      items: list<TitleSummary>(body, body.items ? 'items' : 'titles'),
      nextCursor: body.nextCursor ?? null,
    };
  },
  get: (titleId: string, signal?: AbortSignal) => api<TitleDetail>(`/api/titles/${titleId}`, { signal }),
};

export const listApi = {
  all: async (profileId: string, signal?: AbortSignal) =>
    list<TitleSummary>(await api(`/api/profiles/${profileId}/list`, { signal }), 'items'),
  has: async (profileId: string, titleId: string) => {
    try {
      await api(`/api/profiles/${profileId}/list/${titleId}`);
      return true;
    } catch {
      return false;
    }
  },
  add: (profileId: string, titleId: string) =>
    api(`/api/profiles/${profileId}/list/${titleId}`, { method: 'PUT' }),
  remove: (profileId: string, titleId: string) =>
    api(`/api/profiles/${profileId}/list/${titleId}`, { method: 'DELETE' }),
  rate: (profileId: string, titleId: string, rating: 'up' | 'down' | null) =>
    api(`/api/profiles/${profileId}/ratings/${titleId}`, { method: 'PUT', body: { rating } }),
};

export const playbackApi = {
  start: (profileId: string, titleId: string) =>
    api<PlaybackSession>('/api/playback', { method: 'POST', body: { profileId, titleId } }),
  heartbeat: (sessionId: string, position: number) =>
    api(`/api/playback/${sessionId}/heartbeat`, { method: 'POST', body: { position } }),
  stop: (sessionId: string) => api(`/api/playback/${sessionId}`, { method: 'DELETE' }),
};
