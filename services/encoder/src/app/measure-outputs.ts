import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readMediaPlaylist } from '@marquee/core/hls';
import { MediaToolError } from './errors.js';
import { averageBitrate, peakBitrate, type MeasuredSegment } from './media-playlist.js';

export interface MeasuredPlaylist {
  peakBandwidth: number;
  averageBandwidth: number;
  durationSeconds: number;
  segments: number;
}

/**
 * Measures one media playlist ffmpeg wrote: the real size of every segment on disk gives the peak and
 * average bit rates the master playlist declares. A playlist without segments, or naming a missing
 * file, means the encode did not finish properly.
 */
export async function measurePlaylist(dir: string, playlist = 'index.m3u8'): Promise<MeasuredPlaylist> {
  const summary = readMediaPlaylist(await readFile(join(dir, playlist), 'utf8'));
  if (summary.segments.length === 0) throw new MediaToolError(`ffmpeg wrote no segments in ${dir}`);
  if (summary.mapUri !== undefined) await stat(join(dir, summary.mapUri));
  const measured: MeasuredSegment[] = await Promise.all(
    summary.segments.map(async (s) => ({
      durationSeconds: s.durationSeconds,
      bytes: (await stat(join(dir, s.uri))).size,
    })),
  );
  return {
    peakBandwidth: peakBitrate(measured, summary.targetDurationSeconds),
    averageBandwidth: averageBitrate(measured),
    durationSeconds: measured.reduce((sum, s) => sum + s.durationSeconds, 0),
    segments: measured.length,
  };
}
