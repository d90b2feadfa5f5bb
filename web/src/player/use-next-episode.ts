import { useEffect, useState } from 'react';
import type { Profile, TitleDetail } from '@marquee/contracts/api';
import { titlesApi } from '../api/endpoints';
import { navigate } from '../app/router';
import { countdownAt, nextEpisodeOf, type NextEpisode } from './episodes';

/** An episode as the catalog answers it: its series, season and number ride along. */
export type PlayingTitle = TitleDetail & { seriesId?: string; season?: number; number?: number };

/**
 * What is playing (for the header and the tab title), its series and the episode after it, and the
 * next-episode countdown: it appears a few seconds before the end (nextPromptLead), follows the
 * video's clock (so pausing pauses it), and when the episode ends the next one starts. Dismissing
 * it lets the credits run.
 */
export function useNextEpisode(
  profile: Profile | null,
  playingId: string,
  time: { current: number; duration: number; ended: boolean },
) {
  const [title, setTitle] = useState<PlayingTitle | null>(null);
  const [series, setSeries] = useState<TitleDetail | null>(null);
  const [dismissed, setDismissed] = useState(false);

  useEffect(() => {
    if (!profile) return;
    let cancelled = false;
    setDismissed(false);
    titlesApi.get(playingId, undefined, profile.profileId).then(
      async (t: PlayingTitle) => {
        if (cancelled) return;
        setTitle(t);
        if (!t.seriesId) return setSeries(null);
        const s = await titlesApi.get(t.seriesId, undefined, profile.profileId);
        if (!cancelled) setSeries(s);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [profile, playingId]);

  const next: NextEpisode | null = series ? nextEpisodeOf(series, playingId) : null;
  const countdown = next && !dismissed ? countdownAt(time.current, time.duration) : null;

  useEffect(() => {
    if (next && !dismissed && time.ended) navigate(`/watch/${next.titleId}`, { replace: true });
  }, [next, dismissed, time.ended]);

  return {
    title,
    series,
    next,
    /** Seconds until the next episode starts, while the prompt shows; else null. */
    countdown: time.ended && next && !dismissed ? 0 : countdown,
    dismiss: () => setDismissed(true),
  };
}
