export type Plan = 'basic' | 'standard' | 'premium';
export type Maturity = 'G' | 'PG' | 'PG-13' | 'R' | 'NC-17';

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
  role: 'viewer' | 'admin';
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
