import { useEffect } from 'react';
import type { PlaybackSession } from '@marquee/contracts/api';
import { ApiError } from '../api/client';
import { playbackApi } from '../api/endpoints';

/** Used until the session says how often it wants to hear from the player. */
const DEFAULT_HEARTBEAT_SECONDS = 10;

/**
 * Keeps the session's stream lease with heartbeats that carry the position (for resume), and gives
 * the slot back when the viewer leaves (unmount, retry, reload or closed tab) with the last position.
 * The position is tracked rather than read at the end: by the time the cleanup runs, hls.js has
 * detached from the <video> and its currentTime reads 0, which would erase the viewer's place.
 */
export function useSessionLease(session: PlaybackSession | null, video: HTMLVideoElement | null): void {
  useEffect(() => {
    if (!session || !video) return;
    let position = session.resumeAt;
    const track = () => {
      if (video.readyState > 0) position = video.currentTime;
    };
    const beat = () => void playbackApi.heartbeat(session.sessionId, position).catch(() => undefined);
    const every = (session.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_SECONDS) * 1000;
    const timer = window.setInterval(beat, every);
    let stopped = false;
    const stop = (keepalive: boolean) => {
      if (stopped) return;
      stopped = true;
      const send = () => playbackApi.stop(session.sessionId, position, keepalive);
      // A lost stop holds the stream slot for the lease's minute: one more try 2 s after a failure that
      // may pass (no answer, a 5xx), none after a refusal (a 4xx: the session is gone or not ours).
      void send().catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status < 500))
          window.setTimeout(() => void send().catch(() => undefined), 2_000);
      });
    };
    // A reload or a closed tab unmounts nothing: without this the old session would hold the stream
    // slot until its lease ran out, and a basic-plan viewer reloading would be refused.
    const onPageHide = () => stop(true);
    const onPause = () => {
      track();
      beat();
    };
    video.addEventListener('timeupdate', track);
    video.addEventListener('pause', onPause);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.clearInterval(timer);
      video.removeEventListener('timeupdate', track);
      video.removeEventListener('pause', onPause);
      window.removeEventListener('pagehide', onPageHide);
      stop(false);
    };
  }, [session, video]);
}
