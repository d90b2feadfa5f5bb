import { ConfigError, composeSettings, loadSettings, settingsSchema } from '@marquee/core';
import { describe, expect, it } from 'vitest';
import { recommenderConfig } from './config.js';
import { recommenderSettings } from './settings.js';

/** Core's settings and the recommender's fragment, as the CLI composes them. */
const load = (env: Record<string, string>) =>
  loadSettings(env, composeSettings([settingsSchema.properties, recommenderSettings]));

describe('recommender replication settings', () => {
  it('defaults to a 15 s trainer lease and a 2 s model poll', () => {
    expect(recommenderConfig(load({})).replication).toEqual({ leaseTtlMs: 15_000, pollMs: 2_000 });
  });

  it('reads RECS_TRAINER_LEASE_SECONDS and RECS_MODEL_POLL_SECONDS, overrides winning', () => {
    const settings = load({ RECS_TRAINER_LEASE_SECONDS: '30', RECS_MODEL_POLL_SECONDS: '0.5' });
    expect(recommenderConfig(settings).replication).toEqual({ leaseTtlMs: 30_000, pollMs: 500 });
    expect(recommenderConfig(settings, { replication: { pollMs: 100 } }).replication).toEqual({
      leaseTtlMs: 30_000,
      pollMs: 100,
    });
  });

  it('refuses a lease under a second or a poll of zero', () => {
    // A sub-second lease would be renewed every few hundred ms and lapse on any cache hiccup.
    expect(() => load({ RECS_TRAINER_LEASE_SECONDS: '0.5' })).toThrow(ConfigError);
    expect(() => load({ RECS_MODEL_POLL_SECONDS: '0' })).toThrow(ConfigError);
  });
});
