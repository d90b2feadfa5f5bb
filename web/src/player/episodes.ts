import type { TitleDetail } from '@marquee/contracts/api';

/** What the player needs to know about the episode after this one. */
export interface NextEpisode {
  titleId: string;
  name: string;
  season: number;
  number: number;
}

/** The episode after `titleId` in the series' order (across seasons), or null after the last one. */
export function nextEpisodeOf(series: TitleDetail | undefined, titleId: string): NextEpisode | null {
  const all = (series?.seasons ?? []).flatMap((s) => s.episodes);
  const i = all.findIndex((e) => e.titleId === titleId);
  const next = i >= 0 ? all[i + 1] : undefined;
  return next ? { titleId: next.titleId, name: next.name, season: next.season, number: next.number } : null;
}

/** The longest the next-episode prompt counts down before the end (Netflix's is about this long). */
export const NEXT_PROMPT_MAX_SECONDS = 10;

/**
 * How many seconds before the end the next-episode prompt appears: the last 10 s of an episode, but
 * never more than a quarter of it, so a short clip is watched before it is interrupted.
 */
export function nextPromptLead(duration: number): number {
  if (!(duration > 0)) return 0;
  return Math.min(NEXT_PROMPT_MAX_SECONDS, duration / 4);
}

/** Whole seconds left on the countdown at `current`, or null while the prompt is not due. */
export function countdownAt(current: number, duration: number): number | null {
  const lead = nextPromptLead(duration);
  if (lead === 0) return null;
  const left = duration - current;
  return left <= lead ? Math.max(0, Math.ceil(left)) : null;
}
