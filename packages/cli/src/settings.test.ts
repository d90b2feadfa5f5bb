import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, coreSettings, settingsOf, settingsTable } from '@marquee/core';
import { analyticsSettings } from '@marquee/analytics/settings';
import { edgeSettings } from '@marquee/edge/settings';
import { encoderSettings } from '@marquee/encoder/settings';
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

  it('take the edge’s and the encoder’s own settings from their fragments, typed, and core keeps none of them', () => {
    const settings = loadMarqueeSettings({
      EDGE_HTTP2: 'true',
      EDGE_LEAN_HTTP: 'false',
      EDGE_RAM_BYTES: String(64 * 1024 ** 2),
      ENCODER_CODECS: 'h264,av1',
      ENCODER_LOUDNESS_TARGET_LUFS: '-23',
    });
    expect(settingsOf(edgeSettings, settings)).toEqual({
      EDGE_RAM_BYTES: 64 * 1024 ** 2,
      EDGE_DISK_BYTES: 4 * 1024 ** 3,
      EDGE_HTTP2: true,
      EDGE_LEAN_HTTP: false,
    });
    expect(settingsOf(edgeSettings, loadMarqueeSettings({})).EDGE_LEAN_HTTP).toBe(true);
    expect(settingsOf(encoderSettings, settings)).toMatchObject({
      ENCODER_CODECS: 'h264,av1',
      ENCODER_LOUDNESS_TARGET_LUFS: -23,
      ENCODER_CONCURRENCY: 1,
    });
    expect(() => loadMarqueeSettings({ EDGE_RAM_BYTES: '1', ENCODER_CONCURRENCY: '0' })).toThrow(
      /EDGE_RAM_BYTES[\s\S]*ENCODER_CONCURRENCY/,
    );
    // What stays core's is the platform's topology: ports, URLs, and how the others reach the edges.
    const coreKeys = Object.keys(coreSettings).filter((key) => /^(EDGE|ENCODER)_/.test(key));
    expect(coreKeys).toEqual(['EDGE_TLS', 'EDGE_TLS_CERT', 'EDGE_TLS_KEY', 'EDGE_PUBLIC_URLS']);
  });
});
