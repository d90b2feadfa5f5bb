import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMultipartCalls, type S3rverInternals } from './s3rver-multipart.js';

/** The part of s3rver 3.7 we use (it ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export interface RunningS3rver {
  endpoint: string;
  /** Options for S3BlobOptions: s3rver needs path-style URLs and accepts these fixed credentials. */
  credentials: { region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: true };
  /** HTTP requests the server has received so far. */
  requests(): number;
  stop(): Promise<void>;
}

/**
 * Starts s3rver (a dev dependency) on a free loopback port with its own temp folder: the S3 server of
 * contract tests, since no real one is packaged for these machines.
 */
export async function startS3rver(): Promise<RunningS3rver> {
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as S3rverConstructor;
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  addMultipartCalls(server as unknown as S3rverInternals);
  const { port } = await server.run();
  let requests = 0;
  server.httpServer?.on('request', () => {
    requests += 1;
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: {
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    requests: () => requests,
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
