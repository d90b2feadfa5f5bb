import { useCallback, useEffect, useRef } from 'react';
import { useSession } from '../app/session';
import { preparePlayback } from './prepare-playback';

/**
 * How long a viewer stays on a title before its playback is prepared: long enough that a pointer
 * crossing a row prepares nothing, short enough that a viewer reading a card has it ready.
 */
export const LINGER_MS = 800;

/**
 * Lingering on a card: `onPointerEnter`/`onFocus` start the wait, `onPointerLeave`/`onBlur` end it.
 * Spread the returned handlers on the element.
 */
export function useLingerPrepare(titleId: string) {
  const { profile } = useSession();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const leave = useCallback(() => clearTimeout(timer.current), []);
  const enter = useCallback(() => {
    clearTimeout(timer.current);
    if (!profile) return;
    timer.current = setTimeout(() => void preparePlayback(profile.profileId, titleId), LINGER_MS);
  }, [profile, titleId]);
  useEffect(() => leave, [leave]);
  return { onPointerEnter: enter, onFocus: enter, onPointerLeave: leave, onBlur: leave };
}

/**
 * Lingering on a page about one title (the home hero, the title page): prepared once it has been shown
 * for LINGER_MS, nothing when the viewer moves on sooner. `titleId` undefined while it loads.
 */
export function usePrepareOnView(titleId: string | undefined) {
  const { profile } = useSession();
  useEffect(() => {
    if (!profile || !titleId) return;
    const timer = setTimeout(() => void preparePlayback(profile.profileId, titleId), LINGER_MS);
    return () => clearTimeout(timer);
  }, [profile, titleId]);
}
