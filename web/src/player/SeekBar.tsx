import { useState, type KeyboardEvent, type PointerEvent } from 'react';
import { clock } from './format';
import { cueAt, type TrickplayCue } from './trickplay';

export function SeekBar({
  current,
  duration,
  buffered,
  cues,
  onSeek,
}: {
  current: number;
  duration: number;
  buffered: number;
  cues: TrickplayCue[];
  onSeek: (t: number) => void;
}) {
  const [hover, setHover] = useState<{ x: number; t: number } | null>(null);
  const fraction = duration > 0 ? current / duration : 0;
  const at = (e: PointerEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = Math.min(Math.max(0, e.clientX - rect.left), rect.width);
    return { x, t: (x / rect.width) * duration };
  };
  const cue = hover ? cueAt(cues, hover.t) : undefined;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Home') onSeek(0);
    if (e.key === 'End') onSeek(duration);
  };
  return (
    <div
      className="seek"
      role="slider"
      tabIndex={0}
      aria-label="Seek"
      aria-valuemin={0}
      aria-valuemax={Math.round(duration)}
      aria-valuenow={Math.round(current)}
      aria-valuetext={`${clock(current)} of ${clock(duration)}`}
      onPointerMove={(e) => setHover(at(e))}
      onPointerLeave={() => setHover(null)}
      onPointerDown={(e) => onSeek(at(e).t)}
      onKeyDown={onKey}
    >
      <div
        className="seek-buffered"
        style={{ width: `${duration > 0 ? (buffered / duration) * 100 : 0}%` }}
      />
      <div className="seek-played" style={{ width: `${fraction * 100}%` }} />
      {hover && (
        <div className="seek-preview" style={{ left: hover.x }}>
          {cue && (
            <div
              className="trickplay"
              data-testid="trickplay"
              style={{
                width: cue.w,
                height: cue.h,
                backgroundImage: `url("${cue.image}")`,
                backgroundPosition: `-${cue.x}px -${cue.y}px`,
              }}
            />
          )}
          <span>{clock(hover.t)}</span>
        </div>
      )}
    </div>
  );
}
