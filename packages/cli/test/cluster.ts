import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceName } from '@marquee/core';
import { freePort } from '../src/ports.js';
import { processGroupAlive, runMarquee, tempDataDir, type Spawned } from './helpers.js';

/**
 * A microservices-mode Marquee for end-to-end tests: every instance its own OS process with its own
 * data dir (so nothing can be shared through the disk), all of them on the shared engines the
 * caller's env names, found through MARQUEE_<SERVICE>_URLS as in a cluster.
 */

/** One OS process: a service name and the port settings that make it listen where the others look. */
export interface InstancePlan {
  id: string;
  service: ServiceName;
  port: number;
  url: string;
}

/** Instances per service; two streaming instances and two edges prove balancing and steering. */
const LAYOUT: Record<ServiceName, number> = {
  storage: 1,
  users: 1,
  streaming: 2,
  recommender: 1,
  encoder: 1,
  edge: 2,
  analytics: 1,
  gateway: 1,
};

const PORT_SETTING: Record<ServiceName, string> = {
  gateway: 'MARQUEE_PORT',
  users: 'MARQUEE_USERS_PORT',
  streaming: 'MARQUEE_STREAMING_PORT',
  recommender: 'MARQUEE_RECOMMENDER_PORT',
  encoder: 'MARQUEE_ENCODER_PORT',
  storage: 'MARQUEE_STORAGE_PORT',
  edge: 'MARQUEE_EDGE_PORTS',
  analytics: 'MARQUEE_ANALYTICS_PORT',
};

export async function planCluster(): Promise<InstancePlan[]> {
  const plans: InstancePlan[] = [];
  for (const [service, count] of Object.entries(LAYOUT) as [ServiceName, number][]) {
    for (let i = 1; i <= count; i += 1) {
      const port = await freePort('127.0.0.1');
      plans.push({
        id: count > 1 ? `${service}-${i}` : service,
        service,
        port,
        url: `http://127.0.0.1:${port}`,
      });
    }
  }
  return plans;
}

/** The settings every process shares: where every instance is, the secret, the first admin. */
export function clusterEnv(plans: readonly InstancePlan[]): Record<string, string> {
  const urlsOf = (service: ServiceName) =>
    plans
      .filter((p) => p.service === service)
      .map((p) => p.url)
      .join(',');
  const gateway = plans.find((p) => p.service === 'gateway')!;
  return {
    MARQUEE_PORT: String(gateway.port),
    MARQUEE_USERS_URLS: urlsOf('users'),
    MARQUEE_STREAMING_URLS: urlsOf('streaming'),
    MARQUEE_RECOMMENDER_URLS: urlsOf('recommender'),
    MARQUEE_ENCODER_URLS: urlsOf('encoder'),
    MARQUEE_STORAGE_URLS: urlsOf('storage'),
    MARQUEE_EDGE_URLS: urlsOf('edge'),
    MARQUEE_ANALYTICS_URLS: urlsOf('analytics'),
    MARQUEE_SECRET: randomBytes(32).toString('base64url'),
    MARQUEE_DEMO: 'false',
    LOG_LEVEL: 'warn',
  };
}

export interface RunningInstance extends InstancePlan {
  process: Spawned;
  dataDir: string;
}

/** Starts every planned instance at once: `marquee start --target=<service>` with its own port. */
export function startCluster(plans: readonly InstancePlan[], env: Record<string, string>): RunningInstance[] {
  return plans.map((plan) => {
    const dataDir = tempDataDir();
    return {
      ...plan,
      dataDir,
      process: runMarquee(['start', `--target=${plan.service}`], {
        ...env,
        [PORT_SETTING[plan.service]]: String(plan.port),
        MARQUEE_DATA_DIR: dataDir,
      }),
    };
  });
}

/** SIGKILLs whatever is left of each instance's process group and removes its data dir (test cleanup). */
export async function removeCluster(instances: readonly RunningInstance[]): Promise<void> {
  for (const { process: p } of instances) {
    if (p.child.pid && processGroupAlive(p.child.pid)) process.kill(-p.child.pid, 'SIGKILL');
  }
  await Promise.all(instances.map((i) => rm(i.dataDir, { recursive: true, force: true })));
}

/** Every instance's output, labelled, for failure messages. */
export function clusterOutput(instances: readonly RunningInstance[]): string {
  return instances.map((i) => `--- ${i.id}\n${i.process.output()}`).join('\n');
}

/** A short H.264/AAC clip made with the system ffmpeg (nothing but lavfi inputs). */
export async function generateClip(dir: string, seconds = 3): Promise<string> {
  const output = join(dir, 'clip.mp4');
  await promisify(execFile)(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=24'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-b:a', '64k', output],
    ],
    { timeout: 30_000 },
  );
  return output;
}
