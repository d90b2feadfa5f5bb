import { useEffect, useState } from 'react';
import type { PlaybackSession } from '@marquee/contracts/api';
import { parseTrickplayVtt, type TrickplayCue } from './trickplay';

/**
 * Trickplay thumbnails for the seek bar, fetched once the picture is up so they never compete with
 * the first segments for the connection.
 */
export function useTrickplay(
  session: PlaybackSession | null,
  video: HTMLVideoElement | null,
): TrickplayCue[] {
  const [cues, setCues] = useState<TrickplayCue[]>([]);
  useEffect(() => {
    if (!session || !video) return;
    const url = session.trickplayUrl ?? new URL('trickplay.vtt', session.manifestUrl).href;
    const ctrl = new AbortController();
    const load = () =>
      fetch(url, { signal: ctrl.signal })
        .then((r) => (r.ok ? r.text() : ''))
        .then((text) => setCues(parseTrickplayVtt(text, url)))
        .catch(() => setCues([]));
    video.addEventListener('playing', load, { once: true });
    return () => {
      video.removeEventListener('playing', load);
      ctrl.abort();
    };
  }, [session, video]);
  return cues;
}
