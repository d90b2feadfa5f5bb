import { h264Level } from './h264-level.js';

/** One video rendition of the ladder. */
export interface Rung {
  /** "1080p": the class of the rung (its short side for standard rungs). */
  name: string;
  width: number;
  height: number;
  /** Target average bit rate (kbit/s) for x264's ABR. */
  bitrateKbps: number;
  /** VBV peak rate and buffer (kbit/s, kbit). */
  maxrateKbps: number;
  bufsizeKbps: number;
  /** level_idc, e.g. 40 for 4.0. */
  level: number;
}

export interface LadderInput {
  /** Display size of the source (landscape or portrait). */
  width: number;
  height: number;
  fps: number;
  /** Measured by the complexity probe: the bit rate a constant-quality encode needed ... */
  probeBitrateKbps: number;
  /** ... at this many pixels per frame. */
  probePixels: number;
}

/** Standard classes as landscape boxes; a portrait source uses them rotated. */
const BOXES: readonly { name: string; width: number; height: number }[] = [
  { name: '2160p', width: 3840, height: 2160 },
  { name: '1440p', width: 2560, height: 1440 },
  { name: '1080p', width: 1920, height: 1080 },
  { name: '720p', width: 1280, height: 720 },
  { name: '480p', width: 854, height: 480 },
  { name: '360p', width: 640, height: 360 },
  { name: '240p', width: 426, height: 240 },
];

/**
 * Sizes between the standard classes (Apple's authoring ladder uses 540p and 432p): candidates of the
 * hull ladder only. It picks one rung per size, so sizes close together are what lets it place rungs
 * where the curves are steep (on sharp content the top size stays the best picture far down in rate,
 * and the next sizes are all it has there). 576p was tried and dropped: it scored below 540p full
 * screen on the animation title (0.980 at 3.6 Mbit/s against 0.981 at 3.3) and cost a sixth more probing.
 */
const BETWEEN_BOXES: readonly { name: string; width: number; height: number }[] = [
  { name: '900p', width: 1600, height: 900 },
  { name: '540p', width: 960, height: 540 },
  { name: '432p', width: 768, height: 432 },
];

/** Bit-rate cap at 1080p30 (kbit/s): the standard ladder's top. Other sizes scale by pixels^0.75. */
const CAP_1080P_KBPS = 6000;
const PIXELS_1080P = 1920 * 1080;
/** A rung never gets less than this share of its cap, however simple the picture. */
const FLOOR_SHARE = 0.2;
/** Bits needed grow sub-linearly with pixels: small pictures need more bits per pixel. */
const PIXEL_EXPONENT = 0.75;
/** A source this much taller than its best standard rung also gets a rung at its own size. */
const OWN_SIZE_MARGIN = 1.25;

/** Nearest even size (4:2:0 needs even sizes), but never above the source's even size. */
const even = (n: number, limit = n): number =>
  Math.max(2, Math.min(2 * Math.round(n / 2), 2 * Math.floor(limit / 2)));

/**
 * The rung sizes: every standard box the source reaches in width or height (scaled to fit inside the
 * box, aspect kept, never upscaled), plus the source's own size when it is well above the best of
 * them — so a 1920×800 film gets a 1920×800 "1080p" rung, and a 200×112 clip still gets one rung.
 */
export function ladderSizes(
  width: number,
  height: number,
): { name: string; width: number; height: number }[] {
  const portrait = height > width;
  const sizes: { name: string; width: number; height: number }[] = [];
  for (const box of BOXES) {
    const boxW = portrait ? box.height : box.width;
    const boxH = portrait ? box.width : box.height;
    if (width < boxW && height < boxH) continue;
    const scale = Math.min(boxW / width, boxH / height, 1);
    const size = { name: box.name, width: even(width * scale, width), height: even(height * scale, height) };
    if (!sizes.some((s) => s.width === size.width && s.height === size.height)) sizes.push(size);
  }
  const short = Math.min(width, height);
  const bestShort = sizes[0] ? Math.min(sizes[0].width, sizes[0].height) : 0;
  if (short >= bestShort * OWN_SIZE_MARGIN || sizes.length === 0) {
    sizes.unshift({
      name: `${even(short, short)}p`,
      width: even(width, width),
      height: even(height, height),
    });
  }
  return sizes;
}

/**
 * The hull ladder's candidate sizes: ladderSizes plus the in-between boxes below its top (never above
 * the source, aspect kept), largest first.
 */
export function candidateSizes(
  width: number,
  height: number,
): { name: string; width: number; height: number }[] {
  const sizes = ladderSizes(width, height);
  const top = sizes[0]!;
  const portrait = height > width;
  for (const box of BETWEEN_BOXES) {
    const boxW = portrait ? box.height : box.width;
    const boxH = portrait ? box.width : box.height;
    const scale = Math.min(boxW / width, boxH / height, 1);
    const size = { name: box.name, width: even(width * scale, width), height: even(height * scale, height) };
    const smaller = size.width * size.height < top.width * top.height;
    if (smaller && !sizes.some((s) => s.width === size.width && s.height === size.height)) sizes.push(size);
  }
  return sizes.sort((a, b) => b.width * b.height - a.width * a.height);
}

/** Frame-rate allowance for caps and floors: 60 fps needs more bits than 30, but not twice as many. */
export function fpsFactor(fps: number): number {
  return Math.sqrt(Math.min(2, Math.max(0.5, fps / 30)));
}

export function bitrateCapKbps(pixels: number, fps: number): number {
  return CAP_1080P_KBPS * (pixels / PIXELS_1080P) ** PIXEL_EXPONENT * fpsFactor(fps);
}

/**
 * The per-title ladder (docs/media.md): for each rung,
 *   bitrate = clamp(probeBitrate × (rungPixels / probePixels)^0.75, 0.2 × cap, cap),
 *   cap     = 6000 kbit/s × (rungPixels / 1920·1080)^0.75 × sqrt(clamp(fps/30, 0.5, 2)),
 * with maxrate = 1.5 × bitrate and bufsize = 2 × bitrate. A simple picture gets fewer bits than the
 * standard ladder, a complex one at most the standard ladder.
 */
export function planLadder(input: LadderInput): Rung[] {
  return ladderSizes(input.width, input.height).map((size) => {
    const pixels = size.width * size.height;
    const cap = bitrateCapKbps(pixels, input.fps);
    const wanted = input.probeBitrateKbps * (pixels / Math.max(1, input.probePixels)) ** PIXEL_EXPONENT;
    return rungAt(size, Math.min(cap, Math.max(cap * FLOOR_SHARE, wanted)), input.fps);
  });
}

/**
 * A rung of `size` at an average of `kbps`, with the VBV every H.264 rung gets (maxrate 1.5 ×, buffer
 * 2 × the average) and its level. One place for the rule: the heuristic ladder, the hull ladder and the
 * quality probe's encodes (which must rate-control as the ladder will) all build rungs here.
 */
export function rungAt(
  size: { name: string; width: number; height: number },
  kbps: number,
  fps: number,
): Rung {
  const bitrateKbps = Math.round(kbps);
  const maxrateKbps = Math.round(bitrateKbps * 1.5);
  return {
    ...size,
    bitrateKbps,
    maxrateKbps,
    bufsizeKbps: bitrateKbps * 2,
    level: h264Level(size.width, size.height, fps, maxrateKbps),
  };
}
