/**
 * Blobs on the local filesystem: `<root>/objects/<key>` holds a header (size, sha256, content type; see
 * object-file.ts) followed by the bytes; `<root>/tmp/` holds writes in progress.
 *
 * A put streams into a fresh temp file (same filesystem, so rename is atomic) while hashing, writes the
 * header, fsyncs, then renames the file onto its key and fsyncs the folder and every folder it had to
 * make (durable-folders.ts has the crash-consistency argument). Before the rename nothing is visible;
 * after it, the whole object is; once put resolves, a power cut cannot take the object back. A killed
 * writer leaves only a temp file, removed by the next open once it is an hour old.
 */
import { constants } from 'node:fs';
import {
  access,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  rmdir,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '@marquee/core';
import type { BlobInfo, BlobRead, BlobStore, ByteRange } from './port.js';
import { contentTypeFor } from './content-type.js';
import { DurableFolders, makeFoldersDurably } from './durable-folders.js';
import { BlobKeyConflictError, CorruptBlobError } from './errors.js';
import { compareKeys, validateKey, validatePrefix } from './keys.js';
import { Measure, bodyStream } from './measure.js';
import { HEADER_BYTES, decodeHeader, encodeHeader, type ObjectHeader } from './object-file.js';
import { checkRange, resolveRange } from './range.js';
import { STALE_TEMP_MS, removeStaleTempFiles, tempFileName } from './temp-files.js';

export interface FilesystemBlobOptions {
  root: string;
  /** Temp files untouched for this long are removed at open (default one hour). */
  staleTempMs?: number;
}

export async function openFilesystemBlobStore(options: FilesystemBlobOptions): Promise<BlobStore> {
  const objects = join(options.root, 'objects');
  const tmp = join(options.root, 'tmp');
  await makeFoldersDurably(objects);
  await mkdir(tmp, { recursive: true });
  await removeStaleTempFiles(tmp, options.staleTempMs ?? STALE_TEMP_MS);
  return new FilesystemBlobStore(objects, tmp);
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * A sink writing at increasing positions of a handle it does not own (the caller still writes the header
 * and fsyncs through it). FileHandle.createWriteStream with autoClose: false never settles a pipeline.
 */
function writeAt(file: FileHandle, start: number): Writable {
  let position = start;
  const writeAll = async (chunks: Buffer[]) => {
    let bytes = Buffer.concat(chunks);
    while (bytes.length > 0) {
      const { bytesWritten } = await file.write(bytes, 0, bytes.length, position);
      position += bytesWritten;
      bytes = bytes.subarray(bytesWritten);
    }
  };
  return new Writable({
    highWaterMark: 1024 * 1024,
    writev(chunks, callback) {
      writeAll(chunks.map(({ chunk }) => chunk as Buffer)).then(() => callback(), callback);
    },
  });
}

class FilesystemBlobStore implements BlobStore {
  private readonly folders: DurableFolders;

  constructor(
    private readonly objects: string,
    private readonly tmp: string,
  ) {
    this.folders = new DurableFolders(objects);
  }

  async put(
    key: string,
    body: Readable | Buffer | string,
    options?: { contentType?: string },
  ): Promise<BlobInfo> {
    validateKey(key);
    const contentType = contentTypeFor(options?.contentType);
    const tempPath = join(this.tmp, tempFileName());
    const file = await open(tempPath, 'wx');
    let closed = false;
    try {
      const measure = new Measure();
      // The body goes after the header's place; the header is written once the hash is known.
      await pipeline(bodyStream(body), measure, writeAt(file, HEADER_BYTES));
      const header: ObjectHeader = { size: measure.size, sha256: measure.sha256(), contentType };
      await file.write(encodeHeader(header), 0, HEADER_BYTES, 0);
      await file.sync(); // bytes on disk before the rename publishes them, or a power cut could publish garbage
      const { mtime } = await file.stat();
      closed = true;
      await file.close();
      await this.publish(key, tempPath);
      return { key, ...header, lastModified: mtime };
    } catch (error) {
      if (!closed) await file.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<BlobRead> {
    validateKey(key);
    if (range) checkRange(key, range);
    const opened = await this.openObject(key);
    if (!opened) throw new NotFoundError('blob', key);
    const { file, info } = opened;
    try {
      const span = range ? resolveRange(key, range, info.size) : undefined;
      const start = span?.start ?? 0;
      const end = span?.end ?? info.size - 1;
      if (end < start) {
        // Only an empty object read whole: createReadStream cannot express zero bytes.
        await file.close();
        return { info, body: Readable.from([]) };
      }
      // The stream reads from the handle already open, so a concurrent overwrite or delete (a rename or
      // unlink of the path) cannot mix two versions into one read; it closes the handle when done.
      const body = file.createReadStream({ start: HEADER_BYTES + start, end: HEADER_BYTES + end });
      return span ? { info, body, range: span } : { info, body };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    validateKey(key);
    const opened = await this.openObject(key);
    if (!opened) return undefined;
    await opened.file.close();
    return opened.info;
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    const path = join(this.objects, key);
    try {
      await unlink(path);
    } catch (error) {
      // Absent, a parent is an object (ENOTDIR), or the key is only a folder of other keys (EISDIR):
      // in every case no object has this key, and deleting an absent key is not an error.
      if (!['ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM'].includes(codeOf(error) ?? '')) throw error;
      return;
    }
    await this.pruneEmptyFolders(dirname(path));
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    validatePrefix(prefix);
    // Start at the prefix's deepest complete folder: `assets/a1/v` walks assets/a1 only.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    yield* this.walk(join(this.objects, folder), folder, prefix);
  }

  async ping(): Promise<boolean> {
    try {
      await access(this.objects, constants.R_OK | constants.W_OK);
      await access(this.tmp, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}

  /** Depth-first in key order: siblings sorted as `name` (object) or `name/` (folder), by UTF-8 bytes. */
  private async *walk(dir: string, keyPrefix: string, prefix: string): AsyncGenerator<BlobInfo> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(codeOf(error) ?? '')) return;
      throw error;
    }
    const candidates = entries
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .map((entry) => ({ entry, sortKey: keyPrefix + entry.name + (entry.isDirectory() ? '/' : '') }))
      .filter(({ sortKey }) => sortKey.startsWith(prefix) || prefix.startsWith(sortKey))
      .sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const { entry, sortKey } of candidates) {
      if (entry.isDirectory()) {
        yield* this.walk(join(dir, entry.name), sortKey, prefix);
        continue;
      }
      if (!sortKey.startsWith(prefix)) continue;
      const opened = await this.openObject(sortKey);
      if (!opened) continue; // deleted since readdir
      await opened.file.close();
      yield opened.info;
    }
  }

  /** Opens the object file and reads its header; undefined when there is no object with this key. */
  private async openObject(key: string): Promise<{ file: FileHandle; info: BlobInfo } | undefined> {
    let file: FileHandle;
    try {
      file = await open(join(this.objects, key), 'r');
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(codeOf(error) ?? '')) return undefined;
      throw error;
    }
    try {
      const stats = await file.stat();
      if (!stats.isFile()) {
        await file.close(); // a folder of other keys, not an object
        return undefined;
      }
      const { buffer, bytesRead } = await file.read(Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0);
      const header = decodeHeader(key, buffer.subarray(0, bytesRead));
      if (stats.size !== HEADER_BYTES + header.size) {
        throw new CorruptBlobError(
          key,
          `${stats.size - HEADER_BYTES} bytes on disk, ${header.size} recorded`,
        );
      }
      return { file, info: { key, ...header, lastModified: stats.mtime } };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** Renames the finished temp file onto its key, creating folders as needed. */
  private async publish(key: string, tempPath: string): Promise<void> {
    const path = join(this.objects, key);
    // A concurrent delete may prune a folder between our mkdir and rename: then create it again.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.folders.make(dirname(path));
        await rename(tempPath, path);
        break;
      } catch (error) {
        const code = codeOf(error);
        if (code === 'ENOENT' && attempt < 5) continue;
        if (code === 'ENOTDIR' || code === 'EEXIST')
          throw new BlobKeyConflictError(key, await this.objectAbove(key));
        if (code === 'EISDIR') throw new BlobKeyConflictError(key, `the keys under ${key}/`);
        throw error;
      }
    }
    // Make the rename and any folder made for it durable: else a power cut can forget an acknowledged object.
    await this.folders.persist(dirname(path));
  }

  /** The existing object whose path is a folder of `key` (error path only). */
  private async objectAbove(key: string): Promise<string> {
    const segments = key.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const above = segments.slice(0, i).join('/');
      const stats = await lstat(join(this.objects, above)).catch(() => undefined);
      if (stats?.isFile()) return `the object ${above}`;
    }
    return 'an existing object';
  }

  private async pruneEmptyFolders(from: string): Promise<void> {
    for (let dir = from; dir.startsWith(this.objects + '/'); dir = dirname(dir)) {
      try {
        await rmdir(dir);
        this.folders.forget(dir);
      } catch {
        return; // not empty (ENOTEMPTY), or already pruned by someone else
      }
    }
  }
}
