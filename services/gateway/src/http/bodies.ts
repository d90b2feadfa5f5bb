import { Transform, type Readable } from 'node:stream';
import { DomainError } from '@marquee/core';

export class PayloadTooLargeError extends DomainError {
  constructor(limit: number) {
    super('payload_too_large', `The request body exceeds ${limit} bytes`, { limit });
  }
}

/** Refuses up front when the declared length is already too large. */
export function checkDeclaredLength(contentLength: string | undefined, limit: number): void {
  if (contentLength !== undefined && Number(contentLength) > limit) throw new PayloadTooLargeError(limit);
}

/** Reads a whole (small) body, failing as soon as it passes `limit` bytes. */
export async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Passes a body through unbuffered, erroring once more than `limit` bytes went by (chunked uploads). */
export function limitStream(stream: Readable, limit: number): Readable {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > limit ? new PayloadTooLargeError(limit) : null, chunk);
    },
  });
  stream.on('error', (err) => counter.destroy(err));
  return stream.pipe(counter);
}

/** A JSON body's field, when the body is a JSON object that has it as a string. */
export function jsonField(body: Buffer, field: string): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const value = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)?.[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined; // not JSON: the upstream will say so
  }
}
