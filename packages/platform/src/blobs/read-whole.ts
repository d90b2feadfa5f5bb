import type { BlobStore } from './port.js';

/**
 * A small object (a pointer, a summary, a model snapshot) read into one Buffer. For media and
 * anything large, stream `get(key).body` instead.
 */
export async function readWholeBlob(blobs: BlobStore, key: string): Promise<Buffer> {
  const { body } = await blobs.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
