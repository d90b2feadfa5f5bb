import { lazy, useState, type ComponentProps } from 'react';
import type * as PlayerChunk from '../player/PlayerPage';

type PlayerModule = typeof PlayerChunk;

/**
 * The player (with hls.js) and the admin console are chunks of their own, so the sign-in and home
 * pages load neither. The player's chunk is fetched on the way to Play — when a title page opens, or a
 * Play button is pointed at or focused — so pressing Play does not wait for it.
 */
let player: PlayerModule | undefined;
const loadPlayer = () => import('../player/PlayerPage').then((m) => (player = m));

const LazyPlayerPage = lazy(() => loadPlayer().then((m) => ({ default: m.PlayerPage })));

/**
 * The player page, rendered at once when its chunk is already here. Through `lazy` alone it would
 * suspend even then (lazy's promise settles a tick later), and React 19 holds the content of a
 * Suspense boundary that just showed its fallback for up to 300 ms (its reveal throttle): bench/startup
 * saw Play's first request leave ~310 ms after the click, cold or prepared. Chosen once per mount:
 * switching a mounted player between the two would remount it, and with it its playback session.
 */
export function PlayerPage(props: ComponentProps<PlayerModule['PlayerPage']>) {
  const [loaded] = useState(() => player);
  return loaded ? <loaded.PlayerPage {...props} /> : <LazyPlayerPage {...props} />;
}

export const AdminPage = lazy(() => import('../admin/AdminPage').then((m) => ({ default: m.AdminPage })));

/** Starts fetching the player's chunk (once; later calls reuse the same request). */
export function preloadPlayer(): void {
  loadPlayer().catch(() => undefined); // a failed prefetch is retried by the real navigation
}
