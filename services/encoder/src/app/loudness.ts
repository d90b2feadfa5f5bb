/**
 * Loudness normalisation (EBU R128, ffmpeg's two-pass `loudnorm`), decided here and run elsewhere
 * (media/loudness-runs.ts). Pass one measures every audio track of the source in one audio-only run;
 * pass two is a filter in the real encode that applies the measured values with `linear=true`, i.e.
 * one constant gain, so the mix's dynamics are left as the author made them. docs/media.md has the rule.
 */

export interface LoudnessSettings {
  /** Integrated loudness every track is brought to (ENCODER_LOUDNESS_TARGET_LUFS). */
  targetLufs: number;
  /** Highest true peak allowed after the gain (ENCODER_LOUDNESS_TRUE_PEAK_DBTP). */
  truePeakDbtp: number;
  /**
   * Loudness range target (ENCODER_LOUDNESS_LRA). In linear mode it only decides whether loudnorm may
   * stay linear: a source with a wider range is compressed (dynamic mode) instead.
   */
  lraLu: number;
}

/** −16 LUFS is the streaming norm (Apple, AES TD1008); −1.5 dBTP leaves room for AAC's overshoot. */
export const DEFAULT_LOUDNESS: LoudnessSettings = { targetLufs: -16, truePeakDbtp: -1.5, lraLu: 20 };

/** What loudnorm reports about one track; null where it has no finite value (silence gives −inf). */
export interface LoudnessReading {
  integratedLufs: number | null;
  truePeakDbtp: number | null;
  lraLu: number | null;
  thresholdLufs: number | null;
  targetOffsetLu: number | null;
}

/** How a track was treated: one gain, loudnorm's dynamic fallback, or not at all (silent). */
export type LoudnessMode = 'linear' | 'dynamic' | 'none';

/** What the asset stores per audio track. */
export interface TrackLoudness {
  targetLufs: number;
  mode: LoudnessMode;
  /** The source track (after the downmix to the rendition's channels). */
  input: Pick<LoudnessReading, 'integratedLufs' | 'truePeakDbtp' | 'lraLu'>;
  /** The encoded AAC rendition, measured after the encode. */
  output: Pick<LoudnessReading, 'integratedLufs' | 'truePeakDbtp' | 'lraLu'>;
}

/** One audio stream to measure: its filter-graph input ("0:1") and the channels it is encoded with. */
export interface LoudnessInput {
  stream: string;
  channels: number;
}

/** Below loudnorm's (and R128's) absolute gate there is nothing to normalise: gating leaves no block. */
const ABSOLUTE_GATE_LUFS = -70;

const layout = (channels: number): string => (channels === 1 ? 'mono' : 'stereo');

/**
 * The loudnorm options shared by both passes. Mono is measured as dual mono: a mono rendition plays on
 * both speakers, 3 LU louder than R128's single-channel sum says.
 */
function loudnormOptions(settings: LoudnessSettings, channels: number): string {
  const dual = channels === 1 ? ':dual_mono=true' : '';
  return `I=${num(settings.targetLufs)}:TP=${num(settings.truePeakDbtp)}:LRA=${num(settings.lraLu)}${dual}`;
}

const num = (n: number): string => (Math.round(n * 100) / 100).toFixed(2);
const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/**
 * Pass one, after the input options: every track through its own named loudnorm (`loudnorm@m<k>`, the
 * name its report is found by: ffmpeg prints them in no fixed order) into a null output. The downmix to
 * the rendition's layout comes first so the loudness measured is the loudness encoded. `-vn -sn -dn`:
 * only audio is decoded, which is what keeps this pass cheap.
 */
export function loudnessMeasureArgs(
  inputArgs: readonly string[],
  inputs: readonly LoudnessInput[],
  settings: LoudnessSettings,
): string[] {
  // -v info: loudnorm prints its report at info level; -nostats keeps the rest of stderr short.
  const args = ['-hide_banner', '-nostdin', '-nostats', '-v', 'info', ...inputArgs, '-vn', '-sn', '-dn'];
  const chains = inputs.map(
    (t, k) =>
      `[${t.stream}]aformat=channel_layouts=${layout(t.channels)},` +
      `loudnorm@m${k}=${loudnormOptions(settings, t.channels)}:print_format=json[lm${k}]`,
  );
  args.push('-filter_complex', chains.join(';'));
  inputs.forEach((_, k) => args.push('-map', `[lm${k}]`, '-f', 'null', '-'));
  return args;
}

const REPORT = /\[loudnorm@m(\d+) @ [^\]]*\]\s*(\{[^}]*\})/g;

/** The readings of pass one by track (undefined for a track whose report is missing). */
export function parseLoudnessReports(stderr: string, count: number): (LoudnessReading | undefined)[] {
  const readings: (LoudnessReading | undefined)[] = Array.from({ length: count }, () => undefined);
  for (const match of stderr.matchAll(REPORT)) {
    const k = Number(match[1]);
    if (k >= count) continue;
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(match[2]!) as Record<string, unknown>;
    } catch {
      continue;
    }
    readings[k] = {
      integratedLufs: finite(json.input_i),
      truePeakDbtp: finite(json.input_tp),
      lraLu: finite(json.input_lra),
      thresholdLufs: finite(json.input_thresh),
      targetOffsetLu: finite(json.target_offset),
    };
  }
  return readings;
}

/** loudnorm writes numbers as strings, "-inf" for silence (Number("-inf") is NaN: both become null). */
function finite(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
}

/** A track with no integrated loudness above the absolute gate is silence: it is encoded as it is. */
export function isSilent(reading: LoudnessReading | undefined): boolean {
  return (
    reading?.integratedLufs == null ||
    reading.integratedLufs < ABSOLUTE_GATE_LUFS ||
    reading.truePeakDbtp == null ||
    reading.thresholdLufs == null
  );
}

/**
 * How loudnorm will treat the track, by its own rule (af_loudnorm.c): linear when the gain keeps the
 * true peak under the target and the source's range is within the LRA target, else dynamic.
 */
export function loudnessMode(reading: LoudnessReading | undefined, settings: LoudnessSettings): LoudnessMode {
  if (isSilent(reading)) return 'none';
  const gain = settings.targetLufs - reading!.integratedLufs!;
  const peakFits = reading!.truePeakDbtp! + gain <= settings.truePeakDbtp;
  return peakFits && (reading!.lraLu ?? 0) <= settings.lraLu ? 'linear' : 'dynamic';
}

/**
 * Pass two: the filter chain (without labels) for the real encode's audio track, or undefined for a
 * silent track, which is mapped untouched — loudnorm cannot take −inf, and there is nothing to raise.
 * The measured values are clamped to the ranges loudnorm accepts. A measured LRA of exactly 0 (a
 * steady tone) is passed as 0.01: loudnorm reads 0 as "not measured" and would refuse linear mode.
 * loudnorm works at 192 kHz; the closing aformat brings the track back to 48 kHz for AAC (an
 * `aresample` there fails to renegotiate on Debian's ffmpeg 5.1 when loudnorm falls back to dynamic).
 */
export function loudnessApplyFilter(
  reading: LoudnessReading | undefined,
  channels: number,
  settings: LoudnessSettings,
): string | undefined {
  if (isSilent(reading)) return undefined;
  const r = reading!;
  const measured = [
    `measured_I=${num(clamp(r.integratedLufs!, -99, 0))}`,
    `measured_TP=${num(clamp(r.truePeakDbtp!, -99, 99))}`,
    `measured_LRA=${num(clamp(r.lraLu ?? 0, 0.01, 99))}`,
    `measured_thresh=${num(clamp(r.thresholdLufs!, -99, 0))}`,
    `offset=${num(clamp(r.targetOffsetLu ?? 0, -99, 99))}`,
  ].join(':');
  return (
    `aformat=channel_layouts=${layout(channels)},` +
    `loudnorm=${loudnormOptions(settings, channels)}:${measured}:linear=true,` +
    `aformat=sample_rates=48000:channel_layouts=${layout(channels)}`
  );
}

/** The stored summary of a track from its two readings. */
export function trackLoudness(
  input: LoudnessReading | undefined,
  output: LoudnessReading | undefined,
  settings: LoudnessSettings,
): TrackLoudness {
  const pick = (r: LoudnessReading | undefined): TrackLoudness['input'] => ({
    integratedLufs: r?.integratedLufs ?? null,
    truePeakDbtp: r?.truePeakDbtp ?? null,
    lraLu: r?.lraLu ?? null,
  });
  return {
    targetLufs: settings.targetLufs,
    mode: loudnessMode(input, settings),
    input: pick(input),
    output: pick(output),
  };
}
