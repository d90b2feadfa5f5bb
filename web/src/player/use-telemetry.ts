import Hls, { type ErrorData, type LevelSwitchedData } from 'hls.js';
import { useEffect, useRef } from 'react';
import type { PlaybackSession } from '@marquee/contracts/api';
import { api } from '../api/client';
import { currentRendition, TelemetryCollector } from './telemetry';

/** A batch this often while playing; the first one soon after the start, so start times show quickly. */
const BATCH_EVERY_MS = 30_000;
const FIRST_BATCH_AFTER_MS = 2_000;

/**
 * Reports the session's quality of experience to the analytics service (docs/analytics.md): startup
 * time, stalls, rendition switches, dropped frames, errors, the edge in use and watch time. Batches go
 * every 30 s and when the page is hidden or the player closes, as keepalive requests: a beacon
 * (navigator.sendBeacon) cannot carry the Authorization header the gateway checks, and a keepalive
 * fetch outlives the page the same way.
 */
export function useTelemetry(
  session: PlaybackSession | null,
  video: HTMLVideoElement | null,
  hls: Hls | null,
) {
  // Play was pressed when the player page opened; a later session (retry, next episode) starts when it arrives.
  const openedAt = useRef(performance.now());
  const current = useRef<{ sessionId: string; collector: TelemetryCollector } | null>(null);

  useEffect(() => {
    if (!session || !video) return;
    if (current.current?.sessionId !== session.sessionId) {
      const startedAt = current.current ? performance.now() : openedAt.current;
      current.current = { sessionId: session.sessionId, collector: new TelemetryCollector(startedAt) };
    }
    const collector = current.current.collector;
    const now = () => performance.now();
    const send = (keepalive: boolean) => {
      collector.edge = hls?.pathwayPriority?.[0] ?? collector.edge;
      const quality = video.getVideoPlaybackQuality?.();
      if (quality) collector.droppedFrames(quality.droppedVideoFrames);
      if (!collector.hasNews) return;
      void api(`/api/playback/${session.sessionId}/telemetry`, {
        method: 'POST',
        body: collector.take(now()),
        keepalive,
      }).catch(() => undefined);
    };
    let first: number | undefined;
    const onPlaying = () => {
      collector.playing(now());
      first ??= window.setTimeout(() => send(false), FIRST_BATCH_AFTER_MS);
    };
    const onWaiting = () => collector.waiting(now(), video.currentTime, video.seeking);
    const onTime = () => {
      if (!video.paused && !video.seeking)
        collector.progressed(video.currentTime, currentRendition(hls)?.bitrate);
    };
    const onInterrupt = () => collector.interrupted();
    const onHidden = () => document.visibilityState === 'hidden' && send(true);
    const onPageHide = () => send(true);
    const onSwitch = (_e: unknown, data: LevelSwitchedData) => {
      const level = hls?.levels[data.level];
      if (level) collector.switched(video.currentTime, level.bitrate, level.height);
    };
    const onError = (_e: unknown, data: ErrorData) => collector.failed(data.type, data.fatal, data.details);

    // One signal removes every DOM listener at cleanup.
    const listening = new AbortController();
    const on = { signal: listening.signal };
    video.addEventListener('playing', onPlaying, on);
    video.addEventListener('waiting', onWaiting, on);
    video.addEventListener('timeupdate', onTime, on);
    video.addEventListener('seeking', onInterrupt, on);
    video.addEventListener('pause', onInterrupt, on);
    document.addEventListener('visibilitychange', onHidden, on);
    window.addEventListener('pagehide', onPageHide, on);
    hls?.on(Hls.Events.LEVEL_SWITCHED, onSwitch);
    hls?.on(Hls.Events.ERROR, onError);
    const timer = window.setInterval(() => send(false), BATCH_EVERY_MS);
    return () => {
      window.clearInterval(timer);
      if (first !== undefined) window.clearTimeout(first);
      listening.abort();
      hls?.off(Hls.Events.LEVEL_SWITCHED, onSwitch);
      hls?.off(Hls.Events.ERROR, onError);
      send(true);
    };
  }, [session, video, hls]);
}
