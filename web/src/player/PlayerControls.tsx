import type { HlsState } from './use-hls';
import { qualityOptions } from './quality-options';
import type { TrickplayCue } from './trickplay';
import type { VideoState } from './use-video-state';
import { clock } from './format';
import { SeekBar } from './SeekBar';
import { TrackMenu } from './TrackMenu';
import { Icon } from '../components/Icon';

export const PLAYBACK_RATES = [0.5, 0.75, 1, 1.25, 1.5, 2];

export interface PlayerControlActions {
  toggle: () => void;
  seekBy: (seconds: number) => void;
  seekTo: (seconds: number) => void;
  setVolume: (volume: number) => void;
  toggleMute: () => void;
  setRate: (rate: number) => void;
  fullscreen: () => void;
  setLevel: (level: number) => void;
  setAudioTrack: (index: number) => void;
  setSubtitleTrack: (index: number) => void;
}

function trackLabel(t: { name?: string; lang?: string }, i: number): string {
  return t.name || t.lang || `Track ${i + 1}`;
}

/** The control bar: seek, play, skip, volume, time, speed, quality, audio, subtitles, full screen. */
export function PlayerControls({
  time,
  hls,
  trickplay,
  act,
}: {
  time: VideoState;
  hls: HlsState;
  trickplay: TrickplayCue[];
  act: PlayerControlActions;
}) {
  const options = qualityOptions(hls.levels, hls.level, hls.autoLevel);
  const volume = time.muted ? 0 : time.volume;
  return (
    <>
      <SeekBar
        current={time.current}
        duration={time.duration}
        buffered={time.buffered}
        cues={trickplay}
        onSeek={act.seekTo}
      />
      <div className="control-row" role="toolbar" aria-label="Player controls">
        <button onClick={act.toggle} aria-label={time.paused ? 'Play' : 'Pause'}>
          <Icon name={time.paused ? 'play' : 'pause'} />
        </button>
        <button onClick={() => act.seekBy(-10)} aria-label="Back 10 seconds">
          <Icon name="replay10" />
        </button>
        <button onClick={() => act.seekBy(10)} aria-label="Forward 10 seconds">
          <Icon name="forward10" />
        </button>
        <div className="volume">
          <button onClick={act.toggleMute} aria-label={time.muted ? 'Unmute' : 'Mute'}>
            <Icon name={time.muted || time.volume === 0 ? 'muted' : 'volume'} />
          </button>
          <input
            type="range"
            className="volume-slider"
            aria-label="Volume"
            min={0}
            max={1}
            step={0.05}
            value={volume}
            aria-valuetext={`${Math.round(volume * 100)}%`}
            onChange={(e) => act.setVolume(Number(e.target.value))}
          />
        </div>
        <span className="time">
          {clock(time.current)} / {clock(time.duration)}
        </span>
        <span className="spacer" />
        <TrackMenu
          label="Speed"
          options={PLAYBACK_RATES.map((r) => ({ value: r, label: r === 1 ? 'Normal' : `${r}×` }))}
          value={time.rate}
          onChange={act.setRate}
        />
        <TrackMenu label="Quality" options={options} value={hls.level} onChange={act.setLevel} />
        <TrackMenu
          label="Audio"
          options={hls.audioTracks.map((t, i) => ({ value: i, label: trackLabel(t, i) }))}
          value={hls.audioTrack}
          onChange={act.setAudioTrack}
        />
        <TrackMenu
          label="Subtitles"
          options={[
            { value: -1, label: 'Off' },
            ...hls.subtitleTracks.map((t, i) => ({ value: i, label: trackLabel(t, i) })),
          ]}
          value={hls.subtitleTrack}
          onChange={act.setSubtitleTrack}
        />
        <button onClick={act.fullscreen} aria-label="Full screen">
          <Icon name="fullscreen" />
        </button>
      </div>
    </>
  );
}
