import { open } from 'node:fs/promises';
import { MediaRejectedError } from '../app/errors.js';
import { safeProbeArgs } from '../app/input-policy.js';
import { parseProbe, type ProbeJson, type SourceInfo } from '../app/probe.js';
import { looksLikeMp4, sniffNonVideo } from '../app/sniff.js';
import { probeFailure } from './failures.js';
import type { MediaTools } from './media-tools.js';

export interface ProbeOptions {
  limits: { wallTimeMs: number; memoryBytes?: number };
  signal?: AbortSignal;
}

const SNIFF_BYTES = 4096;

/**
 * ffprobe an upload under the hostile-input policy and describe it as a SourceInfo. Throws
 * MediaRejectedError (with the reason for the operator) for anything that is not an acceptable video
 * container; the file is opened by ffprobe only through the demuxer and protocol allow-lists.
 */
export async function probeSource(
  tools: MediaTools,
  sourcePath: string,
  options: ProbeOptions,
): Promise<SourceInfo> {
  const handle = await open(sourcePath, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const sniffed = sniffNonVideo(head, size);
  if (sniffed) throw new MediaRejectedError(sniffed);

  const args = [
    '-hide_banner',
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    ...safeProbeArgs(sourcePath),
  ];
  const result = await tools.runner.run(tools.binaries.ffprobe, args, {
    limits: options.limits,
    stdout: 'capture',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.outcome !== 'exited' || result.exitCode !== 0)
    throw probeFailure(result, options.limits, { looksLikeMp4: looksLikeMp4(head) });
  let json: ProbeJson;
  try {
    json = JSON.parse(result.stdout) as ProbeJson;
  } catch {
    throw new MediaRejectedError('The file could not be read (the prober gave no usable answer).');
  }
  return parseProbe(json);
}
