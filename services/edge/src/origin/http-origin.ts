import { createHash } from 'node:crypto';
import {
  DomainError,
  SERVICE_TOKEN_HEADER,
  ServiceClient,
  serviceToken,
  type ServiceStreamResponse,
} from '@marquee/core';
import { mediaTypeOf } from '../app/media-types.js';
import type { CachedObject } from '../cache/cached-object.js';

export class OriginUnavailableError extends DomainError {
  constructor(detail: string) {
    super('edge.origin_unavailable', detail);
  }
}

/** The origin answered, but with something the edge must not serve (bytes that fail their ETag, …). */
export class OriginInvalidError extends DomainError {
  constructor(detail: string) {
    super('edge.origin_invalid', detail);
  }
}

/** Where an edge fills from. `undefined` means the origin does not have the object. */
export interface Origin {
  fetch(key: string): Promise<CachedObject | undefined>;
  close(): Promise<void>;
}

export interface HttpOriginOptions {
  /** Storage instances, balanced and broken per instance by the core service client. */
  baseUrls: readonly string[];
  secret: string;
  /** Objects larger than this are refused (protects the edge's memory). */
  maxObjectBytes?: number;
  /** For the answer to start, and between two chunks of its body (default 5 s). */
  timeoutMs?: number;
}

const SHA256_ETAG = /^"([0-9a-f]{64})"$/;
const DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024;

/** Why one answer could not be used: `another` instance may do better; `invalid` bytes are not an outage. */
type Unusable = { kind: 'another'; reason: string } | { kind: 'invalid'; reason: string };

/**
 * Fills from storage's origin (`GET <storage>/origin/<key>`, service token): the same HTTP path in
 * monolithic mode and in a cluster, through the core service client like every other outbound call —
 * timeouts, a breaker per storage instance, balancing, and retries of refused connections and
 * 502/503/504 on another instance. The body is read whole (the cache holds objects, not streams) and
 * checked against the strong ETag (its SHA-256) before it is cached, so a truncated or corrupted
 * transfer is never served from the cache afterwards; such an answer, or another 5xx, is asked of
 * another instance, once per instance.
 */
export class HttpOrigin implements Origin {
  private readonly storage: ServiceClient;
  private readonly instances: number;
  private readonly maxObjectBytes: number;

  constructor(options: HttpOriginOptions) {
    if (options.baseUrls.length === 0) throw new Error('the edge needs at least one storage URL');
    this.instances = new Set(options.baseUrls).size;
    this.maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    this.storage = new ServiceClient({
      service: 'storage',
      baseUrls: options.baseUrls,
      headers: { [SERVICE_TOKEN_HEADER]: serviceToken(options.secret) },
      timeoutMs: options.timeoutMs ?? 5_000,
      connections: 32,
      // Fills are coalesced per key (MediaCache) and a call holds its slot only until the answer starts;
      // the bulkhead is a bound against runaway, not a throttle on a cold edge's distinct misses.
      maxConcurrent: 1_024,
      maxQueued: 4_096,
    });
  }

  async fetch(key: string): Promise<CachedObject | undefined> {
    const path = `/origin/${key.split('/').map(encodeURIComponent).join('/')}`;
    const tried = new Set<string>();
    let unusable: Unusable | undefined;
    /** Some instance sent bytes that fail their ETag (storage refusing, or failing to refuse, a corrupt blob). */
    let invalid: string | undefined;
    for (let attempt = 0; attempt < this.instances; attempt++) {
      let res: ServiceStreamResponse;
      try {
        res = await this.storage.stream('GET', path, { avoid: tried });
      } catch (err) {
        // The client tried what it could (other instances included): storage is unreachable now.
        if (invalid) throw new OriginInvalidError(invalid);
        throw new OriginUnavailableError(`The origin could not supply ${key}: ${(err as Error).message}`);
      }
      tried.add(res.instance);
      if (res.status === 404) {
        res.body.resume();
        return undefined;
      }
      if (res.status !== 200) {
        res.body.resume();
        if (res.status < 500) throw new OriginInvalidError(`The origin refused ${key}: ${res.status}`);
        unusable = { kind: 'another', reason: `origin answered ${res.status}` };
        continue;
      }
      const read = await this.readChecked(key, res);
      if ('object' in read) return read.object;
      unusable = read;
      if (read.kind === 'invalid') invalid = read.reason;
    }
    // Corrupt bytes are not an outage: retrying later will not help, and an operator must look.
    if (invalid) throw new OriginInvalidError(invalid);
    throw new OriginUnavailableError(
      `The origin could not supply ${key}: ${unusable?.reason ?? 'no answer'}`,
    );
  }

  async close(): Promise<void> {
    await this.storage.close();
  }

  /** The body, bounded by maxObjectBytes and hashed as it comes, checked against the answer's ETag. */
  private async readChecked(
    key: string,
    res: ServiceStreamResponse,
  ): Promise<{ object: CachedObject } | Unusable> {
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > this.maxObjectBytes) {
      res.body.destroy();
      throw new OriginInvalidError(`${key} is larger than the edge serves`);
    }
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.maxObjectBytes) {
          res.body.destroy();
          throw new OriginInvalidError(`${key} is larger than the edge serves`);
        }
        hash.update(chunk);
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof OriginInvalidError) throw err;
      // Cut off mid-body: another instance may do better.
      return { kind: 'another', reason: (err as Error).message };
    }
    const sha = hash.digest('hex');
    const etag = String(res.headers.etag ?? '');
    const expected = SHA256_ETAG.exec(etag)?.[1];
    if (expected && expected !== sha) {
      return { kind: 'invalid', reason: `The origin's bytes of ${key} do not match their ETag` };
    }
    return {
      object: {
        key,
        body: Buffer.concat(chunks, size), // a copy: a chunk may be a view of a larger socket buffer
        etag: etag || `"${sha}"`,
        contentType: mediaTypeOf(key, res.headers['content-type'] as string | undefined),
      },
    };
  }
}
