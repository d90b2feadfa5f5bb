import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '@marquee/core';
import { backendAvailable, uniqueName } from '../testing/backends.js';
import { startS3rver, type RunningS3rver } from '../testing/s3rver.js';
import type { BlobStore } from './port.js';
import {
  BlobKeyConflictError,
  BlobStoreUnavailableError,
  InvalidKeyError,
  RangeNotSatisfiableError,
} from './errors.js';
import { openBlobStore } from './index.js';

/** One isolated store, plus what the suite needs to look behind it. */
interface Fixture {
  store: BlobStore;
  /** Temp files (writes in progress or spooled bodies) the adapter left behind. */
  tempFiles(): Promise<string[]>;
  /** Changes whenever the adapter touched its storage. */
  ioFingerprint(): Promise<string>;
}

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const read = async (body: Readable) => Buffer.concat(await body.toArray());
const all = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};
/** Streams `bytes` in 64 KiB chunks, then fails with `error` instead of ending, when one is given. */
const chunked = (bytes: Buffer, error?: Error) =>
  Readable.from(
    (async function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
      if (error) throw error;
    })(),
  );
const tree = async (dir: string): Promise<string> =>
  (await readdir(dir, { recursive: true })).sort().join('\n');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openFilesystem(root?: string): Promise<Fixture & { root: string }> {
  const dir = root ?? (await mkdtemp(join(tmpdir(), 'blobs-')));
  const store = await openBlobStore({ root: dir });
  cleanups.push(() => store.close());
  if (!root) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return { root: dir, store, tempFiles: () => readdir(join(dir, 'tmp')), ioFingerprint: () => tree(dir) };
}

let s3: RunningS3rver | undefined;
async function openS3(): Promise<Fixture> {
  s3 ??= await startS3rver();
  const spoolDir = await mkdtemp(join(tmpdir(), 'blobs-spool-'));
  const server = s3;
  const store = await openBlobStore({
    s3: {
      endpoint: server.endpoint,
      ...server.credentials,
      bucket: 'contract',
      prefix: uniqueName('t'), // a fresh folder of the bucket per test
      spoolDir,
      // Small, so that a few MiB take the spool-to-file and multipart paths.
      spoolMemoryBytes: 1 * MiB,
      partSizeBytes: 5 * MiB,
    },
  });
  cleanups.push(() => store.close());
  cleanups.push(() => rm(spoolDir, { recursive: true, force: true }));
  return { store, tempFiles: () => readdir(spoolDir), ioFingerprint: async () => String(server.requests()) };
}
afterAll(async () => s3?.stop());

const adapters: [string, boolean, () => Promise<Fixture>][] = [
  ['filesystem', await backendAvailable('embedded'), () => openFilesystem()],
  ['s3 (s3rver)', await backendAvailable('s3'), openS3],
];

describe.each(adapters)('blobs contract: %s', (_name, available, open) => {
  describe.skipIf(!available)('', () => {
    let fixture: Fixture;
    let blobs: BlobStore;
    const fresh = async () => {
      fixture = await open();
      blobs = fixture.store;
    };

    it('round-trips a Buffer, a string and a multi-MiB stream with their size and SHA-256', async () => {
      await fresh();
      const buffer = randomBytes(1000);
      const text = 'Amélie — 東京物語 🎬\n';
      const big = randomBytes(12 * MiB + 123);

      const infos = [
        await blobs.put('rt/buffer.bin', buffer),
        await blobs.put('rt/text.txt', text, { contentType: 'text/plain; charset=utf-8' }),
        await blobs.put('rt/stream.mp4', chunked(big), { contentType: 'video/mp4' }),
      ];
      const expected = [buffer, Buffer.from(text, 'utf8'), big];
      for (const [i, info] of infos.entries()) {
        const bytes = expected[i]!;
        expect(info).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
        const { body, info: got, range } = await blobs.get(info.key);
        expect(range).toBeUndefined();
        expect((await read(body)).equals(bytes)).toBe(true);
        expect(got).toMatchObject({ key: info.key, size: bytes.length, sha256: sha256(bytes) });
        expect(await blobs.head(info.key)).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
      }
      expect((await blobs.head('rt/buffer.bin'))?.contentType).toBe('application/octet-stream');
      expect((await blobs.head('rt/text.txt'))?.contentType).toBe('text/plain; charset=utf-8');
      expect((await blobs.head('rt/stream.mp4'))?.contentType).toBe('video/mp4');
      expect((await blobs.head('rt/stream.mp4'))?.lastModified).toBeInstanceOf(Date);
      expect(await fixture.tempFiles()).toEqual([]);
      await blobs.put('rt/empty', Buffer.alloc(0));
      expect(await read((await blobs.get('rt/empty')).body)).toHaveLength(0);
      expect(await blobs.head('rt/empty')).toMatchObject({ size: 0, sha256: sha256(Buffer.alloc(0)) });
    });

    it('reads exact byte ranges and refuses ranges past the end', async () => {
      await fresh();
      const bytes = randomBytes(1000);
      await blobs.put('r/seg.m4s', bytes);
      const cases: [{ start: number; end?: number }, number, number][] = [
        [{ start: 100 }, 100, 999],
        [{ start: 10, end: 19 }, 10, 19],
        [{ start: 0, end: 0 }, 0, 0],
        [{ start: 999, end: 999 }, 999, 999],
        [{ start: 999 }, 999, 999],
        [{ start: 0 }, 0, 999],
        [{ start: 0, end: 999 }, 0, 999],
        [{ start: 990, end: 5000 }, 990, 999], // an end past the last byte is cut, as in HTTP
      ];
      for (const [asked, start, end] of cases) {
        const { body, info, range } = await blobs.get('r/seg.m4s', asked);
        expect(range).toEqual({ start, end });
        expect(info).toMatchObject({ size: 1000, sha256: sha256(bytes) });
        expect((await read(body)).equals(bytes.subarray(start, end + 1))).toBe(true);
      }
      await expect(blobs.get('r/seg.m4s', { start: 1000 })).rejects.toThrow(RangeNotSatisfiableError);
      await expect(blobs.get('r/seg.m4s', { start: 5000, end: 6000 })).rejects.toThrow(
        RangeNotSatisfiableError,
      );
      await blobs.put('r/empty', '');
      await expect(blobs.get('r/empty', { start: 0 })).rejects.toThrow(RangeNotSatisfiableError);
      await expect(blobs.get('r/seg.m4s', { start: 5, end: 4 })).rejects.toThrow(RangeNotSatisfiableError);
      await expect(blobs.get('r/missing', { start: 0 })).rejects.toThrow(NotFoundError);
    });

    it('answers absent keys: head undefined, get NotFoundError, delete idempotent', async () => {
      await fresh();
      expect(await blobs.head('nope/x')).toBeUndefined();
      await expect(blobs.get('nope/x')).rejects.toThrow(NotFoundError);
      await blobs.delete('nope/x');
      await blobs.put('del/a/b', 'x');
      await blobs.delete('del/a/b');
      await blobs.delete('del/a/b');
      expect(await blobs.head('del/a/b')).toBeUndefined();
      await expect(blobs.get('del/a/b')).rejects.toThrow(NotFoundError);
      expect(await all(blobs.list(''))).toEqual([]);
      expect(await blobs.ping()).toBe(true);
    });

    it('lists exactly the keys under a prefix, in key order, with their info', async () => {
      await fresh();
      const keys = ['a/bc', 'ab', 'a/b', 'a/c/e', 'a/bd/z', 'b/x', 'a/c/d', 'a/b-x', 'a/b0', 'a/é', 'a/z'];
      for (const key of keys) await blobs.put(key, `content of ${key}`, { contentType: 'text/plain' });
      const listed = async (prefix: string) => (await all(blobs.list(prefix))).map((info) => info.key);

      expect(await listed('a/b')).toEqual(['a/b', 'a/b-x', 'a/b0', 'a/bc', 'a/bd/z']);
      expect(await listed('a/')).toEqual([
        'a/b',
        'a/b-x',
        'a/b0',
        'a/bc',
        'a/bd/z',
        'a/c/d',
        'a/c/e',
        'a/z',
        'a/é',
      ]);
      expect(await listed('a')).toEqual([...(await listed('a/')), 'ab']);
      expect(await listed('')).toEqual([...(await listed('a')), 'b/x']);
      expect(await listed('a/c/')).toEqual(['a/c/d', 'a/c/e']);
      expect(await listed('a/bd/z')).toEqual(['a/bd/z']);
      expect(await listed('zzz/')).toEqual([]);
      expect(await listed('a/q')).toEqual([]);

      const [info] = await all(blobs.list('a/bd/'));
      const content = Buffer.from('content of a/bd/z');
      expect(info).toMatchObject({
        key: 'a/bd/z',
        size: content.length,
        sha256: sha256(content),
        contentType: 'text/plain',
      });
    });

    it('overwrites atomically: the old version stays whole until the new one is complete', async () => {
      await fresh();
      const v1 = randomBytes(300_000);
      const v2 = randomBytes(2 * MiB);
      await blobs.put('ow/movie.mp4', v1, { contentType: 'video/mp4' });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = Readable.from(
        (async function* () {
          yield v2.subarray(0, MiB);
          await gate; // half of v2 has been handed to put
          yield v2.subarray(MiB);
        })(),
      );
      const writing = blobs.put('ow/movie.mp4', slow, { contentType: 'video/webm' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await blobs.head('ow/movie.mp4')).toMatchObject({ size: v1.length, sha256: sha256(v1) });
      expect((await read((await blobs.get('ow/movie.mp4')).body)).equals(v1)).toBe(true);
      release();
      await writing;
      const { info, body } = await blobs.get('ow/movie.mp4');
      expect(info).toMatchObject({ size: v2.length, sha256: sha256(v2), contentType: 'video/webm' });
      expect((await read(body)).equals(v2)).toBe(true);
      expect((await all(blobs.list('ow/'))).map((i) => i.key)).toEqual(['ow/movie.mp4']);
    });

    it('refuses hostile keys before any I/O', async () => {
      await fresh();
      const before = await fixture.ioFingerprint();
      const hostile = [
        '../etc/passwd',
        '/etc/passwd',
        'a/../../b',
        'a\\..\\b',
        'a//b',
        '',
        'a\u0000b',
        '.',
        'a/',
      ];
      for (const key of hostile) {
        await expect(blobs.put(key, 'x')).rejects.toThrow(InvalidKeyError);
        await expect(blobs.get(key)).rejects.toThrow(InvalidKeyError);
        await expect(blobs.head(key)).rejects.toThrow(InvalidKeyError);
        await expect(blobs.delete(key)).rejects.toThrow(InvalidKeyError);
      }
      for (const prefix of ['../', '/etc', 'a/../', 'a\\'])
        await expect(all(blobs.list(prefix))).rejects.toThrow(InvalidKeyError);
      expect(await fixture.ioFingerprint()).toBe(before);
    });

    it('leaves nothing visible when the source fails half-way', async () => {
      await fresh();
      const failure = new Error('source died');
      await expect(blobs.put('crash/new.bin', chunked(randomBytes(3 * MiB), failure))).rejects.toThrow(
        'source died',
      );
      expect(await blobs.head('crash/new.bin')).toBeUndefined();
      await expect(blobs.get('crash/new.bin')).rejects.toThrow(NotFoundError);
      expect(await all(blobs.list(''))).toEqual([]);

      const v1 = randomBytes(1000);
      await blobs.put('crash/old.bin', v1);
      await expect(blobs.put('crash/old.bin', chunked(randomBytes(3 * MiB), failure))).rejects.toThrow(
        'source died',
      );
      expect(await blobs.head('crash/old.bin')).toMatchObject({ size: 1000, sha256: sha256(v1) });
      expect(await fixture.tempFiles()).toEqual([]);
    });
  });
});

describe.skipIf(!adapters[0]![1])('blobs: filesystem only', () => {
  it('a writer killed mid-put leaves no visible object, and a later open removes its stale temp file', async () => {
    const { root } = await openFilesystem();
    const fixture = fileURLToPath(new URL('./fixtures/slow-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, root, 'films/killed.mp4'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    // Wait until the child has written 1 MiB into its temp file, then kill it without warning.
    const tmp = join(root, 'tmp');
    await expect
      .poll(
        async () => {
          const [name] = await readdir(tmp);
          return name ? (await stat(join(tmp, name))).size : 0;
        },
        { timeout: 20_000, interval: 50 },
      )
      .toBeGreaterThan(MiB);
    child.kill('SIGKILL');
    expect(await exited).toBe(null); // killed by the signal, not finished

    const reopened = await openFilesystem(root);
    expect(await reopened.store.head('films/killed.mp4')).toBeUndefined();
    await expect(reopened.store.get('films/killed.mp4')).rejects.toThrow(NotFoundError);
    expect(await all(reopened.store.list(''))).toEqual([]);
    const leftovers = await readdir(tmp);
    expect(leftovers).toHaveLength(1); // younger than an hour: could be a live writer in another process

    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(tmp, leftovers[0]!), twoHoursAgo, twoHoursAgo);
    await openFilesystem(root);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('refuses a key that would be both an object and a folder, and prunes empty folders on delete', async () => {
    const { root, store } = await openFilesystem();
    await store.put('x/y', 'object at x/y');
    await expect(store.put('x/y/z', 'below an object')).rejects.toThrow(BlobKeyConflictError);
    await store.put('p/q/r', 'deep');
    await expect(store.put('p/q', 'over a folder')).rejects.toThrow(BlobKeyConflictError);
    expect(await store.head('p/q')).toBeUndefined();
    await store.delete('p/q'); // a folder of other keys is not an object: nothing to delete
    expect(await store.head('p/q/r')).toBeDefined();
    expect(await readdir(join(root, 'tmp'))).toEqual([]);

    await store.delete('p/q/r');
    expect(await readdir(join(root, 'objects'))).toEqual(['x']);
  });
});

describe.skipIf(!adapters[1]![1])('blobs: s3 only', () => {
  it('names the endpoint when it cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    // localhost resolves to ::1 and 127.0.0.1: Node then reports an AggregateError with an empty message.
    for (const host of ['127.0.0.1', 'localhost']) {
      const opening = openBlobStore({
        s3: {
          endpoint: `http://${host}:${port}`,
          region: 'us-east-1',
          bucket: 'b',
          accessKeyId: 'k',
          secretAccessKey: 'secret-value',
          forcePathStyle: true,
        },
      });
      await expect(opening).rejects.toThrow(BlobStoreUnavailableError);
      await expect(opening).rejects.toThrow(new RegExp(`${host}:${port} is unavailable: .*ECONNREFUSED`));
      await expect(opening).rejects.not.toThrow('secret-value');
    }
  });

  it('keeps stores with different prefixes apart in one bucket, and can refuse to create a bucket', async () => {
    s3 ??= await startS3rver();
    const base = { endpoint: s3.endpoint, ...s3.credentials, bucket: 'shared' };
    const one = await openBlobStore({ s3: { ...base, prefix: 'one/' } });
    const two = await openBlobStore({ s3: { ...base, prefix: 'two' } });
    const whole = await openBlobStore({ s3: base });
    cleanups.push(
      () => one.close(),
      () => two.close(),
      () => whole.close(),
    );
    await one.put('k', 'from one');
    await two.put('k', 'from two');
    expect((await all(one.list(''))).map((i) => i.key)).toEqual(['k']);
    expect((await read((await two.get('k')).body)).toString()).toBe('from two');
    expect((await all(whole.list(''))).map((i) => i.key)).toEqual(['one/k', 'two/k']);

    const refused = openBlobStore({ s3: { ...base, bucket: 'absent', createBucket: false } });
    await expect(refused).rejects.toThrow(/bucket absent does not exist/);
  });
});
