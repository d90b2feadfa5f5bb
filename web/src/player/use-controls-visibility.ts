import { useCallback, useEffect, useRef, useState } from 'react';

/** How long the controls stay after the last pointer move or key press. */
const HIDE_AFTER_MS = 3000;

/**
 * Whether the controls are shown: revealed by pointer movement, keys and focus, hidden again after a
 * quiet moment, but never while the video is paused or keyboard focus is inside the controls (a
 * keyboard or screen-reader user must not lose the control they are on).
 */
export function useControlsVisibility(paused: boolean) {
  const [shown, setShown] = useState(true);
  const timer = useRef<number | undefined>(undefined);
  const controls = useRef<HTMLDivElement>(null);

  const reveal = useCallback(() => {
    setShown(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      // Keyboard focus (not a mouse click) inside the controls keeps them up.
      if (controls.current?.querySelector(':focus-visible')) return;
      setShown(false);
    }, HIDE_AFTER_MS);
  }, []);

  useEffect(() => {
    if (paused) {
      window.clearTimeout(timer.current);
      setShown(true);
    } else reveal();
  }, [paused, reveal]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  return { shown, reveal, controls };
}
