import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';

/** Any accepted body as a stream; strings are UTF-8. */
export function bodyStream(body: Readable | Buffer | string): Readable {
  if (body instanceof Readable) return body;
  return Readable.from([typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/**
 * A pass-through that hashes (SHA-256) and counts what flows through it, so a body is measured in the
 * same pass that stores it: the recorded hash is of exactly the bytes written, never of a second read.
 */
export class Measure extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.hash.update(bytes);
    this.size += bytes.length;
    callback(null, bytes);
  }

  /** Hex digest; call once, after the stream has finished. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
