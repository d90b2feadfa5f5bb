import { S3Store } from '@tus/s3-store';
import { ERRORS } from '@tus/server';

/** S3 (and the SDK) name a missing key, upload or bucket entry in several ways. */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    ['NoSuchKey', 'NotFound', 'NoSuchUpload'].includes(e?.name ?? e?.Code ?? '') ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/**
 * @tus/s3-store keeps an upload `id` as a multipart upload on key `id` (the assembled object at that
 * key once it completes), its metadata in `id.info`, and a trailing part smaller than S3's minimum in
 * `id.part`. Its remove() leaves them behind: it aborts the multipart upload first, which S3 answers
 * with NoSuchUpload once the upload has completed, and throws before deleting anything, so every
 * finished upload kept its assembled copy and `.info`; and it never deletes `.part`, so an abandoned
 * upload kept that. This remove deletes all three whatever state the upload is in.
 */
export class StagingS3Store extends S3Store {
  override async remove(id: string): Promise<void> {
    let multipartUploadId: string | undefined;
    let known = true;
    try {
      multipartUploadId = (await this.getMetadata(id))['upload-id'];
    } catch (error) {
      if (!isNotFound(error)) throw error;
      known = false;
    }
    if (multipartUploadId) {
      await this.client
        .abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: multipartUploadId })
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
    }
    // DeleteObject succeeds for a missing key; one call per key avoids DeleteObjects' Content-MD5.
    await Promise.all(
      [id, this.infoKey(id), this.partKey(id, true)].map((Key) =>
        this.client.deleteObject({ Bucket: this.bucket, Key }),
      ),
    );
    await this.clearCache(id);
    // tus answers a DELETE of an upload it never had with 404; its errors are plain objects.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (!known) throw ERRORS.FILE_NOT_FOUND;
  }

  /** Every key under `prefix` (the staging prefix: a handful of in-flight uploads). */
  async *keys(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.client.listObjectsV2({
        Bucket: this.bucket,
        Prefix: prefix,
        ContinuationToken: token,
      });
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
