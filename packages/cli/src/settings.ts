import { accessSettings, composeSettings, coreSettings, loadSettings, type Settings } from '@marquee/core';
import { analyticsSettings } from '@marquee/analytics/settings';
import { edgeSettings } from '@marquee/edge/settings';
import { encoderSettings } from '@marquee/encoder/settings';
import { recommenderSettings } from '@marquee/recommender/settings';

/**
 * The one settings schema Marquee validates at start: core's fragments and each service's, composed
 * here, the composition root, in the order of the README's table (`npm run config:table`). A service
 * declares what only it reads beside its code — the edge its cache tiers and HTTP choices (EDGE_*),
 * the encoder ENCODER_*, the recommender RECS_*, analytics LAKE_RETENTION_DAYS — and reads it with
 * settingsOf(fragment, ctx.settings). Core keeps the platform's settings and its topology (ports,
 * URLs, and EDGE_TLS/EDGE_PUBLIC_URLS, by which the others reach the edges: edge/src/settings.ts says
 * why).
 */
export const marqueeSettingsSchema = composeSettings([
  coreSettings,
  edgeSettings,
  encoderSettings,
  recommenderSettings,
  analyticsSettings,
  accessSettings,
]);

/** Every setting from the environment, validated at once (every bad key in one ConfigError), frozen. */
export function loadMarqueeSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  return loadSettings(env, marqueeSettingsSchema);
}
