import type { Plan } from '@marquee/core';
import type { AssetState, Rendition } from './asset-state.js';
import { maturityAllows, planLimits, type Maturity } from '@marquee/contracts';
import type { PlaybackRefusalCode } from './problems.js';

export interface EntitlementInput {
  /** The caller, as verified by the gateway. */
  accountId: string;
  plan: Plan;
  profile: { accountId: string; maxMaturity: Maturity };
  title: { maturity: Maturity };
  asset: { state: AssetState; renditions: readonly Rendition[] } | undefined;
}

export type Entitlement =
  | { ok: true; maxHeight: number; maxStreams: number; renditions: Rendition[] }
  | { ok: false; code: PlaybackRefusalCode; detail: string };

/**
 * May this caller play this title on this profile, and up to which height? Pure: the order of the
 * checks is the order of the answers a viewer gets (whose profile, then rating, then readiness, then
 * plan). The concurrent-stream limit is not decided here: it needs the shared lease store.
 */
export function decideEntitlement(input: EntitlementInput): Entitlement {
  if (input.profile.accountId !== input.accountId) {
    return { ok: false, code: 'playback.profile_not_owned', detail: 'This profile is not one of yours' };
  }
  if (!maturityAllows(input.profile.maxMaturity, input.title.maturity)) {
    return {
      ok: false,
      code: 'playback.maturity',
      detail: `This title is rated ${input.title.maturity}; this profile allows up to ${input.profile.maxMaturity}`,
    };
  }
  if (!input.asset || input.asset.state !== 'ready') {
    return { ok: false, code: 'playback.not_ready', detail: 'This title has no playable video yet' };
  }
  const { maxHeight, maxStreams } = planLimits(input.plan);
  const renditions = input.asset.renditions.filter((r) => r.height <= maxHeight);
  if (renditions.length === 0) {
    return {
      ok: false,
      code: 'playback.plan_resolution',
      detail: `The ${input.plan} plan streams up to ${maxHeight}p and this title has no rendition that small`,
    };
  }
  return { ok: true, maxHeight, maxStreams, renditions };
}

const HOUR_MS = 3_600_000;

/**
 * How long a session's media token lives. The URL cannot change during playback, so the token must
 * outlast the title plus generous pauses; it is capped so a leaked URL dies within a day.
 */
export function mediaTokenLifetimeMs(durationSeconds: number | null): number {
  const duration = (durationSeconds ?? 0) * 1000;
  return Math.min(24 * HOUR_MS, Math.max(4 * HOUR_MS, 2 * duration + 2 * HOUR_MS));
}
