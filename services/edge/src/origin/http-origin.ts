import { createHash } from 'node:crypto';
import { Pool } from 'undici';
import { DomainError, SERVICE_TOKEN_HEADER, serviceToken } from '@marquee/core';
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
  /** Storage instances; tried in turn when one cannot be reached. */
  baseUrls: readonly string[];
  secret: string;
  /** Objects larger than this are refused (protects the edge's memory). */
  maxObjectBytes?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

const SHA256_ETAG = /^"([0-9a-f]{64})"$/;

/**
 * Fills from storage's origin (`GET <storage>/origin/<key>`, service token): the same HTTP path in
 * monolithic mode and in a cluster. The body is checked against the strong ETag (its SHA-256) before
 * it is cached, so a truncated or corrupted transfer is never served from the cache afterwards.
 */
export class HttpOrigin implements Origin {
  private readonly pools: Pool[];
  private readonly token: string;
  private next = 0;

  constructor(private readonly options: HttpOriginOptions) {
    if (options.baseUrls.length === 0) throw new Error('the edge needs at least one storage URL');
    this.pools = options.baseUrls.map((url) => new Pool(url, { connections: 32, keepAliveTimeout: 30_000 }));
    this.token = serviceToken(options.secret);
  }

  async fetch(key: string): Promise<CachedObject | undefined> {
    const path = `/origin/${key.split('/').map(encodeURIComponent).join('/')}`;
    let lastError: unknown;
    /** Some instance sent bytes that fail their ETag (storage refusing, or failing to refuse, a corrupt blob). */
    let invalid: string | undefined;
    for (let attempt = 0; attempt < this.pools.length; attempt++) {
      const pool = this.pools[this.next++ % this.pools.length]!;
      let res;
      try {
        res = await pool.request({
          method: 'GET',
          path,
          headers: { [SERVICE_TOKEN_HEADER]: this.token },
          headersTimeout: this.options.headersTimeoutMs ?? 5_000,
          bodyTimeout: this.options.bodyTimeoutMs ?? 30_000,
        });
      } catch (err) {
        lastError = err;
        continue; // another instance may answer
      }
      if (res.statusCode === 404) {
        await res.body.dump();
        return undefined;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        lastError = new Error(`origin answered ${res.statusCode}`);
        if (res.statusCode >= 500) continue;
        throw new OriginInvalidError(`The origin refused ${key}: ${res.statusCode}`);
      }
      const length = Number(res.headers['content-length']);
      const max = this.options.maxObjectBytes ?? 256 * 1024 * 1024;
      if (Number.isFinite(length) && length > max) {
        res.body.destroy();
        throw new OriginInvalidError(`${key} is larger than the edge serves`);
      }
      let body: Buffer;
      try {
        body = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        lastError = err; // cut off mid-body: another instance may do better
        continue;
      }
      const etag = String(res.headers.etag ?? '');
      const sha = SHA256_ETAG.exec(etag)?.[1];
      if (sha && createHash('sha256').update(body).digest('hex') !== sha) {
        invalid = `The origin's bytes of ${key} do not match their ETag`;
        continue;
      }
      return {
        key,
        body,
        etag: etag || `"${createHash('sha256').update(body).digest('hex')}"`,
        contentType: mediaTypeOf(key, res.headers['content-type'] as string | undefined),
      };
    }
    // Corrupt bytes are not an outage: retrying later will not help, and an operator must look.
    if (invalid) throw new OriginInvalidError(invalid);
    throw new OriginUnavailableError(
      `The origin could not supply ${key}: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close()));
  }
}
