import { useEffect, useRef } from 'react';

export interface PlayerKeyActions {
  toggle: () => void;
  seekBy: (seconds: number) => void;
  volumeBy: (step: number) => void;
  toggleMute: () => void;
  fullscreen: () => void;
  back: () => void;
  /** Called after any shortcut, so the controls show what it did. */
  reveal: () => void;
}

/**
 * The player's shortcuts, as the big services have them: space or k play/pause, arrows seek and
 * change volume, f full screen, m mute, Escape back. Keys typed into a form field, or pressed on a
 * focused control that uses them itself (a button's Space, a slider's arrows), are left alone.
 */
export function usePlayerKeyboard(actions: PlayerKeyActions): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement;
      if (target.closest('input, select, textarea, [role=slider], [role=menu]')) return;
      if ((e.key === ' ' || e.key === 'Enter') && target.closest('button, a')) return;
      const a = latest.current;
      const map: Record<string, () => void> = {
        ' ': a.toggle,
        k: a.toggle,
        ArrowLeft: () => a.seekBy(-10),
        ArrowRight: () => a.seekBy(10),
        ArrowUp: () => a.volumeBy(0.1),
        ArrowDown: () => a.volumeBy(-0.1),
        f: a.fullscreen,
        m: a.toggleMute,
        Escape: a.back,
      };
      const action = map[e.key];
      if (!action) return;
      e.preventDefault();
      action();
      a.reveal();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
