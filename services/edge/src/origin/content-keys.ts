import type { ServiceClient } from '@marquee/core';

/** What streaming answered for a content key: the 16 bytes, or its problem. */
export interface ContentKeyAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export type ContentKeyFetch = (sessionId: string, assetId: string) => Promise<ContentKeyAnswer>;

/** Larger than any key or problem streaming sends: anything bigger is not its answer. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * Asks streaming for a session's content key, every time: an edge never caches or stores a key (the
 * session may stop, expire or lose its entitlement between two requests). The edge has checked the
 * token already; streaming checks the session.
 */
export function contentKeysFrom(streaming: ServiceClient): ContentKeyFetch {
  return async (sessionId, assetId) => {
    const res = await streaming.stream(
      'GET',
      `/internal/playback/${encodeURIComponent(sessionId)}/content-key?asset=${encodeURIComponent(assetId)}`,
      { idempotent: true },
    );
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        res.body.destroy();
        throw new Error('streaming answered more than a content key');
      }
      chunks.push(chunk);
    }
    const type = res.headers['content-type'];
    return {
      status: res.status,
      contentType: (Array.isArray(type) ? type[0] : type) ?? 'application/octet-stream',
      body: Buffer.concat(chunks),
    };
  };
}
