/**
 * H.264 levels (ITU-T H.264 Table A-1): macroblocks per second, frame size in macroblocks, and the
 * maximum bit rate for the High profile (1.25 × the Baseline/Main figure, Table A-2), in kbit/s.
 * Level 3.0 is our floor: every player Marquee targets decodes it, and lower levels gain nothing.
 */
const LEVELS: readonly { idc: number; mbps: number; frameMbs: number; highKbps: number }[] = [
  { idc: 30, mbps: 40_500, frameMbs: 1_620, highKbps: 12_500 },
  { idc: 31, mbps: 108_000, frameMbs: 3_600, highKbps: 17_500 },
  { idc: 32, mbps: 216_000, frameMbs: 5_120, highKbps: 25_000 },
  { idc: 40, mbps: 245_760, frameMbs: 8_192, highKbps: 25_000 },
  { idc: 41, mbps: 245_760, frameMbs: 8_192, highKbps: 62_500 },
  { idc: 42, mbps: 522_240, frameMbs: 8_704, highKbps: 62_500 },
  { idc: 50, mbps: 589_824, frameMbs: 22_080, highKbps: 168_750 },
  { idc: 51, mbps: 983_040, frameMbs: 36_864, highKbps: 300_000 },
  { idc: 52, mbps: 2_073_600, frameMbs: 36_864, highKbps: 300_000 },
  { idc: 60, mbps: 4_177_920, frameMbs: 139_264, highKbps: 300_000 },
  { idc: 61, mbps: 8_355_840, frameMbs: 139_264, highKbps: 600_000 },
  { idc: 62, mbps: 16_711_680, frameMbs: 139_264, highKbps: 1_000_000 },
];

/**
 * The lowest level (as level_idc, e.g. 40 for 4.0) that allows this frame size, frame rate and peak
 * bit rate. The encoder is told this level explicitly, so the CODECS string we write is the one in the
 * stream's SPS, not a guess.
 */
export function h264Level(width: number, height: number, fps: number, maxrateKbps: number): number {
  const widthMbs = Math.ceil(width / 16);
  const heightMbs = Math.ceil(height / 16);
  const frameMbs = widthMbs * heightMbs;
  const mbps = frameMbs * fps;
  const fits = LEVELS.find(
    (level) =>
      frameMbs <= level.frameMbs &&
      mbps <= level.mbps &&
      maxrateKbps <= level.highKbps &&
      // A.3.1: neither dimension may exceed sqrt(8 × MaxFS) macroblocks.
      Math.max(widthMbs, heightMbs) <= Math.sqrt(8 * level.frameMbs),
  );
  return (fits ?? LEVELS[LEVELS.length - 1]!).idc;
}

/** "4.0" style, as x264's `-level` option takes it. */
export function levelName(idc: number): string {
  return `${Math.floor(idc / 10)}.${idc % 10}`;
}

/** RFC 6381 codecs string for H.264 High at this level: avc1.64 00 LL (profile, constraints, level). */
export function avcHighCodecs(levelIdc: number): string {
  return `avc1.6400${levelIdc.toString(16).padStart(2, '0')}`;
}

/** AAC-LC, the only audio codec we produce. */
export const AAC_LC_CODECS = 'mp4a.40.2';
