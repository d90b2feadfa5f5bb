import type { MediaTools } from '../media/media-tools.js';

/**
 * ffmpeg's input options for reading our own outputs. `encrypted`: the outputs carry AES-128 keys, so
 * the crypto protocol and the key's file name (no media extension) must be allowed.
 */
export const outputInputOptions = (encrypted = false): string[] =>
  encrypted
    ? ['-protocol_whitelist', 'file,crypto', '-allowed_extensions', 'ALL']
    : ['-protocol_whitelist', 'file'];

/**
 * What ffmpeg says decoding every stream of `workDir`'s master playlist at -v error: '' when the output
 * decodes whole, else its complaints (after `exit <code>` or the run's outcome when it did not exit 0).
 * Tests assert it empty (output-checks.ts' decodeWholeMaster); `bench:encode --chunked` records it.
 * No vitest here, so the bench can import it.
 */
export async function masterDecodeErrors(
  tools: MediaTools,
  workDir: string,
  options: { encrypted?: boolean; wallTimeMs?: number } = {},
): Promise<string> {
  const result = await tools.runner.run(
    tools.binaries.ffmpeg,
    [
      '-nostdin',
      '-v',
      'error',
      ...outputInputOptions(options.encrypted),
      '-i',
      'master.m3u8',
      '-map',
      '0',
      '-f',
      'null',
      '-',
    ],
    { limits: { wallTimeMs: options.wallTimeMs ?? 120_000 }, cwd: workDir },
  );
  const stderr = result.stderr.trim();
  if (result.outcome === 'exited' && result.exitCode === 0) return stderr;
  const how = result.outcome === 'exited' ? `exit ${result.exitCode}` : result.outcome;
  return stderr ? `${how}: ${stderr}` : how;
}
