// `@marquee/encoder/testing`: what benches use of the encoder's test helpers, none of them on vitest —
// media tools chosen by FFMPEG_PATH / FFPROBE_PATH, and the whole-decode check of an output. The
// assertions (output-checks.ts, on vitest's expect) and the job rig stay for the encoder's own tests.
// Production code imports `@marquee/encoder`, which exports none of this.
export { testMediaTools } from './media-fixtures.js';
export { masterDecodeErrors } from './master-decode.js';
