import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type RunningS3rver } from './s3rver.js';

describe('s3rver with the multipart calls it lacks (ListParts, AbortMultipartUpload)', () => {
  let s3: RunningS3rver;
  let client: S3Client;
  const Bucket = 'multipart';

  beforeAll(async () => {
    s3 = await startS3rver();
    client = new S3Client({
      endpoint: s3.endpoint,
      ...s3.credentials,
      credentials: s3.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await client.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('lists the uploaded parts in order with their sizes and ETags, then aborts the upload', async () => {
    const Key = 'staging/a b.bin';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const etags: string[] = [];
    for (const [PartNumber, size] of [
      [2, 300],
      [1, 1000],
    ] as const) {
      const put = await client.send(
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: Buffer.alloc(size, PartNumber) }),
      );
      etags[PartNumber] = put.ETag!;
    }
    const listed = await client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, 1000, etags[1]],
      [2, 300, etags[2]],
    ]);

    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    await expect(client.send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
  });

  it('answers NoSuchUpload for an upload it never saw', async () => {
    await expect(
      client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'x', UploadId: 'nope' })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });
});
