import { lazy } from 'react';

/**
 * The player (with hls.js) and the admin console are chunks of their own, so the sign-in and home
 * pages load neither. The player's chunk is fetched on the way to Play — when a title page opens, or a
 * Play button is pointed at or focused — so pressing Play does not wait for it.
 */
const loadPlayer = () => import('../player/PlayerPage');

export const PlayerPage = lazy(() => loadPlayer().then((m) => ({ default: m.PlayerPage })));
export const AdminPage = lazy(() => import('../admin/AdminPage').then((m) => ({ default: m.AdminPage })));

/** Starts fetching the player's chunk (once; later calls reuse the same request). */
export function preloadPlayer(): void {
  loadPlayer().catch(() => undefined); // a failed prefetch is retried by the real navigation
}
