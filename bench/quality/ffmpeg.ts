import { spawn } from 'node:child_process';

/** Runs ffmpeg and returns its stderr; throws with the end of it when ffmpeg fails. */
export function runFfmpeg(ffmpeg: string, args: string[], cwd?: string, level = 'error'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-v', level, '-y', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(cwd ? { cwd } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-200_000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stderr) : reject(new Error(`ffmpeg failed (${code}): ${stderr.slice(-2000)}`)),
    );
  });
}
