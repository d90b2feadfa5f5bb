import { Type } from '@sinclair/typebox';
import type { FragmentSettings, SettingsFragment } from '@marquee/core';

/**
 * The analytics service's settings, declared beside the code that reads them (index.ts); the CLI
 * composes them into the one validated schema, and the README's table lists them.
 */
export const analyticsSettings = {
  LAKE_RETENTION_DAYS: Type.Number({
    minimum: 0,
    default: 400,
    description: "delete the analytics lake's date partitions N days old (0 = keep; docs/analytics.md)",
  }),
} satisfies SettingsFragment;

export type AnalyticsSettings = FragmentSettings<typeof analyticsSettings>;
