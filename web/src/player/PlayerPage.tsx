import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { playbackApi, titlesApi } from '../api/endpoints';
import type { PlaybackSession, TitleDetail } from '@marquee/contracts/api';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { clock, refusalMessage } from './format';
import { SeekBar } from './SeekBar';
import { TrackMenu } from './TrackMenu';
import { parseTrickplayVtt, type TrickplayCue } from './trickplay';
import { useHls } from './use-hls';
import { Icon } from '../components/Icon';

/** Used until the session says how often it wants to hear from the player. */
const DEFAULT_HEARTBEAT_SECONDS = 10;

function nextEpisodeOf(
  series: TitleDetail | undefined,
  titleId: string,
): { titleId: string; name: string } | null {
  const all = (series?.seasons ?? []).flatMap((s) => s.episodes);
  const i = all.findIndex((e) => e.titleId === titleId);
  const next = i >= 0 ? all[i + 1] : undefined;
  return next ? { titleId: next.titleId, name: next.name } : null;
}

export function PlayerPage({ titleId }: { titleId: string }) {
  const { profile } = useSession();
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [session, setSession] = useState<PlaybackSession | null>(null);
  const [title, setTitle] = useState<TitleDetail | null>(null);
  // A series id plays the episode the server picks (resume, else the first); its answer names it.
  const [playingId, setPlayingId] = useState(titleId);
  const [next, setNext] = useState<{ titleId: string; name: string } | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [cues, setCues] = useState<TrickplayCue[]>([]);
  const [time, setTime] = useState({ current: 0, duration: 0, buffered: 0, paused: true, muted: false });
  const [ended, setEnded] = useState(false);
  const [chrome, setChrome] = useState(true);
  const hideTimer = useRef<number | undefined>(undefined);
  const container = useRef<HTMLDivElement>(null);

  // Start (or restart after a retry) a playback session. A session is a stream slot, so none may
  // leak: the start waits a microtask (StrictMode's immediate unmount-remount cancels it before any
  // request), and a session that answers after the page gave up on it is stopped at once.
  useEffect(() => {
    if (!profile) return;
    let cancelled = false;
    setRefusal(null);
    queueMicrotask(() => {
      if (cancelled) return;
      playbackApi.start(profile.profileId, titleId).then(
        (s) => {
          if (cancelled) void playbackApi.stop(s.sessionId).catch(() => undefined);
          else {
            setSession(s);
            if (s.titleId) setPlayingId(s.titleId);
          }
        },
        (err: unknown) => {
          if (cancelled) return;
          setRefusal(
            err instanceof ApiError
              ? refusalMessage(err.code, err.message)
              : 'Could not reach Marquee. Check your connection.',
          );
        },
      );
    });
    return () => {
      cancelled = true;
    };
  }, [profile, titleId, attempt]);

  // The header and the next episode follow what is playing, which for a series is known once the
  // session answers.
  useEffect(() => {
    if (!profile) return;
    let cancelled = false;
    titlesApi.get(playingId, undefined, profile.profileId).then(
      async (t) => {
        if (cancelled) return;
        setTitle(t);
        const parentId = (t as TitleDetail & { seriesId?: string }).seriesId;
        if (parentId) {
          const series = await titlesApi.get(parentId, undefined, profile.profileId);
          if (!cancelled) setNext(nextEpisodeOf(series, playingId));
        }
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [profile, playingId]);

  const hls = useHls(video, session?.manifestUrl ?? null, session?.resumeAt ?? 0, attempt);

  // Trickplay thumbnails for the seek bar, fetched once the picture is up so they never compete
  // with the first segments for the connection.
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

  // Heartbeats carry the position for resume and keep the stream lease alive; leaving the page (or
  // retrying, which starts a new session) stops the session with the last position, freeing the slot.
  // The position is tracked rather than read at the end: by the time this cleanup runs, hls.js has
  // detached from the <video> and its currentTime reads 0, which would erase the viewer's place. The
  // <video> exists from the first render, long before the session answers.
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
      void playbackApi.stop(session.sessionId, position, keepalive).catch(() => undefined);
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

  useEffect(() => {
    if (!video) return;
    const update = () => {
      const b = video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : 0;
      setTime({
        current: video.currentTime,
        duration: video.duration || 0,
        buffered: b,
        paused: video.paused,
        muted: video.muted,
      });
    };
    const onEnded = () => setEnded(true);
    const events = ['timeupdate', 'durationchange', 'progress', 'play', 'pause', 'volumechange'];
    for (const e of events) video.addEventListener(e, update);
    video.addEventListener('ended', onEnded);
    void video.play().catch(() => undefined);
    return () => {
      for (const e of events) video.removeEventListener(e, update);
      video.removeEventListener('ended', onEnded);
    };
  }, [video, session]);

  // A retry starts over: a new session (the old one is stopped) and a new hls.js instance.
  const retry = () => {
    setSession(null);
    setAttempt((a) => a + 1);
  };

  const toggle = useCallback(() => {
    if (!video) return;
    if (video.paused) void video.play();
    else video.pause();
  }, [video]);
  const seekBy = useCallback(
    (d: number) =>
      video && (video.currentTime = Math.max(0, Math.min(video.duration || 0, video.currentTime + d))),
    [video],
  );
  const fullscreen = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void container.current?.requestFullscreen();
  }, []);

  // Keyboard shortcuts: space play/pause, arrows seek and volume, f fullscreen, m mute.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!video || (e.target as HTMLElement).closest('input, select, textarea')) return;
      const actions: Record<string, () => void> = {
        ' ': toggle,
        k: toggle,
        ArrowLeft: () => seekBy(-10),
        ArrowRight: () => seekBy(10),
        ArrowUp: () => (video.volume = Math.min(1, video.volume + 0.1)),
        ArrowDown: () => (video.volume = Math.max(0, video.volume - 0.1)),
        f: fullscreen,
        m: () => (video.muted = !video.muted),
        Escape: () => navigate(`/title/${titleId}`),
      };
      const action = actions[e.key];
      if (action) {
        e.preventDefault();
        action();
        reveal();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const reveal = () => {
    setChrome(true);
    window.clearTimeout(hideTimer.current);
    hideTimer.current = window.setTimeout(() => setChrome(false), 3000);
  };

  const s = hls.state;
  const heights = [...new Set(s.levels.map((l) => l.height))];
  const qualityOptions = [
    {
      value: -1,
      label: `Auto${s.level === -1 && s.levels[s.autoLevel] ? ` (${s.levels[s.autoLevel]!.height}p)` : ''}`,
    },
  ].concat(heights.map((h) => ({ value: s.levels.findIndex((l) => l.height === h), label: `${h}p` })));

  if (refusal) {
    return (
      <main className="player-message" role="alert">
        <h1>Can’t play this title</h1>
        <p>{refusal}</p>
        <div className="actions">
          <button className="primary" onClick={retry}>
            Try again
          </button>
          <button className="secondary" onClick={() => navigate(`/title/${titleId}`)}>
            Back
          </button>
        </div>
      </main>
    );
  }

  return (
    <div ref={container} className={chrome ? 'player' : 'player idle'} onPointerMove={reveal}>
      <video
        ref={setVideo}
        className="video"
        playsInline
        onClick={toggle}
        aria-label={title?.name ?? 'Video'}
      />
      {s.fatal && (
        <div className="player-overlay" role="alert">
          <p>
            {s.fatal === 'network'
              ? 'The connection to the video was lost.'
              : `Playback failed (${s.fatal}).`}
          </p>
          <button className="primary" onClick={retry}>
            Retry
          </button>
        </div>
      )}
      {ended && next && (
        <div className="player-overlay next-episode">
          <p>Up next: {next.name}</p>
          <button className="primary" autoFocus onClick={() => navigate(`/watch/${next.titleId}`)}>
            <Icon name="play" /> Next episode
          </button>
        </div>
      )}
      <div className="player-top">
        <button className="icon" aria-label="Back" onClick={() => navigate(`/title/${titleId}`)}>
          <Icon name="back" size="1.6em" />
        </button>
        <span className="player-title">{title?.name}</span>
      </div>
      <div className="controls">
        <SeekBar
          current={time.current}
          duration={time.duration}
          buffered={time.buffered}
          cues={cues}
          onSeek={(t) => video && (video.currentTime = t)}
        />
        <div className="control-row">
          <button onClick={toggle} aria-label={time.paused ? 'Play' : 'Pause'}>
            <Icon name={time.paused ? 'play' : 'pause'} />
          </button>
          <button onClick={() => seekBy(-10)} aria-label="Back 10 seconds">
            <Icon name="replay10" />
          </button>
          <button onClick={() => seekBy(10)} aria-label="Forward 10 seconds">
            <Icon name="forward10" />
          </button>
          <button
            onClick={() => video && (video.muted = !video.muted)}
            aria-label={time.muted ? 'Unmute' : 'Mute'}
          >
            <Icon name={time.muted ? 'muted' : 'volume'} />
          </button>
          <span className="time">
            {clock(time.current)} / {clock(time.duration)}
          </span>
          <span className="spacer" />
          <TrackMenu label="Quality" options={qualityOptions} value={s.level} onChange={hls.setLevel} />
          <TrackMenu
            label="Audio"
            options={s.audioTracks.map((t, i) => ({ value: i, label: t.name || t.lang || `Track ${i + 1}` }))}
            value={s.audioTrack}
            onChange={hls.setAudioTrack}
          />
          <TrackMenu
            label="Subtitles"
            options={[
              { value: -1, label: 'Off' },
              ...s.subtitleTracks.map((t, i) => ({ value: i, label: t.name || t.lang || `Track ${i + 1}` })),
            ]}
            value={s.subtitleTrack}
            onChange={hls.setSubtitleTrack}
          />
          <button onClick={fullscreen} aria-label="Full screen">
            <Icon name="fullscreen" />
          </button>
        </div>
      </div>
    </div>
  );
}
