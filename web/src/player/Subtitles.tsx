import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { SubtitleCue } from './use-hls';

/**
 * The subtitle lines showing at `time`, drawn over the picture the way streaming services do: white
 * on a translucent box, sized to the picture, near its bottom edge — and, while the controls show,
 * lifted just enough to clear them (on a phone the picture ends above the controls: no lift).
 */
export function Subtitles({
  cues,
  time,
  controls,
  controlsShown,
}: {
  cues: SubtitleCue[];
  time: number;
  controls: RefObject<HTMLDivElement | null>;
  controlsShown: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [lift, setLift] = useState(0);
  const showing = cues.filter((c) => time >= c.start && time < c.end);

  useLayoutEffect(() => {
    const el = box.current;
    const bar = controls.current;
    if (!el || !bar || !controlsShown) return setLift(0);
    const picture = el.parentElement!.getBoundingClientRect();
    const bottom = picture.bottom - parseFloat(getComputedStyle(el).bottom || '0');
    const overlap = bottom - bar.getBoundingClientRect().top;
    setLift(overlap > 0 ? Math.ceil(overlap) + 8 : 0);
  }, [controls, controlsShown, showing.length]);

  return (
    <div
      ref={box}
      className="subtitles"
      data-testid="subtitles"
      style={{ transform: lift ? `translateY(-${lift}px)` : undefined }}
    >
      {showing.map((c) => (
        <p key={`${c.start}|${c.text}`}>
          {c.text.split('\n').map((line, i) => (
            <span key={i}>{line}</span>
          ))}
        </p>
      ))}
    </div>
  );
}
