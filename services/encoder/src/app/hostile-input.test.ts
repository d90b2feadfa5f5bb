import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectMemoryLimit } from '../media/memory-limit.js';
import type { MediaTools } from '../media/media-tools.js';
import { createMediaRunner } from '../media/run.js';
import { ffmpeg, makeSource, tempDir, testMediaTools } from '../testing/media-fixtures.js';
import { DEFAULT_ENCODER_SETTINGS, encodeAsset, type EncoderSettings } from './encode-asset.js';
import { MediaRejectedError } from './errors.js';
import { safeInputArgs, safeProbeArgs } from './input-policy.js';

/**
 * The hostile-input corpus. Every file must be rejected with a reason, nothing may crash, and no file
 * outside the upload may be opened. "Opened" is checked two ways: every ffmpeg/ffprobe runs under
 * `strace -f` (when strace works here) and the trace is searched; and the files reference a FIFO,
 * which would block whoever opened it until the (short) time limit — turning a read into a failure
 * even without strace.
 */
let tools: MediaTools;
let root: { path: string; remove: () => Promise<void> };
let secretDir: string;
let straceWorks = false;

const settings: EncoderSettings = {
  ...DEFAULT_ENCODER_SETTINGS,
  limits: {
    ...DEFAULT_ENCODER_SETTINGS.limits,
    probe: { wallTimeMs: 10_000, memoryBytes: 1024 ** 3 },
    analyse: { wallTimeMs: 20_000, memoryBytes: 3 * 1024 ** 3 },
  },
};

beforeAll(async () => {
  tools = await testMediaTools();
  root = await tempDir('hostile');
  secretDir = join(root.path, 'secret');
  await mkdir(secretDir);
  await writeFile(join(secretDir, 'canary.ts'), randomBytes(188 * 10));
  execFileSync('mkfifo', [join(secretDir, 'canary.fifo')]);
  try {
    execFileSync('strace', ['-f', '-qq', '-e', 'trace=openat', '-o', '/dev/null', '/bin/true'], {
      stdio: 'ignore',
    });
    straceWorks = true;
  } catch {
    console.warn('strace is not usable here: the no-read check relies on the FIFO canary alone');
  }
});
afterAll(async () => root?.remove());

/** Tools whose every command runs under strace, appending to `traceFile`. */
async function tracedTools(traceFile: string): Promise<MediaTools> {
  if (!straceWorks) return tools;
  const memoryLimit = await detectMemoryLimit(process.env.PATH ?? '/usr/bin:/bin');
  const prefix = ['strace', '-f', '-qq', '-A', '-e', 'trace=open,openat,openat2,creat', '-o', traceFile];
  return { binaries: tools.binaries, runner: createMediaRunner({ memoryLimit, commandPrefix: prefix }) };
}

/** Paths the traced processes tried to open, resolved against `cwd` when relative. */
async function openedPaths(traceFile: string, cwd: string): Promise<string[]> {
  if (!straceWorks) return [];
  const text = await readFile(traceFile, 'utf8').catch(() => '');
  return [...text.matchAll(/\bopen(?:at2?)?\((?:AT_FDCWD, )?"([^"]*)"|\bcreat\("([^"]*)"/g)].map((m) => {
    // resolve() also normalises: ffmpeg opens "file:///x" as "///x".
    return resolve(cwd, (m[1] ?? m[2])!);
  });
}

/** Where shared libraries and their configuration live: opening these is the binary starting, not reading input. */
const SYSTEM_PREFIXES = [
  '/lib',
  '/usr/',
  '/proc/',
  '/sys/',
  '/dev/',
  '/etc/ld.so',
  '/etc/localtime',
  '/etc/fonts/',
  '/etc/gnutls/',
  '/etc/ssl/',
  '/etc/gcrypt/',
];

function expectNothingOutside(paths: string[], jobDir: string): void {
  const outside = paths.filter(
    (p) => !p.startsWith(`${jobDir}/`) && !SYSTEM_PREFIXES.some((prefix) => p.startsWith(prefix)),
  );
  expect(outside).toEqual([]);
  expect(paths.filter((p) => p.includes('passwd') || p.startsWith(secretDir))).toEqual([]);
}

function references(): string[] {
  return ['/etc/passwd', join(secretDir, 'canary.ts'), join(secretDir, 'canary.fifo')];
}

type Maker = (jobDir: string, upload: string) => Promise<void>;

const corpus: { name: string; file: string; make: Maker; reason: RegExp }[] = [
  {
    name: 'an HLS playlist referencing /etc/passwd',
    file: 'upload.mp4',
    make: async (_, upload) =>
      writeFile(
        upload,
        `#EXTM3U\n#EXT-X-TARGETDURATION:10\n${references()
          .map((r) => `#EXTINF:10,\nfile://${r}\n`)
          .join('')}#EXT-X-ENDLIST\n`,
      ),
    reason: /HLS playlist/,
  },
  {
    name: 'an ffconcat list referencing /etc/passwd',
    file: 'upload.mkv',
    make: async (_, upload) =>
      writeFile(
        upload,
        `ffconcat version 1.0\n${references()
          .map((r) => `file '${r}'\n`)
          .join('')}`,
      ),
    reason: /concat list/,
  },
  {
    name: 'an SDP description',
    file: 'upload.mp4',
    make: async (_, upload) =>
      writeFile(upload, 'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nm=video 5004 RTP/AVP 96\n'),
    reason: /SDP/,
  },
  {
    name: 'a zero-byte file',
    file: 'upload.mp4',
    make: async (_, upload) => writeFile(upload, ''),
    reason: /empty/,
  },
  {
    name: 'a truncated MP4',
    file: 'upload.mp4',
    make: async (jobDir, upload) => {
      const source = await makeSource(tools, jobDir, 'whole.mp4', {
        width: 320,
        height: 240,
        seconds: 2,
        container: 'mp4',
      });
      await rename(source, upload);
      await truncate(upload, Math.floor((await stat(upload)).size / 2));
    },
    reason: /incomplete MP4/,
  },
  {
    name: 'a text file named .mp4',
    file: 'upload.mp4',
    make: async (_, upload) => writeFile(upload, 'Meeting notes\n- ship the encoder\n'),
    reason: /text file/,
  },
  {
    name: 'a PNG',
    file: 'upload.mp4',
    make: async (jobDir, upload) => {
      await ffmpeg(tools, [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=64x64',
        '-frames:v',
        '1',
        join(jobDir, 'image.png'),
      ]);
      await rename(join(jobDir, 'image.png'), upload);
    },
    reason: /PNG image/,
  },
  {
    name: 'a video of absurd dimensions',
    file: 'upload.avi',
    make: async (_, upload) =>
      ffmpeg(tools, [
        '-f',
        'lavfi',
        '-i',
        'color=c=gray:size=8000x8000:rate=5:duration=0.4',
        '-c:v',
        'mpeg4',
        '-q:v',
        '31',
        upload,
      ]),
    reason: /8000×8000, larger than the 7680×4320 maximum/,
  },
  {
    name: 'a one-frame video',
    file: 'upload.mp4',
    make: async (_, upload) =>
      ffmpeg(tools, [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=25',
        '-frames:v',
        '1',
        '-c:v',
        'libx264',
        upload,
      ]),
    reason: /single frame|shorter than/,
  },
  {
    name: 'random bytes',
    file: 'upload.mp4',
    make: async (_, upload) => writeFile(upload, randomBytes(256 * 1024)),
    reason:
      /not a video format Marquee can read|incomplete MP4|could not be read|no video stream|could not be decoded/,
  },
];

describe('hostile uploads', () => {
  for (const [n, item] of corpus.entries()) {
    it(`rejects ${item.name} with a reason, opening nothing else`, async () => {
      const jobDir = join(root.path, `job-${n}`);
      await mkdir(jobDir);
      const upload = join(jobDir, item.file);
      await item.make(jobDir, upload);
      const traceFile = join(jobDir, 'trace.txt');
      const workDir = join(jobDir, 'out');
      const attempt = encodeAsset(await tracedTools(traceFile), { sourcePath: upload, workDir }, settings);
      const error = await attempt.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(MediaRejectedError);
      expect((error as MediaRejectedError).reason).toMatch(item.reason);
      await expect(access(join(workDir, 'master.m3u8'))).rejects.toThrow();
      expectNothingOutside(await openedPaths(traceFile, workDir), jobDir);
    });
  }
});

describe('ffmpeg itself enforces the allow-lists (the sniffer bypassed)', () => {
  const lists: { name: string; content: () => string; refused: RegExp }[] = [
    {
      name: 'HLS playlist',
      content: () =>
        `#EXTM3U\n#EXT-X-TARGETDURATION:10\n${references()
          .map((r) => `#EXTINF:10,\nfile://${r}\n`)
          .join('')}#EXT-X-ENDLIST\n`,
      refused: /Format not on whitelist|Invalid data/,
    },
    {
      name: 'ffconcat list',
      content: () =>
        `ffconcat version 1.0\n${references()
          .map((r) => `file '${r}'\n`)
          .join('')}`,
      refused: /Format not on whitelist|Invalid data/,
    },
  ];

  for (const [n, list] of lists.entries()) {
    it(`ffprobe and ffmpeg refuse an ${list.name} and read nothing it names`, async () => {
      const jobDir = join(root.path, `direct-${n}`);
      await mkdir(jobDir);
      const upload = join(jobDir, 'upload');
      await writeFile(upload, list.content());
      const traceFile = join(jobDir, 'trace.txt');
      const traced = await tracedTools(traceFile);
      const limits = { wallTimeMs: 10_000 };
      const probe = await traced.runner.run(
        traced.binaries.ffprobe,
        ['-v', 'error', ...safeProbeArgs(upload)],
        { limits },
      );
      const decode = await traced.runner.run(
        traced.binaries.ffmpeg,
        ['-nostdin', '-v', 'error', ...safeInputArgs(upload), '-f', 'null', '-'],
        { limits, cwd: jobDir },
      );
      for (const result of [probe, decode]) {
        expect(result.outcome).toBe('exited'); // not timed out on the FIFO
        expect(result.exitCode).not.toBe(0);
        expect(result.stderr).toMatch(list.refused);
      }
      expectNothingOutside(await openedPaths(traceFile, jobDir), jobDir);
    });
  }

  it('the trace check would see a read: without the allow-list, the playlist opens its target', async (ctx) => {
    // Control for the assertions above: proves the strace-based check can fail.
    if (!straceWorks) ctx.skip();
    const jobDir = join(root.path, 'control');
    await mkdir(jobDir);
    const upload = join(jobDir, 'upload.m3u8');
    await writeFile(
      upload,
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${join(secretDir, 'canary.ts')}\n#EXT-X-ENDLIST\n`,
    );
    const traceFile = join(jobDir, 'trace.txt');
    const traced = await tracedTools(traceFile);
    await traced.runner.run(traced.binaries.ffprobe, ['-v', 'error', upload], {
      limits: { wallTimeMs: 10_000 },
    });
    expect(await openedPaths(traceFile, jobDir)).toContain(join(secretDir, 'canary.ts'));
  });
});

describe('the trace check itself', () => {
  it('resolves relative paths and flags anything outside the job dir', () => {
    const jobDir = join(tmpdir(), 'job');
    expect(() => expectNothingOutside([join(tmpdir(), 'other/file')], jobDir)).toThrow();
    expect(() => expectNothingOutside(['/etc/passwd'], jobDir)).toThrow();
    expect(() => expectNothingOutside([join(secretDir, 'canary.ts')], jobDir)).toThrow();
    expect(() =>
      expectNothingOutside([`${jobDir}/upload`, '/usr/lib/x.so', '/etc/ld.so.cache'], jobDir),
    ).not.toThrow();
  });
});
