import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Samples the bytes under `dir` (du: what the files occupy) every `everyMs` until stopped: what a
 * cache actually keeps on disk, beside what it was configured to keep.
 */
export function sampleDiskUsage(
  dir: string,
  everyMs = 2_000,
): { stop(): Promise<{ mean: number; peak: number }> } {
  const samples: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { stdout } = await run('du', ['-s', '-B1', dir]);
        samples.push(Number(stdout.split('\t')[0]));
      } catch {
        // not created yet
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      if (samples.length === 0) return { mean: 0, peak: 0 };
      return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, peak: Math.max(...samples) };
    },
  };
}
