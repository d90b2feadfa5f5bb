import type { TitleDetail } from '@marquee/contracts/api';
import { episodeToPlay } from '@marquee/contracts/series-play';
import { isFinishedViewing } from '@marquee/contracts/viewing';

/** "S1:E3", as the series Play button and the player header name an episode. */
export function episodeCode(season: number, number: number): string {
  return `S${season}:E${number}`;
}

/** One title in the profile's viewing history (GET /api/profiles/:id/history). */
export interface Viewing {
  titleId: string;
  position: number;
  duration: number | null;
  completed: boolean;
}

/** Share of a title watched, 0..1, for progress bars; 0 when unwatched or finished. */
export function progressOf(v: Viewing | undefined): number {
  if (!v || v.completed || !v.duration || v.duration <= 0) return 0;
  if (isFinishedViewing(v.position, v.duration)) return 0;
  return Math.min(1, Math.max(0, v.position / v.duration));
}

export interface PlayChoice {
  /** "Resume", "Play", "Resume S1:E3" or "Play S1:E1". */
  label: string;
  /** The episode Play starts, for a series. */
  episodeId?: string;
}

/**
 * What the Play button says before it is pressed, using the same rule the server applies when it is
 * (a series resumes its most recent unfinished episode, else plays the next, else the first).
 */
export function playChoice(title: TitleDetail, recentFirst: readonly Viewing[]): PlayChoice {
  const byId = new Map(recentFirst.map((v) => [v.titleId, v]));
  if (title.type !== 'series') return { label: progressOf(byId.get(title.titleId)) > 0 ? 'Resume' : 'Play' };
  const episodes = (title.seasons ?? []).flatMap((s) => s.episodes);
  const episodeId = episodeToPlay(episodes, recentFirst);
  const episode = episodes.find((e) => e.titleId === episodeId);
  if (!episode) return { label: 'Play' };
  const verb = progressOf(byId.get(episode.titleId)) > 0 ? 'Resume' : 'Play';
  return { label: `${verb} ${episodeCode(episode.season, episode.number)}`, episodeId };
}

/** Row items with the share watched filled in from the history, for the cards' progress bars. */
export function withProgress<T extends { titleId: string; progress?: number }>(
  items: readonly T[],
  recentFirst: readonly Viewing[],
): T[] {
  const byId = new Map(recentFirst.map((v) => [v.titleId, v]));
  return items.map((i) =>
    i.progress !== undefined ? i : { ...i, progress: progressOf(byId.get(i.titleId)) },
  );
}
