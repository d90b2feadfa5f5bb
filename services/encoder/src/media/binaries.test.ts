import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaToolsUnavailableError } from '../app/errors.js';
import { tempDir } from '../testing/media-fixtures.js';
import { resolveMediaBinaries } from './binaries.js';
import { createMediaRunner } from './run.js';

const runner = createMediaRunner({ memoryLimit: { kind: 'rss-watchdog' } });
let dir: { path: string; remove: () => Promise<void> };
let fakeBin: string;

beforeAll(async () => {
  dir = await tempDir('binaries');
  // A "system" ffmpeg that runs but can do nothing: /bin/true answers every question with silence.
  fakeBin = join(dir.path, 'bin');
  await mkdir(fakeBin);
  await symlink('/bin/true', join(fakeBin, 'ffmpeg'));
  await symlink('/bin/true', join(fakeBin, 'ffprobe'));
});
afterAll(async () => dir?.remove());

describe('resolveMediaBinaries', () => {
  it("uses the system's ffmpeg when no path is configured", async () => {
    const warnings: string[] = [];
    const found = await resolveMediaBinaries({
      searchPath: '/usr/local/bin:/usr/bin:/bin',
      runner,
      warn: (m) => warnings.push(m),
    });
    expect(found).toMatchObject({ source: 'system', ffmpeg: expect.stringMatching(/\/ffmpeg$/) as string });
    expect(found.version).toMatch(/^\S+$/);
    expect(warnings).toEqual([]);
  });

  it('falls back to the npm static build, with a warning, when there is no system ffmpeg', async () => {
    const warnings: string[] = [];
    const found = await resolveMediaBinaries({
      searchPath: join(dir.path, 'nowhere'),
      runner,
      warn: (m) => warnings.push(m),
    });
    expect(found.source).toBe('npm');
    expect(found.ffmpeg).toContain('@ffmpeg-installer');
    expect(found.ffprobe).toContain('@ffprobe-installer');
    expect(warnings.join('\n')).toMatch(/2018 build.*untrusted uploads in production/s);
  });

  it('skips a system ffmpeg that lacks what the encoder needs', async () => {
    const warnings: string[] = [];
    const found = await resolveMediaBinaries({ searchPath: fakeBin, runner, warn: (m) => warnings.push(m) });
    expect(found.source).toBe('npm');
    expect(warnings[0]).toMatch(/Skipping the system ffmpeg .* lacks libx264, aac/);
  });

  it('uses FFMPEG_PATH/FFPROBE_PATH when given', async () => {
    const npm = await resolveMediaBinaries({ searchPath: '', runner });
    const found = await resolveMediaBinaries({
      ffmpegPath: npm.ffmpeg,
      ffprobePath: npm.ffprobe,
      searchPath: '/usr/bin',
      runner,
    });
    expect(found).toEqual({ ...npm, source: 'env' });
  });

  it('fails with instructions when the configured ffmpeg does not work, rather than falling back', async () => {
    const attempt = resolveMediaBinaries({
      ffmpegPath: join(fakeBin, 'ffmpeg'),
      searchPath: '/usr/bin',
      runner,
    });
    await expect(attempt).rejects.toThrow(MediaToolsUnavailableError);
    await expect(attempt).rejects.toThrow(
      /FFMPEG_PATH\/FFPROBE_PATH do not work: .*lacks libx264.*apt-get install ffmpeg/s,
    );
    await expect(
      resolveMediaBinaries({ ffmpegPath: '/nonexistent/ffmpeg', searchPath: '', runner }),
    ).rejects.toThrow(/cannot run \/nonexistent\/ffmpeg \(ENOENT\)/);
  });
});
