import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The two multipart calls s3rver 3.7 answers with 405 MethodNotAllowed, added on top of its own
 * filesystem layout: ListParts (GET ?uploadId) and AbortMultipartUpload (DELETE ?uploadId). Real S3,
 * MinIO and Ceph implement both; @tus/s3-store calls ListParts on every PATCH to learn how far an
 * upload got, so without these storage's S3 staging of resumable uploads cannot be tested at all.
 */

/** Koa's context, as far as this middleware reads and writes it. */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/** The part of s3rver this reaches into: its Koa middleware list and its filesystem store. */
export interface S3rverInternals {
  middleware: Middleware[];
  store: { getResourcePath(bucket: string, key: string | undefined, resource: string): string };
}

function noSuchUpload(ctx: KoaContext, uploadId: string): void {
  ctx.status = 404;
  ctx.body = {
    Error: {
      Code: 'NoSuchUpload',
      Message: 'The specified upload does not exist.',
      UploadId: uploadId,
    },
  };
}

async function listParts(
  uploadDir: string,
): Promise<{ PartNumber: number; ETag: string; Size: number; LastModified: string }[]> {
  const names = (await readdir(uploadDir)).filter((n) => /^\d+$/.test(n));
  const parts = await Promise.all(
    names.map(async (name) => {
      const [info, md5] = await Promise.all([
        stat(join(uploadDir, name)),
        readFile(join(uploadDir, `${name}.md5`), 'utf8'),
      ]);
      return {
        PartNumber: Number(name),
        ETag: `"${md5.trim()}"`,
        Size: info.size,
        LastModified: info.mtime.toISOString(),
      };
    }),
  );
  return parts.sort((a, b) => a.PartNumber - b.PartNumber);
}

function multipartMiddleware(server: S3rverInternals): Middleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    const isListParts = ctx.method === 'GET' && ctx.query.partNumber === undefined;
    if (typeof uploadId !== 'string' || !match || !(isListParts || ctx.method === 'DELETE')) {
      return next();
    }
    const [, bucket, key] = match as unknown as [string, string, string];
    const uploadDir = join(server.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    const exists = await stat(uploadDir).then(
      () => true,
      () => false,
    );
    if (!exists) return noSuchUpload(ctx, uploadId);
    if (ctx.method === 'DELETE') {
      await rm(uploadDir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const parts = await listParts(uploadDir);
    ctx.body = {
      ListPartsResult: {
        Bucket: bucket,
        Key: decodeURIComponent(key),
        UploadId: uploadId,
        PartNumberMarker: 0,
        NextPartNumberMarker: parts.at(-1)?.PartNumber ?? 0,
        MaxParts: 10_000,
        IsTruncated: false,
        Part: parts,
      },
    };
  };
}

/** Installs the shim just before s3rver's router (after its XML encoder); call before run(). */
export function addMultipartCalls(server: S3rverInternals): void {
  server.middleware.splice(server.middleware.length - 1, 0, multipartMiddleware(server));
}
