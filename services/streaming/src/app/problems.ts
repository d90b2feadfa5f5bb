import { DomainError, REQUEST_REFUSED, withStatus, type ProblemCodes } from '@marquee/core';

/**
 * Every playback refusal is a 403 with its own code
 * (and so its own `type`, `urn:marquee:problem:<code>`), so players can say exactly why.
 */
export const PLAYBACK_REFUSALS = {
  'playback.profile_not_owned': 'This profile belongs to another account',
  'playback.maturity': 'This title is rated above what this profile may watch',
  'playback.not_ready': 'This title is not ready to play yet',
  'playback.plan_resolution': 'No rendition of this title fits the plan',
  'playback.stream_limit': 'Your plan’s concurrent stream limit is reached',
  'playback.session_ended': 'This playback session has ended',
  'playback.key_refused': 'The content key is only given to a live playback session entitled to it',
  'playback.email_unverified': 'Confirm your email address to start watching',
} as const;
export type PlaybackRefusalCode = keyof typeof PLAYBACK_REFUSALS;

/** The streaming service's problem catalogue, given to its server (cache.unavailable is platform's). */
export const streamingProblems = {
  ...withStatus(403, PLAYBACK_REFUSALS),
  'playback.not_playable': { status: 400, title: 'Only movies and episodes can be played' },
  'playback.not_encrypted': { status: 404, title: 'This video is not encrypted' },
  'playback.no_edge': { status: 503, title: 'No edge is available to stream from' },
  'playback.prepare_rate': { status: 429, title: 'Too many playbacks prepared; wait a moment' },
  'title.episode_conflict': { status: 409, title: 'That episode already exists' },
  'title.not_a_series': { status: 400, title: 'Episodes can only be added to a series' },
  // Publishing a title with nothing ready to play: never given a title of its own.
  'title.not_playable': REQUEST_REFUSED,
} as const satisfies ProblemCodes;

export class PlaybackRefusedError extends DomainError {
  constructor(code: PlaybackRefusalCode, detail: string, details: Record<string, unknown> = {}) {
    super(code, detail, details);
  }
}
