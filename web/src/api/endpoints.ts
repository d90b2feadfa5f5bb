import { api } from './client';
import type {
  EpisodeHit,
  HomeRow,
  PlaybackSession,
  Profile,
  TitleDetail,
  TitleSummary,
} from '@marquee/contracts/api';
import type { Maturity } from '@marquee/contracts/maturity';
import type { Viewing } from '../app/viewing-rules';

/** Accepts either a bare array or `{ <key>: [...] }`, so the UI tolerates both list conventions. */
function list<T>(value: unknown, key: string): T[] {
  if (Array.isArray(value)) return value as T[];
  const record = value as Record<string, unknown> | undefined;
  const inner = record?.[key] ?? record?.items;
  return Array.isArray(inner) ? (inner as T[]) : [];
}

/** A profile as users lists it: `locked` when it has a PIN (profile locks, docs/users.md). */
export type ListedProfile = Profile & { locked?: boolean };

export const profilesApi = {
  list: async (signal?: AbortSignal) =>
    list<ListedProfile>(await api('/api/profiles', { signal }), 'profiles'),
  create: (body: { name: string; kids: boolean; maxMaturity?: Maturity }) =>
    api<Profile>('/api/profiles', { method: 'POST', body }),
  update: (id: string, body: Partial<Pick<Profile, 'name' | 'kids' | 'maxMaturity'>>) =>
    api<Profile>(`/api/profiles/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api(`/api/profiles/${id}`, { method: 'DELETE' }),
};

/**
 * Profile locks. `enter` tells users this device chose a profile (a kids profile with a PIN keeps the
 * device in it; a device kept in one is refused with 403 profile.confined); `unlock` takes the PIN and
 * answers the profile key the API client then sends; the PIN itself is set with the account password.
 */
export const profileLocksApi = {
  enter: (profileId: string) =>
    api<{ confined: boolean }>(`/api/profiles/${profileId}/enter`, { method: 'POST' }),
  unlock: (profileId: string, pin: string) =>
    api<{ profileId: string; profileKey: string | null; expiresAt: string | null }>(
      `/api/profiles/${profileId}/unlock`,
      { method: 'POST', body: { pin } },
    ),
  /** `proof`: the account password or a fresh single sign-on's proof, `{password}` or `{reauthProof}`. */
  setPin: (profileId: string, pin: string, proof: { password: string } | { reauthProof: string }) =>
    api<void>(`/api/profiles/${profileId}/pin`, { method: 'PUT', body: { pin, ...proof } }),
  removePin: (profileId: string, proof: { password: string } | { reauthProof: string }) =>
    api<void>(`/api/profiles/${profileId}/pin`, { method: 'DELETE', body: proof }),
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
    const body = await api<{
      items?: TitleSummary[];
      titles?: TitleSummary[];
      nextCursor?: string | null;
      episodes?: EpisodeHit[];
    }>(`/api/titles?${qs}`, { signal });
    return {
      items: list<TitleSummary>(body, body.items ? 'items' : 'titles'),
      nextCursor: body.nextCursor ?? null,
      episodes: body.episodes ?? [],
    };
  },
  /** With a profile, the catalog answers 404 for a title above the profile's maturity limit. */
  get: (titleId: string, signal?: AbortSignal, profileId?: string) =>
    api<TitleDetail>(`/api/titles/${titleId}${profileId ? `?profileId=${profileId}` : ''}`, { signal }),
};

/** Runs `fn` over `items` with at most `limit` calls in flight (My List can hold hundreds of titles). */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export const listApi = {
  /** The title ids in My List, newest first. */
  ids: async (profileId: string, signal?: AbortSignal) =>
    list<{ titleId: string }>(await api(`/api/profiles/${profileId}/list`, { signal }), 'items').map(
      (i) => i.titleId,
    ),
  /** My List with each title's details; titles that are gone from the catalog are left out. */
  all: async (profileId: string, signal?: AbortSignal) => {
    const ids = await listApi.ids(profileId, signal);
    const titles = await mapLimited(ids, 6, (id) => titlesApi.get(id, signal, profileId).catch(() => null));
    return titles.filter((t): t is TitleDetail => t !== null);
  },
  add: (profileId: string, titleId: string) =>
    api(`/api/profiles/${profileId}/list/${titleId}`, { method: 'PUT' }),
  remove: (profileId: string, titleId: string) =>
    api(`/api/profiles/${profileId}/list/${titleId}`, { method: 'DELETE' }),
  rating: async (profileId: string, titleId: string) =>
    (await api<{ rating: 'up' | 'down' | null }>(`/api/profiles/${profileId}/ratings/${titleId}`)).rating,
  rate: (profileId: string, titleId: string, rating: 'up' | 'down' | null) =>
    api(`/api/profiles/${profileId}/ratings/${titleId}`, { method: 'PUT', body: { rating } }),
};

export const historyApi = {
  /** The profile's viewing history with resume positions, most recent first. */
  all: async (profileId: string, signal?: AbortSignal) =>
    list<Viewing>(await api(`/api/profiles/${profileId}/history`, { signal }), 'items'),
};

export const playbackApi = {
  /** Given a series, the server picks the episode (resume, else the first) and names it in `titleId`. */
  start: (profileId: string, titleId: string) =>
    api<PlaybackSession & { titleId?: string }>('/api/playback', {
      method: 'POST',
      body: { profileId, titleId },
    }),
  heartbeat: (sessionId: string, position: number) =>
    api(`/api/playback/${sessionId}/heartbeat`, { method: 'POST', body: { position } }),
  /** `keepalive` lets the request outlive the page (sent from pagehide on reload or close). */
  stop: (sessionId: string, position?: number, keepalive = false) =>
    api(`/api/playback/${sessionId}`, {
      method: 'DELETE',
      keepalive,
      ...(position !== undefined ? { body: { position } } : {}),
    }),
};
