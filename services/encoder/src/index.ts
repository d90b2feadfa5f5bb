export { buildEncoder } from './service.js';
export { cmafHlsMuxerArgs } from './app/encode-args.js';

// The media core (issue 3): what the job consumer, the demo seeding and bench/encode call.
export {
  encodeAsset,
  DEFAULT_ENCODER_SETTINGS,
  DEFAULT_ENCODE_LIMITS,
  type EncodeAssetInput,
  type EncodedAsset,
  type EncodeLimits,
  type EncoderSettings,
} from './app/encode-asset.js';
export { toIso6392 } from './app/languages.js';
export { MediaRejectedError, MediaToolError, MediaToolsUnavailableError } from './app/errors.js';
export type { SourceInfo } from './app/probe.js';
export type { EncodeProgress, EncodeStage } from './app/progress.js';
export { openMediaTools, type MediaTools, type OpenMediaToolsOptions } from './media/media-tools.js';
export {
  buildEncodeWorker,
  ENCODER_GROUP,
  type EncodeWorker,
  type EncodeWorkerDeps,
} from './jobs/encode-worker.js';
export { probeTitleQuality } from './media/quality-probe-runs.js';
export { PROBE_RATE_SHARES } from './app/quality-probe.js';
