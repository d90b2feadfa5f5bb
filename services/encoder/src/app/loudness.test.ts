import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOUDNESS,
  loudnessApplyFilter,
  loudnessMeasureArgs,
  loudnessMode,
  parseLoudnessReports,
  trackLoudness,
  type LoudnessReading,
} from './loudness.js';

/** Two reports as ffmpeg 5.1 prints them: in reverse order, one of them silence. */
const STDERR = `Output #1, null, to 'pipe:':
[loudnorm@m1 @ 0x55f4569c2540] 
{
	"input_i" : "-inf",
	"input_tp" : "-inf",
	"input_lra" : "0.00",
	"input_thresh" : "-70.00",
	"output_i" : "-inf",
	"output_tp" : "-inf",
	"output_lra" : "0.00",
	"output_thresh" : "-70.00",
	"normalization_type" : "dynamic",
	"target_offset" : "inf"
}
[loudnorm@m0 @ 0x55f4569c0300] 
{
	"input_i" : "-46.15",
	"input_tp" : "-45.64",
	"input_lra" : "0.00",
	"input_thresh" : "-56.15",
	"output_i" : "-16.04",
	"output_tp" : "-15.54",
	"output_lra" : "0.00",
	"output_thresh" : "-26.04",
	"normalization_type" : "dynamic",
	"target_offset" : "0.04"
}
size=N/A time=00:00:03.00 bitrate=N/A speed=21x
`;

const quiet: LoudnessReading = {
  integratedLufs: -46.15,
  truePeakDbtp: -45.64,
  lraLu: 0,
  thresholdLufs: -56.15,
  targetOffsetLu: 0.04,
};

describe('loudness', () => {
  it('measures every track in one audio-only run, each loudnorm named for its report', () => {
    const args = loudnessMeasureArgs(
      ['-i', 'file:/in.mkv'],
      [
        { stream: '0:1', channels: 2 },
        { stream: '0:3', channels: 1 },
      ],
      DEFAULT_LOUDNESS,
    );
    expect(args).toContain('-vn');
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:1]aformat=channel_layouts=stereo,loudnorm@m0=I=-16.00:TP=-1.50:LRA=20.00:print_format=json[lm0];' +
        '[0:3]aformat=channel_layouts=mono,loudnorm@m1=I=-16.00:TP=-1.50:LRA=20.00:dual_mono=true:print_format=json[lm1]',
    );
    expect(args.slice(-10)).toEqual(['-map', '[lm0]', '-f', 'null', '-', '-map', '[lm1]', '-f', 'null', '-']);
  });

  it('reads the reports by name, whatever order ffmpeg prints them in; −inf becomes null', () => {
    const [first, second] = parseLoudnessReports(STDERR, 2);
    expect(first).toEqual(quiet);
    expect(second).toEqual({
      integratedLufs: null,
      truePeakDbtp: null,
      lraLu: 0,
      thresholdLufs: -70,
      targetOffsetLu: null,
    });
    expect(parseLoudnessReports('no reports', 1)).toEqual([undefined]);
  });

  it('applies the measured values linearly, a steady tone (LRA 0) passed as measured', () => {
    expect(loudnessApplyFilter(quiet, 2, DEFAULT_LOUDNESS)).toBe(
      'aformat=channel_layouts=stereo,loudnorm=I=-16.00:TP=-1.50:LRA=20.00:measured_I=-46.15:' +
        'measured_TP=-45.64:measured_LRA=0.01:measured_thresh=-56.15:offset=0.04:linear=true,' +
        'aformat=sample_rates=48000:channel_layouts=stereo',
    );
    expect(loudnessMode(quiet, DEFAULT_LOUDNESS)).toBe('linear');
  });

  it('leaves silence and absent reports alone', () => {
    const [, silent] = parseLoudnessReports(STDERR, 2);
    expect(loudnessApplyFilter(silent, 2, DEFAULT_LOUDNESS)).toBeUndefined();
    expect(loudnessApplyFilter(undefined, 2, DEFAULT_LOUDNESS)).toBeUndefined();
    expect(loudnessMode(silent, DEFAULT_LOUDNESS)).toBe('none');
    expect(trackLoudness(silent, silent, DEFAULT_LOUDNESS)).toEqual({
      targetLufs: -16,
      mode: 'none',
      input: { integratedLufs: null, truePeakDbtp: null, lraLu: 0 },
      output: { integratedLufs: null, truePeakDbtp: null, lraLu: 0 },
    });
  });

  it("predicts loudnorm's dynamic fallback: a gain past the true-peak limit, or a range past the LRA target", () => {
    const hot = { ...quiet, integratedLufs: -30, truePeakDbtp: -3 };
    expect(loudnessMode(hot, DEFAULT_LOUDNESS)).toBe('dynamic');
    expect(loudnessMode({ ...quiet, lraLu: 25 }, DEFAULT_LOUDNESS)).toBe('dynamic');
  });
});
