import type { Maturity } from './maturity.js';
import type { Plan, Role } from './plans.js';

/** GET /api/admin/backups (its schema lives beside the restore test record it carries). */
export type { BackupStatus, RestoreTestRecord } from './backups.js';
/** POST /api/playback/:sessionId/telemetry and the /api/admin/analytics answers (issue 18). */
export type { TelemetryBatch } from './telemetry.js';
export type * from './analytics.js';
/** The catalog's title bodies (POST and PATCH /api/admin/titles) and a search's episode hits. */
export type { EpisodeHit, NewTitle, TitleChanges } from './catalog-api.js';

/**
 * Shapes of the public API (DESIGN.md, `/api/openapi.json`) as the web app reads them. The facts in
 * them (ratings, plans, roles) come from this package, so the web app and the services cannot
 * disagree on what a rating or a plan is. Type-only: importing this module adds nothing to a bundle.
 */

export interface Profile {
  profileId: string;
  name: string;
  kids: boolean;
  maxMaturity: Maturity;
}

export interface Account {
  accountId: string;
  email: string;
  plan: Plan;
  role: Role;
}

export interface TitleSummary {
  titleId: string;
  name: string;
  type?: 'movie' | 'series' | 'episode';
  year?: number;
  maturity?: Maturity;
  genres?: string[];
  synopsis?: string;
  posterUrl?: string | null;
  /** 0..1 for continue watching. */
  progress?: number;
}

export interface Episode extends TitleSummary {
  season: number;
  number: number;
  durationSeconds?: number;
}

export interface TitleDetail extends TitleSummary {
  seasons?: { season: number; episodes: Episode[] }[];
  durationSeconds?: number;
}

export interface HomeRow {
  id: string;
  title: string;
  items: TitleSummary[];
}

export interface PlaybackSession {
  sessionId: string;
  /** The master playlist on the best edge; the media token is in the path. */
  manifestUrl: string;
  /**
   * How the segments are encrypted: 'AES-128' (the playlists name a key given to this session only, once
   * it is started), or null for an asset encoded without encryption.
   */
  encryption?: 'AES-128' | null;
  /** The DASH MPD over the same segments, same edge and token; null when the asset plays with HLS only. */
  dashUrl?: string | null;
  /** Why `dashUrl` is null: 'encrypted-hls-only' (AES-128 whole-segment encryption, which DASH cannot play). */
  dashUnavailableReason?: 'encrypted-hls-only' | null;
  /** Video codec families this session may play, H.264 first (an asset without AV1 lists 'h264' only). */
  videoCodecs?: ('h264' | 'av1')[];
  edges: { edgeId: string; url: string }[];
  /** Seconds. */
  resumeAt: number;
  expiresAt: string;
  /** The tallest rendition the plan allows. */
  maxHeight?: number;
  heartbeatIntervalSeconds?: number;
  trickplayUrl?: string;
}

export interface AuthAnswer {
  accountId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}
