import { useCallback, useEffect, useState } from 'react';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { useDocumentTitle } from '../app/document-title';
import { Icon } from '../components/Icon';
import { browserVideoCodec, withCodec } from './codec-choice';
import { episodeCode } from '../app/viewing-rules';
import { NextEpisodePrompt } from './NextEpisodePrompt';
import { PlayerControls } from './PlayerControls';
import { Subtitles } from './Subtitles';
import { useControlsVisibility } from './use-controls-visibility';
import { useHls } from './use-hls';
import { useNextEpisode } from './use-next-episode';
import { usePlaybackSession } from './use-playback-session';
import { usePlayerKeyboard } from './use-player-keyboard';
import { useSessionLease } from './use-session-lease';
import { useTelemetry } from './use-telemetry';
import { useTrickplay } from './use-trickplay';
import { useVideoState } from './use-video-state';

/** The picture's shape, so subtitles sit on the picture and not on the letterbox around it. */
function useAspectRatio(video: HTMLVideoElement | null): number {
  const [ratio, setRatio] = useState(16 / 9);
  useEffect(() => {
    if (!video) return;
    const update = () => video.videoWidth > 0 && setRatio(video.videoWidth / video.videoHeight);
    video.addEventListener('loadedmetadata', update);
    video.addEventListener('resize', update);
    return () => {
      video.removeEventListener('loadedmetadata', update);
      video.removeEventListener('resize', update);
    };
  }, [video]);
  return ratio;
}

/** Composes the player from hooks that each own one concern; this file only wires and lays out. */
export function PlayerPage({ titleId }: { titleId: string }) {
  const { profile } = useSession();
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const { session, playingId, refusal, attempt, retry } = usePlaybackSession(profile, titleId);
  useSessionLease(session, video);
  // One codec family per page (codec-choice.ts): AV1 where MediaSource plays it, else H.264.
  const [codec] = useState(browserVideoCodec);
  const manifestUrl = session ? withCodec(session.manifestUrl, codec) : null;
  const hls = useHls(video, manifestUrl, session?.resumeAt ?? 0, attempt);
  useTelemetry(session, video, hls.instance);
  const trickplay = useTrickplay(session, video);
  const time = useVideoState(video, session);
  const ratio = useAspectRatio(video);
  const { title, series, next, countdown, dismiss } = useNextEpisode(profile, playingId, time);
  const { shown, reveal, controls } = useControlsVisibility(time.paused);

  const episode =
    title?.seriesId && title.season !== undefined && title.number !== undefined
      ? episodeCode(title.season, title.number)
      : null;
  useDocumentTitle(
    title ? `Watching ${series ? `${series.name} ${episode ?? ''}`.trim() : title.name}` : null,
  );

  // Back goes where the viewer came from in the catalog: an episode's series page, with its list.
  const backTo = `/title/${title?.seriesId ?? titleId}`;
  const back = useCallback(() => navigate(backTo), [backTo]);
  const toggle = useCallback(() => {
    if (!video) return;
    if (video.paused) void video.play();
    else video.pause();
  }, [video]);
  const seekTo = useCallback(
    (t: number) => video && (video.currentTime = Math.max(0, Math.min(video.duration || 0, t))),
    [video],
  );
  const setVolume = (v: number) => {
    if (!video) return;
    video.volume = Math.max(0, Math.min(1, v));
    video.muted = video.volume === 0;
  };
  const act = {
    toggle,
    seekTo,
    seekBy: (d: number) => video && seekTo(video.currentTime + d),
    setVolume,
    toggleMute: () => video && (video.muted = !video.muted),
    setRate: (r: number) => video && (video.playbackRate = r),
    fullscreen: () => {
      if (document.fullscreenElement) void document.exitFullscreen();
      else void document.querySelector('.player')?.requestFullscreen();
    },
    setLevel: hls.setLevel,
    setAudioTrack: hls.setAudioTrack,
    setSubtitleTrack: hls.setSubtitleTrack,
  };
  usePlayerKeyboard({
    ...act,
    volumeBy: (step) => video && setVolume(video.volume + step),
    back,
    reveal,
  });

  if (refusal) {
    return (
      <main className="player-message" role="alert">
        <h1>Can’t play this title</h1>
        <p>{refusal}</p>
        <div className="actions">
          <button className="primary" onClick={retry}>
            Try again
          </button>
          <button className="secondary" onClick={back}>
            Back
          </button>
        </div>
      </main>
    );
  }

  const s = hls.state;
  return (
    <div className={shown ? 'player' : 'player idle'} onPointerMove={reveal} onFocus={reveal}>
      <div className="picture" style={{ ['--ar' as string]: String(ratio) }}>
        <video
          ref={setVideo}
          className="video"
          playsInline
          onClick={toggle}
          aria-label={title?.name ?? 'Video'}
          // The family asked for, for support and tests (what plays is in hls.js's levels).
          data-codec={codec}
        />
        <Subtitles cues={s.subtitleCues} time={time.current} controls={controls} controlsShown={shown} />
      </div>
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
      {next && countdown !== null && (
        <NextEpisodePrompt
          next={next}
          seconds={countdown}
          onPlay={() => navigate(`/watch/${next.titleId}`, { replace: true })}
          onDismiss={dismiss}
        />
      )}
      <div className="player-top">
        <button className="icon" aria-label={series ? `Back to ${series.name}` : 'Back'} onClick={back}>
          <Icon name="back" size="1.6em" />
        </button>
        <h1 className="player-heading">
          {series && (
            <span className="player-series">
              {series.name}
              {episode && <span className="player-episode"> · {episode}</span>}
            </span>
          )}
          <span className="player-title">{title?.name}</span>
        </h1>
      </div>
      <div className="controls" ref={controls}>
        <PlayerControls time={time} hls={s} trickplay={trickplay} act={act} />
      </div>
    </div>
  );
}
