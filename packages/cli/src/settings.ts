import { accessSettings, composeSettings, coreSettings, loadSettings, type Settings } from '@marquee/core';
import { analyticsSettings } from '@marquee/analytics/settings';
import { recommenderSettings } from '@marquee/recommender/settings';

/**
 * The one settings schema Marquee validates at start: core's fragments and each service's, composed
 * here, the composition root, in the order of the README's table (`npm run config:table`). The
 * recommender declares RECS_* beside its code and analytics LAKE_RETENTION_DAYS; EDGE_* and ENCODER_*
 * are still core's and move the same way (a fragment in the service, listed here).
 */
export const marqueeSettingsSchema = composeSettings([
  coreSettings,
  recommenderSettings,
  analyticsSettings,
  accessSettings,
]);

/** Every setting from the environment, validated at once (every bad key in one ConfigError), frozen. */
export function loadMarqueeSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  return loadSettings(env, marqueeSettingsSchema);
}
