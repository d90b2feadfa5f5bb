import Hls, { type ErrorData, type Level, type MediaPlaylist } from 'hls.js';
import { useEffect, useRef, useState } from 'react';

export interface HlsState {
  levels: Level[];
  /** -1 = automatic. */
  level: number;
  autoLevel: number;
  audioTracks: MediaPlaylist[];
  audioTrack: number;
  subtitleTracks: MediaPlaylist[];
  subtitleTrack: number;
  fatal: string | null;
}

const initial: HlsState = {
  levels: [],
  level: -1,
  autoLevel: -1,
  audioTracks: [],
  audioTrack: -1,
  subtitleTracks: [],
  subtitleTrack: -1,
  fatal: null,
};

/**
 * Attaches hls.js to a video element. Content steering (EXT-X-CONTENT-STEERING) is on by default in
 * hls.js, so when an edge dies the player moves to the next pathway the steering server ranks.
 */
export function useHls(
  video: HTMLVideoElement | null,
  manifestUrl: string | null,
  startAt: number,
  attempt: number,
) {
  const hlsRef = useRef<Hls | null>(null);
  const [state, setState] = useState<HlsState>(initial);

  useEffect(() => {
    if (!video || !manifestUrl) return;
    setState(initial);
    if (!Hls.isSupported()) {
      video.src = manifestUrl;
      return;
    }
    const hls = new Hls({
      startPosition: startAt > 0 ? startAt : -1,
      capLevelToPlayerSize: false,
      maxBufferLength: 30,
      // Retry segment and playlist loads across pathways before declaring the stream dead.
      fragLoadPolicy: {
        default: {
          maxTimeToFirstByteMs: 8000,
          maxLoadTimeMs: 20000,
          timeoutRetry: { maxNumRetry: 4, retryDelayMs: 0, maxRetryDelayMs: 0 },
          errorRetry: { maxNumRetry: 6, retryDelayMs: 500, maxRetryDelayMs: 4000 },
        },
      },
    });
    hlsRef.current = hls;
    const sync = () =>
      setState((s) => ({
        ...s,
        levels: hls.levels,
        level: hls.manualLevel,
        autoLevel: hls.currentLevel,
        audioTracks: hls.audioTracks,
        audioTrack: hls.audioTrack,
        subtitleTracks: hls.subtitleTracks,
        subtitleTrack: hls.subtitleTrack,
      }));
    hls.on(Hls.Events.MANIFEST_PARSED, sync);
    hls.on(Hls.Events.LEVEL_SWITCHED, sync);
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, sync);
    hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, sync);
    hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, sync);
    hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, sync);
    hls.on(Hls.Events.ERROR, (_e, data: ErrorData) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      setState((s) => ({
        ...s,
        fatal: data.type === Hls.ErrorTypes.NETWORK_ERROR ? 'network' : data.details,
      }));
    });
    hls.loadSource(manifestUrl);
    hls.attachMedia(video);
    (window as unknown as { __marqueeHls?: Hls }).__marqueeHls = hls;
    return () => {
      hls.destroy();
      hlsRef.current = null;
    };
  }, [video, manifestUrl, attempt]); // startAt is read once per attach on purpose

  return {
    state,
    setLevel: (level: number) => {
      if (hlsRef.current) hlsRef.current.currentLevel = level;
      setState((s) => ({ ...s, level }));
    },
    setAudioTrack: (index: number) => {
      if (hlsRef.current) hlsRef.current.audioTrack = index;
    },
    setSubtitleTrack: (index: number) => {
      if (!hlsRef.current) return;
      hlsRef.current.subtitleDisplay = index >= 0;
      hlsRef.current.subtitleTrack = index;
    },
  };
}
