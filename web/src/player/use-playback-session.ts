import { useCallback, useEffect, useState } from 'react';
import type { PlaybackSession, Profile } from '@marquee/contracts/api';
import { ApiError } from '../api/client';
import { playbackApi } from '../api/endpoints';
import { refusalMessage } from './format';
import { installPreparedLoader } from './prepare-loader';
import { startPlayback } from './prepare-playback';

installPreparedLoader();

/**
 * Starts the playback session (a stream slot) for a title and hands it out; `retry` starts a new one.
 * A session is a stream slot, so none may leak: the start waits a microtask (StrictMode's immediate
 * unmount-remount cancels it before any request), and a session that answers after the page gave up on
 * it is stopped at once. The started session is released by useSessionLease.
 */
export function usePlaybackSession(profile: Profile | null, titleId: string) {
  const [session, setSession] = useState<PlaybackSession | null>(null);
  // A series id plays the episode the server picks (resume, else the first); its answer names it.
  const [playingId, setPlayingId] = useState(titleId);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!profile) return;
    let cancelled = false;
    setRefusal(null);
    queueMicrotask(() => {
      if (cancelled) return;
      // A title prepared while the viewer lingered opens in one call (prepare-playback.ts), and the
      // player gets the prepared session at once. The start answers the same session: the first object
      // is kept, since a new one would restart useSessionLease, whose cleanup stops the session.
      let early: string | null = null;
      startPlayback(
        profile.profileId,
        titleId,
        () => playbackApi.start(profile.profileId, titleId),
        (prepared) => {
          if (cancelled) return;
          early = prepared.sessionId;
          setSession(prepared);
          if (prepared.titleId) setPlayingId(prepared.titleId);
        },
      ).then(
        (s) => {
          if (cancelled) void playbackApi.stop(s.sessionId).catch(() => undefined);
          // A preparation that lapsed meanwhile started cold: another session, which replaces it.
          else if (early !== s.sessionId) {
            setSession(s);
            if (s.titleId) setPlayingId(s.titleId);
          }
        },
        (err: unknown) => {
          if (cancelled) return;
          // A prepared session the start refused (the stream limit) must not go on playing.
          setSession(null);
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

  // A retry starts over: a new session (the old one is stopped by its lease) and a new hls.js instance.
  const retry = useCallback(() => {
    setSession(null);
    setAttempt((a) => a + 1);
  }, []);

  return { session, playingId, refusal, attempt, retry };
}
