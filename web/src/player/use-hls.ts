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
  /** Cues of the subtitle track that is on (empty when subtitles are off), in time order. */
  subtitleCues: SubtitleCue[];
}

/** One subtitle line as the player draws it (plain text: WebVTT's <i>/<b> tags are dropped). */
export interface SubtitleCue {
  start: number;
  end: number;
  text: string;
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
  subtitleCues: [],
};

function plainCue(cue: VTTCue): SubtitleCue {
  return { start: cue.startTime, end: cue.endTime, text: cue.text.replace(/<[^>]+>/g, '') };
}

/** Adds newly parsed cues to a track's, skipping ones already there (segments overlap on seeks). */
function mergeCues(have: SubtitleCue[], parsed: SubtitleCue[]): SubtitleCue[] {
  const seen = new Set(have.map((c) => `${c.start}|${c.end}|${c.text}`));
  const fresh = parsed.filter((c) => !seen.has(`${c.start}|${c.end}|${c.text}`));
  return fresh.length === 0 ? have : [...have, ...fresh].sort((a, b) => a.start - b.start);
}

/**
 * Attaches hls.js to a video element. Content steering (EXT-X-CONTENT-STEERING) is on by default in
 * hls.js, so when an edge dies the player moves to the next pathway the steering server ranks.
 * Subtitles are drawn by the player (Subtitles.tsx), not the browser: native text tracks sit at the
 * bottom of the <video> box — under the controls on a desktop, below the picture on a phone — and
 * hls.js feeds them through a `<track src="data:,WEBVTT">` the content security policy refuses.
 */
export function useHls(
  video: HTMLVideoElement | null,
  manifestUrl: string | null,
  startAt: number,
  attempt: number,
) {
  const hlsRef = useRef<Hls | null>(null);
  const [state, setState] = useState<HlsState>(initial);

  const [hls, setHls] = useState<Hls | null>(null);

  // hls.js is created and attached as soon as the <video> exists, before the playback session has
  // answered: its transmux worker and the MediaSource get ready while the session call is in flight
  // (about 50 ms off the time to first frame; see bench/startup).
  useEffect(() => {
    if (!video || !Hls.isSupported()) return;
    const instance = new Hls({
      autoStartLoad: true,
      capLevelToPlayerSize: false,
      renderTextTracksNatively: false,
      maxBufferLength: 30,
      // Load the first fragment (and its key) as soon as its playlist is read, without waiting for
      // the MediaSource to open. A prepared Play (prepare-playback.ts) reads master and playlists from
      // memory before the <video> is attached; without this hls.js then waits for its next 100 ms
      // tick to ask for the first fragment (bench/startup's trace: 90 ms of a prepared play).
      startFragPrefetch: true,
      // CMCD (CTA-5004) on every media request, as a query argument (a header would need a CORS
      // preflight per segment): session, buffer and throughput for the edges' access records.
      cmcd: { useHeaders: false },
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
    const sync = () =>
      setState((s) => ({
        ...s,
        levels: instance.levels,
        level: instance.manualLevel,
        autoLevel: instance.currentLevel,
        audioTracks: instance.audioTracks,
        audioTrack: instance.audioTrack,
        subtitleTracks: instance.subtitleTracks,
        subtitleTrack: instance.subtitleTrack,
      }));
    instance.on(Hls.Events.MANIFEST_PARSED, sync);
    instance.on(Hls.Events.LEVEL_SWITCHED, sync);
    instance.on(Hls.Events.AUDIO_TRACKS_UPDATED, sync);
    instance.on(Hls.Events.AUDIO_TRACK_SWITCHED, sync);
    instance.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, sync);
    instance.on(Hls.Events.SUBTITLE_TRACK_SWITCH, () => {
      sync();
      setState((s) => ({ ...s, subtitleCues: [] }));
    });
    instance.on(Hls.Events.CUES_PARSED, (_e, data) => {
      if (data.type !== 'subtitles') return;
      // Cues of a track the viewer has just switched away from may still arrive.
      const from = data.subtitleTrack ? instance.subtitleTracks.indexOf(data.subtitleTrack) : -2;
      if (from !== -2 && from !== instance.subtitleTrack) return;
      const parsed = (data.cues as VTTCue[]).map(plainCue);
      setState((s) => ({ ...s, subtitleCues: mergeCues(s.subtitleCues, parsed) }));
    });
    instance.on(Hls.Events.ERROR, (_e, data: ErrorData) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        instance.recoverMediaError();
        return;
      }
      setState((s) => ({
        ...s,
        fatal: data.type === Hls.ErrorTypes.NETWORK_ERROR ? 'network' : data.details,
      }));
    });
    instance.attachMedia(video);
    hlsRef.current = instance;
    setHls(instance);
    (window as unknown as { __marqueeHls?: Hls }).__marqueeHls = instance;
    return () => {
      instance.destroy();
      hlsRef.current = null;
      setHls(null);
    };
  }, [video, attempt]);

  // The session's manifest, once it is known, from the saved position.
  useEffect(() => {
    if (!video || !manifestUrl) return;
    setState(initial);
    if (!Hls.isSupported()) {
      video.src = manifestUrl;
      if (startAt > 0) video.currentTime = startAt;
      return;
    }
    if (!hls) return;
    hls.config.startPosition = startAt > 0 ? startAt : -1;
    hls.loadSource(manifestUrl);
  }, [hls, manifestUrl]); // startAt is read once per manifest on purpose

  return {
    state,
    /** The hls.js instance (null before the <video> exists and on browsers with native HLS). */
    instance: hls,
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
