import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { tempFileName } from './temp-files.js';

/** A body read to its end, measured, and kept in memory (small) or in a local temp file (large). */
export interface SpooledBody {
  size: number;
  sha256: string;
  /** A fresh stream of the bytes (a Buffer when they are in memory); may be called once per attempt. */
  open(): Buffer | Readable;
  /** Removes the temp file, if any. Always call it, success or not. */
  dispose(): Promise<void>;
}

/**
 * Reads `body` to its end while hashing it. The first `memoryBytes` stay in memory; past that, all of
 * it goes to a temp file in `dir`, so a multi-GiB master never sits in memory. A source that errors
 * rejects here, before anything is sent anywhere.
 */
export async function spoolBody(
  body: Readable | Buffer | string,
  options: { dir: string; memoryBytes: number },
): Promise<SpooledBody> {
  if (!(typeof body === 'string' || Buffer.isBuffer(body))) return spoolStream(body, options);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { size: bytes.length, sha256, open: () => bytes, dispose: async () => {} };
}

async function spoolStream(
  body: Readable,
  options: { dir: string; memoryBytes: number },
): Promise<SpooledBody> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let file: FileHandle | undefined;
  let path: string | undefined;
  try {
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      hash.update(bytes);
      size += bytes.length;
      if (!file && size <= options.memoryBytes) {
        chunks.push(bytes);
        continue;
      }
      if (!file) {
        path = join(options.dir, tempFileName());
        file = await open(path, 'wx');
        await file.writev(chunks);
        chunks.length = 0;
      }
      await file.write(bytes);
    }
    await file?.close();
    file = undefined;
  } catch (error) {
    await file?.close().catch(() => undefined);
    if (path) await unlink(path).catch(() => undefined);
    throw error;
  }
  const sha256 = hash.digest('hex');
  if (path === undefined) {
    const bytes = Buffer.concat(chunks, size);
    return { size, sha256, open: () => bytes, dispose: async () => {} };
  }
  const spooled = path;
  return {
    size,
    sha256,
    open: () => createReadStream(spooled),
    dispose: () => unlink(spooled).catch(() => undefined),
  };
}
