import { useEffect, useState } from 'react';

export interface VideoState {
  current: number;
  duration: number;
  buffered: number;
  paused: boolean;
  muted: boolean;
  volume: number;
  rate: number;
  ended: boolean;
}

const initial: VideoState = {
  current: 0,
  duration: 0,
  buffered: 0,
  paused: true,
  muted: false,
  volume: 1,
  rate: 1,
  ended: false,
};

const EVENTS = [
  'timeupdate',
  'durationchange',
  'progress',
  'play',
  'pause',
  'volumechange',
  'ratechange',
  'ended',
];

/** What the controls show of the <video>, kept in step with its media events; starts playback. */
export function useVideoState(video: HTMLVideoElement | null, restartKey: unknown): VideoState {
  const [state, setState] = useState<VideoState>(initial);
  useEffect(() => {
    if (!video) return;
    const update = () => {
      const b = video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : 0;
      setState({
        current: video.currentTime,
        duration: video.duration || 0,
        buffered: b,
        paused: video.paused,
        muted: video.muted,
        volume: video.volume,
        rate: video.playbackRate,
        ended: video.ended,
      });
    };
    for (const e of EVENTS) video.addEventListener(e, update);
    void video.play().catch(() => undefined);
    return () => {
      for (const e of EVENTS) video.removeEventListener(e, update);
    };
  }, [video, restartKey]);
  return state;
}
