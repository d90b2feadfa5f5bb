import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, settingsOf, settingsTable } from '@marquee/core';
import { analyticsSettings } from '@marquee/analytics/settings';
import { recommenderSettings } from '@marquee/recommender/settings';
import { describe, expect, it } from 'vitest';
import { loadMarqueeSettings, marqueeSettingsSchema } from './settings.js';

describe('the composed settings', () => {
  it('are the README configuration table (regenerate with `npm run config:table`)', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(settingsTable(marqueeSettingsSchema));
  });

  it('validate a service fragment at start with the rest, and give the service its part', () => {
    const settings = loadMarqueeSettings({ RECS_EASE_LAMBDA: '250', MARQUEE_PORT: '9000' });
    expect(settings.MARQUEE_PORT).toBe(9000);
    expect(settingsOf(recommenderSettings, settings)).toMatchObject({
      RECS_EASE_LAMBDA: 250,
      RECS_KNN_NEIGHBOURS: 200,
    });
    expect(settingsOf(analyticsSettings, settings).LAKE_RETENTION_DAYS).toBe(400);
    expect(
      settingsOf(analyticsSettings, loadMarqueeSettings({ LAKE_RETENTION_DAYS: '30' })).LAKE_RETENTION_DAYS,
    ).toBe(30);
    expect(() => loadMarqueeSettings({ LAKE_RETENTION_DAYS: '-1' })).toThrow(/LAKE_RETENTION_DAYS/);
    let error: unknown;
    try {
      loadMarqueeSettings({ RECS_KNN_NEIGHBOURS: '0', MARQUEE_PORT: 'x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(
      /RECS_KNN_NEIGHBOURS[\s\S]*MARQUEE_PORT|MARQUEE_PORT[\s\S]*RECS_KNN_NEIGHBOURS/,
    );
  });
});
