import { DomainError } from '@marquee/core';
import { describeCause } from '../connection-errors.js';
import { BlobStoreUnavailableError } from './errors.js';

/** The narrow shape of AWS SDK v3 errors this adapter reads (no SDK types leak beyond s3*.ts). */
interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const shape = (error: unknown): SdkErrorShape => (typeof error === 'object' && error !== null ? error : {});

export function httpStatusOf(error: unknown): number | undefined {
  return shape(error).$metadata?.httpStatusCode;
}

/** No such key (GET says NoSuchKey; HEAD has no body, so only its 404 says it). */
export function isMissing(error: unknown): boolean {
  const { name } = shape(error);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatusOf(error) === 404;
}

export function isUnsatisfiableRange(error: unknown): boolean {
  return shape(error).name === 'InvalidRange' || httpStatusOf(error) === 416;
}

/**
 * The error to throw for a failed S3 call: one that never got an HTTP answer (refused, reset, DNS,
 * timeout) becomes BlobStoreUnavailableError naming the endpoint, so "ECONNREFUSED" is never the whole
 * story in a log; anything else is passed through.
 */
export function translateS3Error(error: unknown, endpoint: string): unknown {
  if (error instanceof DomainError) return error;
  const { name, code } = shape(error);
  const network = typeof code === 'string' && /^E[A-Z_]+$/.test(code);
  const timeout = name === 'TimeoutError' || name === 'RequestTimeout';
  if (httpStatusOf(error) === undefined && (network || timeout)) {
    return new BlobStoreUnavailableError(endpoint, describeCause(error));
  }
  return error;
}
