import {
  CreateBucketCommand,
  HeadBucketCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { safeEndpoint } from '../connection-errors.js';
import { BlobStoreUnavailableError } from './errors.js';
import { httpStatusOf, translateS3Error } from './s3-errors.js';
import type { S3BlobOptions } from './s3.js';

export interface S3Connection {
  client: S3Client;
  bucket: string;
  /** Host and port only: an endpoint URL may carry credentials, and this string goes into error messages. */
  endpoint: string;
}

export function connectS3(options: S3BlobOptions): S3Connection {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // The SDK's default CRC32 trailers (aws-chunked bodies) are not understood by s3rver and older
    // self-hosted stores; integrity is ours to check anyway, with the recorded SHA-256.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A dead endpoint fails in seconds rather than hanging a request (the socket timeout is idle time).
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
  const endpoint = safeEndpoint(options.endpoint ?? `https://s3.${options.region}.amazonaws.com`);
  return { client, bucket: options.bucket, endpoint };
}

/** Checks that the bucket answers, creating it when absent and allowed; every failure names the endpoint. */
export async function ensureBucket(
  { client, bucket, endpoint }: S3Connection,
  region: string,
  create: boolean,
) {
  const unavailable = (cause: string) => new BlobStoreUnavailableError(endpoint, cause);
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === undefined) throw translateS3Error(error, endpoint);
    if (status === 403) throw unavailable(`access to bucket ${bucket} denied: check the credentials`);
    // 301 here is the usual symptom of a wrong region.
    if (status !== 404) throw unavailable(`bucket ${bucket} answered HTTP ${status}: check the region`);
  }
  if (!create) throw unavailable(`bucket ${bucket} does not exist (and createBucket is off)`);
  // AWS wants the region spelled out everywhere but in us-east-1.
  const location =
    region === 'us-east-1'
      ? {}
      : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } };
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket, ...location }));
  } catch (error) {
    // Another instance created it between our head and create.
    if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou')
      throw translateS3Error(error, endpoint);
  }
}
