import { openBlobStore } from '@marquee/platform';
import { startS3rver, testUrls, uniqueName, type RunningS3rver } from '@marquee/platform/testing';
import { isolateOnEngines } from '../src/cluster/machine-engines.js';

/**
 * The distributed engines of one microservices test run, isolated from every other test on the same
 * servers (the cluster rig's isolation: a database of its own, a Redis key prefix, a NATS stream and
 * subject prefix) plus an s3rver with its own bucket. dispose() removes all of it.
 */
export interface SharedEngines {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function openSharedEngines(): Promise<SharedEngines> {
  const name = uniqueName('ms').toLowerCase();
  const isolated = await isolateOnEngines(testUrls, name);
  let s3: RunningS3rver | undefined;
  try {
    s3 = await startS3rver();
    const bucket = name.replace(/_/g, '-');
    // Created once here so nine processes do not race to create it.
    const blobs = await openBlobStore({ s3: { endpoint: s3.endpoint, bucket, ...s3.credentials } });
    await blobs.close();
    const running = s3;
    return {
      env: {
        ...isolated.env,
        S3_ENDPOINT: s3.endpoint,
        S3_BUCKET: bucket,
        S3_REGION: s3.credentials.region,
        S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
      },
      async dispose() {
        await Promise.allSettled([isolated.dispose(), running.stop()]);
      },
    };
  } catch (err) {
    await isolated.dispose();
    await s3?.stop();
    throw err;
  }
}
