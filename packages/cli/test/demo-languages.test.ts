import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateDemoVideo } from '../src/demo/generate.js';

// Issue 22 item 3: the demo wrote "es" into MP4; the npm-shipped 2018 ffmpeg retagged it "eng" and
// Debian's dropped it, so the Spanish audio and subtitles showed as English. Both builds must keep it.

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const builds: [string, string, string][] = [];
try {
  await run('ffmpeg', ['-version']);
  builds.push(['system', 'ffmpeg', 'ffprobe']);
} catch {
  // no system ffmpeg: the npm one below still runs
}
builds.push([
  'npm-shipped',
  (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
  (require('@ffprobe-installer/ffprobe') as { path: string }).path,
]);

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe.each(builds)('demo track languages with the %s ffmpeg', (_name, ffmpeg, ffprobe) => {
  it('survive into the file as ISO 639-2 (spa, eng)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquee-demo-lang-'));
    dirs.push(dir);
    const file = await generateDemoVideo(
      ffmpeg,
      {
        video: 'testsrc2=size=160x90:rate=10',
        audio: [
          ['en', 440],
          ['es', 660],
        ],
        subtitles: [
          ['en', ['Hello']],
          ['es', ['Hola']],
        ],
        seconds: 1,
      },
      dir,
      'clip',
    );
    const { stdout } = await run(ffprobe, [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type:stream_tags=language',
      '-of',
      'json',
      file,
    ]);
    const streams = (
      JSON.parse(stdout) as { streams: { codec_type: string; tags?: { language?: string } }[] }
    ).streams;
    const languages = (type: string) =>
      streams.filter((s) => s.codec_type === type).map((s) => s.tags?.language);
    expect(languages('audio')).toEqual(['eng', 'spa']);
    expect(languages('subtitle')).toEqual(['eng', 'spa']);
  }, 60_000);
});
