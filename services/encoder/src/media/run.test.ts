import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testMediaTools } from '../testing/media-fixtures.js';
import { detectMemoryLimit, type MemoryLimitStrategy } from './memory-limit.js';
import { createMediaRunner } from './run.js';

// The runner is generic: node scripts stand in for ffmpeg where a behaviour is easier to provoke.
const node = process.execPath;
const watchdog: MemoryLimitStrategy = { kind: 'rss-watchdog' };

async function prlimitStrategy(): Promise<MemoryLimitStrategy> {
  return detectMemoryLimit('/usr/bin:/bin:/usr/sbin:/sbin');
}

/** Running, as opposed to gone or a zombie waiting for whoever inherited it to reap it. */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

describe('createMediaRunner', () => {
  const runner = createMediaRunner({ memoryLimit: watchdog });

  it('passes arguments literally, never through a shell', async () => {
    const tricky = ['$(touch /tmp/marquee-pwned)', '; echo hi', '`id`', "'quoted'"];
    const result = await runner.run(
      node,
      ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...tricky],
      {
        limits: { wallTimeMs: 10_000 },
        stdout: 'capture',
      },
    );
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    expect(JSON.parse(result.stdout)).toEqual(tricky);
  });

  it('gives the child no stdin', async () => {
    const script = "let n=0;process.stdin.on('data',d=>n+=d.length).on('end',()=>console.log('eof',n))";
    const result = await runner.run(node, ['-e', script], {
      limits: { wallTimeMs: 10_000 },
      stdout: 'capture',
    });
    expect(result.stdout.trim()).toBe('eof 0');
  });

  it('kills the whole process group when the wall time expires', async () => {
    const script =
      "const c=require('child_process').spawn('sleep',['30'],{stdio:'ignore'});console.log(c.pid);setInterval(()=>{},1000)";
    const started = Date.now();
    const result = await runner.run(node, ['-e', script], {
      limits: { wallTimeMs: 1500 },
      stdout: 'capture',
    });
    expect(result).toMatchObject({ outcome: 'timed_out', signal: 'SIGKILL' });
    expect(Date.now() - started).toBeLessThan(10_000);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('stops on abort, and does not start when already aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runner.run(node, ['-e', 'setInterval(()=>{},1000)'], {
      limits: { wallTimeMs: 20_000 },
      signal: controller.signal,
    });
    expect(result.outcome).toBe('aborted');
    const again = await runner.run(node, ['-e', ''], {
      limits: { wallTimeMs: 1000 },
      signal: controller.signal,
    });
    expect(again).toMatchObject({ outcome: 'aborted', exitCode: null });
  });

  it('keeps only the tail of a flood of stderr', async () => {
    const script =
      "for(let i=0;i<20000;i++)process.stderr.write('line '+i+'\\n');process.stderr.write('LAST\\n')";
    const result = await runner.run(node, ['-e', script], {
      limits: { wallTimeMs: 20_000 },
      stderrLimitBytes: 4096,
    });
    expect(result.stderr.length).toBeLessThanOrEqual(4096);
    expect(result.stderr.endsWith('LAST\n')).toBe(true);
  });

  it('kills a process whose captured output is absurd', async () => {
    const script = "const b='x'.repeat(65536);(function w(){process.stdout.write(b,w)})()";
    const result = await runner.run(node, ['-e', script], {
      limits: { wallTimeMs: 20_000 },
      stdout: 'capture',
      stdoutLimitBytes: 1024 * 1024,
    });
    expect(result.outcome).toBe('output_exceeded');
    expect(result.stdout.length).toBeLessThanOrEqual(1024 * 1024);
  });

  it('parses -progress reports from stdout', async () => {
    const script =
      "process.stdout.write('frame=1\\nout_time_us=500000\\nprogress=continue\\n');process.stdout.write('frame=2\\nout_time_us=1000000\\nprogress=end\\n')";
    const seen: number[] = [];
    await runner.run(node, ['-e', script], {
      limits: { wallTimeMs: 10_000 },
      stdout: 'progress',
      onProgress: (p) => seen.push(p.outTimeSeconds),
    });
    expect(seen).toEqual([0.5, 1]);
  });

  it('rejects when the command does not exist', async () => {
    await expect(runner.run('/nonexistent/ffmpeg', [], { limits: { wallTimeMs: 1000 } })).rejects.toThrow(
      /ENOENT/,
    );
  });
});

describe('memory limits', () => {
  const hog = 'const a=[];setInterval(()=>{for(let i=0;i<4;i++)a.push(Buffer.alloc(16e6,1))},20)';

  it('the RSS watchdog kills a process that grows past the limit', async () => {
    const runner = createMediaRunner({ memoryLimit: watchdog });
    const result = await runner.run(node, ['-e', hog], {
      limits: { wallTimeMs: 20_000, memoryBytes: 300 * 1024 ** 2 },
    });
    expect(result.outcome).toBe('memory_exceeded');
  });

  it('prlimit makes allocations past the limit fail inside the child', async () => {
    const strategy = await prlimitStrategy();
    expect(strategy.kind).toBe('prlimit');
    const runner = createMediaRunner({ memoryLimit: strategy });
    // ffmpeg rather than Node, whose VM reserves gigabytes of address space at start. 400 MiB is
    // plenty for a small encode and far too little for x264's 8K frames.
    const { ffmpeg } = (await testMediaTools()).binaries;
    const encode = (size: string) =>
      runner.run(
        ffmpeg,
        [
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          `color=size=${size}`,
          '-frames:v',
          '2',
          '-c:v',
          'libx264',
          '-f',
          'null',
          '-',
        ],
        {
          limits: { wallTimeMs: 30_000, memoryBytes: 400 * 1024 ** 2 },
        },
      );
    expect(await encode('320x240')).toMatchObject({ outcome: 'exited', exitCode: 0 });
    const huge = await encode('7680x4320');
    expect(huge.outcome).toBe('exited');
    expect(huge.exitCode).not.toBe(0);
    expect(huge.stderr).toMatch(/alloc|memory/i);
  });

  it('falls back to the watchdog when prlimit is not on the path', async () => {
    expect(await detectMemoryLimit('/nonexistent')).toEqual({ kind: 'rss-watchdog' });
  });
});
