import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MEDIA_PLAYLIST, rawSubtitleFile, subtitleDir } from './encode-args.js';
import { MediaRejectedError } from './errors.js';
import { renditionName, toBcp47, UNKNOWN_LANGUAGE_NAME } from './languages.js';
import type { SubtitleTrack } from './probe.js';
import { normalizeVtt, sidecarToVtt, subtitlePlaylist, withTimestampMap } from './subtitles.js';

export interface Sidecar {
  path: string;
  language?: string;
  /** The name the operator uploaded it as (decides .srt/.vtt); defaults to the path's name. */
  fileName?: string;
}

export interface SubtitleOutput {
  /** Directory (relative to the work dir) holding index.vtt and index.m3u8. */
  dir: string;
  name: string;
  language: string | undefined;
  origin: 'stream' | 'sidecar';
}

const MAX_SIDECAR_BYTES = 10 * 1024 * 1024;

export interface ReadSidecar {
  vtt: string;
  language: string | undefined;
}

/**
 * Reads and converts the uploaded sidecars before any encoding starts, so that a bad one rejects the
 * upload in seconds rather than after the encode.
 */
export async function readSidecars(sidecars: readonly Sidecar[]): Promise<ReadSidecar[]> {
  const read: ReadSidecar[] = [];
  for (const sidecar of sidecars) {
    const fileName = sidecar.fileName ?? basename(sidecar.path);
    if ((await stat(sidecar.path)).size > MAX_SIDECAR_BYTES) {
      throw new MediaRejectedError(
        `The subtitle file "${fileName}" is larger than ${MAX_SIDECAR_BYTES / 1024 ** 2} MiB.`,
      );
    }
    read.push({
      vtt: sidecarToVtt(fileName, await readFile(sidecar.path, 'utf8')),
      language: toBcp47(sidecar.language),
    });
  }
  return read;
}
const VTT_FILE = 'index.vtt';

/**
 * Turns what ffmpeg extracted from the source's text subtitle streams, and the uploaded sidecars, into
 * WebVTT renditions: one `.vtt` covering the whole title plus a one-segment playlist each. A source
 * stream with no cue is dropped. (A sidecar that is not valid SRT/WebVTT has already rejected the
 * upload in readSidecars: the operator asked for it, so silently dropping it would hide a mistake.)
 */
export async function finishSubtitles(
  workDir: string,
  extracted: readonly SubtitleTrack[],
  sidecars: readonly ReadSidecar[],
  durationSeconds: number,
): Promise<SubtitleOutput[]> {
  const outputs: SubtitleOutput[] = [];
  for (const [k, track] of extracted.entries()) {
    const dir = subtitleDir(k);
    const raw = join(workDir, rawSubtitleFile(k));
    let vtt: string | undefined;
    try {
      vtt = normalizeVtt(await readFile(raw, 'utf8'));
    } catch {
      vtt = undefined; // no cue in this stream
    }
    await rm(raw, { force: true });
    if (vtt === undefined) {
      await rm(join(workDir, dir), { recursive: true, force: true });
      continue;
    }
    await writeRendition(join(workDir, dir), vtt, durationSeconds);
    const name = renditionName(track.language, track.title, UNKNOWN_LANGUAGE_NAME);
    outputs.push({ dir, name, language: track.language, origin: 'stream' });
  }
  for (const [i, sidecar] of sidecars.entries()) {
    const dir = subtitleDir(extracted.length + i);
    await writeRendition(join(workDir, dir), sidecar.vtt, durationSeconds);
    const name = renditionName(sidecar.language, undefined, UNKNOWN_LANGUAGE_NAME);
    outputs.push({ dir, name, language: sidecar.language, origin: 'sidecar' });
  }
  return dedupeNames(outputs);
}

async function writeRendition(dir: string, vtt: string, durationSeconds: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, VTT_FILE), withTimestampMap(vtt));
  await writeFile(join(dir, MEDIA_PLAYLIST), subtitlePlaylist(VTT_FILE, durationSeconds));
}

/** NAME must be unique within a rendition group: "English", "English (2)". */
export function dedupeNames<T extends { name: string }>(items: T[]): T[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const count = (seen.get(item.name) ?? 0) + 1;
    seen.set(item.name, count);
    return count === 1 ? item : { ...item, name: `${item.name} (${count})` };
  });
}
