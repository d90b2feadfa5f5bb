import { DomainError, registerProblem } from '@marquee/core';

/**
 * The streaming service's stable problem codes. Every playback refusal is a 403 with its own code
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

for (const [code, title] of Object.entries(PLAYBACK_REFUSALS)) registerProblem(code, 403, title);
registerProblem('playback.not_playable', 400, 'Only movies and episodes can be played');
registerProblem('playback.not_encrypted', 404, 'This video is not encrypted');
// The key's master key is not among MEDIA_MASTER_KEYS (removed too early): the operator's to fix.
registerProblem('media.content_key_unavailable', 503, 'This video’s key cannot be opened here');
registerProblem('playback.no_edge', 503, 'No edge is available to stream from');
registerProblem('title.episode_conflict', 409, 'That episode already exists');
registerProblem('title.not_a_series', 400, 'Episodes can only be added to a series');

export class PlaybackRefusedError extends DomainError {
  constructor(code: PlaybackRefusalCode, detail: string, details: Record<string, unknown> = {}) {
    super(code, detail, details);
  }
}
