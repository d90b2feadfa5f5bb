import { av1Profile } from './av1.js';
import type { CodecId, CodecProfile } from './codec-profile.js';
import { h264Profile } from './h264.js';

export * from './codec-profile.js';
export { av1Profile, AV1_BITRATE_SHARE, DEFAULT_AV1_PRESET } from './av1.js';
export { h264Profile, h264FamilyArgs } from './h264.js';
export { av1Level, av1MainCodecs } from './av1-level.js';

const PROFILES: Record<CodecId, CodecProfile> = { h264: h264Profile, av1: av1Profile };

export function codecProfile(id: CodecId): CodecProfile {
  return PROFILES[id];
}
