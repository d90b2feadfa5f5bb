import { spawn } from 'node:child_process';
import { detectRealtimeGuard } from '../../services/encoder/src/media/realtime-guard.js';

// As the encoder's media tools (realtime-guard.ts): as root, without CAP_SYS_NICE, so the bench's
// SVT-AV1 encodes never take realtime priority over the rest of the machine.
let guard: Promise<string[]> | undefined;

/** Runs ffmpeg and returns its stderr; throws with the end of it when ffmpeg fails. */
export async function runFfmpeg(
  ffmpeg: string,
  args: string[],
  cwd?: string,
  level = 'error',
): Promise<string> {
  guard ??= detectRealtimeGuard(process.env.PATH ?? '/usr/bin:/bin', process.getuid?.(), (m) =>
    console.warn(m),
  );
  const [command, ...prefix] = [...(await guard), ffmpeg];
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, '-hide_banner', '-nostdin', '-v', level, '-y', ...args], {
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
