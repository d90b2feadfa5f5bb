import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createServiceServer, requireServiceToken, SERVICE_NAMES, type ServiceName } from '@marquee/core';
import { ENCODER_GROUP } from '@marquee/encoder';
import {
  loadKustomization,
  loadManifestFiles,
  MANIFEST_DIR,
  REPO_ROOT,
  selects,
  type Manifest,
  type PodTemplate,
} from './manifests.js';
import { loadMarqueeSettings, marqueeSettingsSchema } from '../src/settings.js';

/**
 * deploy/kubernetes cannot be applied here (no cluster, no Docker engine): these checks parse every
 * manifest and hold the parts that must agree with the code and with each other.
 */

const files = loadManifestFiles();
const all = files.flatMap((f) => f.documents);
const ofKind = (kind: string) => all.filter((m) => m.kind === kind);
const workloads = all.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet');
const podOf = (w: Manifest): PodTemplate => w.spec!.template!;
const targetOf = (w: Manifest) =>
  /^--target=(.+)$/.exec(
    podOf(w).spec.containers[0]!.args?.find((a) => a.startsWith('--target=')) ?? '',
  )?.[1];
const workloadOf = (service: ServiceName) => workloads.find((w) => targetOf(w) === service)!;
const config = ofKind('ConfigMap')[0]!;
const secret = ofKind('Secret')[0]!;

describe('deploy/kubernetes', () => {
  it('parses, and the kustomization lists exactly the files there', () => {
    expect(all.length).toBeGreaterThan(20);
    for (const m of all) expect(m.apiVersion && m.kind && m.metadata?.name, JSON.stringify(m)).toBeTruthy();
    expect([...loadKustomization().resources].sort()).toEqual(files.map((f) => f.file));
  });

  it('runs every service as one workload whose command starts exactly that target', () => {
    expect(workloads.map(targetOf).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const w of workloads) {
      const container = podOf(w).spec.containers[0]!;
      expect(container.args).toEqual(['start', `--target=${targetOf(w)}`]);
      expect(w.metadata.name).toBe(`marquee-${targetOf(w)}`);
      expect(container.image).toBe(loadKustomization().images?.[0]?.name);
      expect(selects(w.spec!.selector!.matchLabels, podOf(w).metadata.labels), w.metadata.name).toBe(true);
    }
  });

  it('probes /readyz/self for readiness and /healthz for liveness, on the named port, and every service serves both', async () => {
    for (const w of workloads) {
      const c = podOf(w).spec.containers[0]!;
      // A process's own readiness, never an aggregate of what it calls (the gateway's /readyz): one
      // upstream down would pull every gateway out of its Service.
      expect(c.readinessProbe?.httpGet?.path, w.metadata.name).toBe('/readyz/self');
      expect(c.livenessProbe?.httpGet?.path, w.metadata.name).toBe('/healthz');
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        if (!probe) continue;
        expect(c.ports?.map((p) => p.name)).toContain(probe.httpGet!.port);
      }
    }
    // Every service is built on createServiceServer and most require the service token: the probe paths
    // must answer without one.
    const paths = new Set(
      workloads.flatMap((w) => {
        const c = podOf(w).spec.containers[0]!;
        return [c.readinessProbe, c.livenessProbe, c.startupProbe].flatMap((p) => p?.httpGet?.path ?? []);
      }),
    );
    const { app } = createServiceServer({ name: 'probe-check', logger: pino({ level: 'silent' }) });
    requireServiceToken(app, 'x'.repeat(32));
    for (const path of paths) expect((await app.inject(path)).statusCode, path).toBe(200);
    await app.close();
  });

  it('gives every pod requests, a memory limit, a non-root user and only volumes it declares', () => {
    for (const w of workloads) {
      const pod = podOf(w);
      const c = pod.spec.containers[0]!;
      expect(c.resources?.requests?.cpu, w.metadata.name).toBeTruthy();
      expect(c.resources?.requests?.memory, w.metadata.name).toBeTruthy();
      expect(c.resources?.limits?.memory, w.metadata.name).toBeTruthy();
      expect(pod.spec.securityContext?.runAsNonRoot, w.metadata.name).toBe(true);
      expect(pod.spec.terminationGracePeriodSeconds, w.metadata.name).toBeGreaterThanOrEqual(30);
      const volumes = [
        ...(pod.spec.volumes ?? []).map((v) => v.name),
        ...(w.spec!.volumeClaimTemplates ?? []).map((v) => v.metadata.name),
      ];
      for (const mount of c.volumeMounts ?? []) expect(volumes, w.metadata.name).toContain(mount.name);
      expect(c.envFrom).toEqual([
        { configMapRef: { name: config.metadata.name } },
        { secretRef: { name: secret.metadata.name } },
      ]);
    }
  });

  it('configures only real settings, with values the settings schema accepts once the placeholders are filled', () => {
    const known = Object.keys(marqueeSettingsSchema.properties);
    for (const key of [...Object.keys(config.data!), ...Object.keys(secret.stringData!)]) {
      expect(known, key).toContain(key);
    }
    const filled = Object.fromEntries(
      Object.entries(secret.stringData!).map(([k, v]) => [
        k,
        v.replace('REPLACE-ME', 'a-real-value-of-32-characters-xx'),
      ]),
    );
    expect(() => loadMarqueeSettings({ ...config.data, ...filled })).not.toThrow();
    // The placeholders themselves must not start a pod.
    expect(() => loadMarqueeSettings({ ...config.data, ...secret.stringData })).toThrow(/MARQUEE_SECRET/);
  });

  it("points each MARQUEE_<SERVICE>_URLS at a Service that selects that service's pods", () => {
    for (const service of SERVICE_NAMES.filter((s) => s !== 'gateway')) {
      const url = new URL(config.data![`MARQUEE_${service.toUpperCase()}_URLS`]!);
      const svc = ofKind('Service').find((s) => s.metadata.name === url.hostname);
      expect(svc, `${service}: no Service ${url.hostname}`).toBeDefined();
      expect(selects(svc!.spec!.selector, podOf(workloadOf(service)).metadata.labels)).toBe(true);
      expect(svc!.spec!.ports!.map((p) => p.port)).toContain(Number(url.port));
    }
  });

  it('covers every workload with a Service and a PodDisruptionBudget', () => {
    for (const w of workloads) {
      const labels = podOf(w).metadata.labels;
      const services = ofKind('Service').filter((s) => selects(s.spec!.selector, labels));
      expect(services.length, w.metadata.name).toBeGreaterThan(0);
      for (const s of services) expect(s.spec!.ports!.every((p) => p.targetPort === 'http')).toBe(true);
      const pdbs = ofKind('PodDisruptionBudget').filter((p) =>
        selects(p.spec!.selector!.matchLabels, labels),
      );
      expect(pdbs, w.metadata.name).toHaveLength(1);
    }
    const edge = workloadOf('edge');
    const headless = ofKind('Service').find((s) => s.metadata.name === edge.spec!.serviceName);
    expect(headless?.spec!.clusterIP).toBe('None');
  });

  it("autoscales every service on CPU and memory (the seed's rule), and the encoder from zero on its JetStream lag", () => {
    const hpaTargets = ofKind('HorizontalPodAutoscaler').map((h) => {
      const ref = h.spec!.scaleTargetRef!;
      const target = workloads.find((w) => w.kind === ref.kind && w.metadata.name === ref.name);
      expect(target, `HPA ${h.metadata.name} → ${ref.kind}/${ref.name}`).toBeDefined();
      const metrics = JSON.stringify(h.spec!.metrics);
      expect(metrics, h.metadata.name).toContain('"name":"cpu"');
      expect(metrics, h.metadata.name).toContain('"name":"memory"');
      // The autoscaler owns the count: a replicas field would reset it on every apply.
      expect(target!.spec!.replicas, `${ref.name} replicas`).toBeUndefined();
      return targetOf(target!);
    });
    expect(hpaTargets.sort()).toEqual(SERVICE_NAMES.filter((s) => s !== 'encoder').sort());

    const [scaled] = ofKind('ScaledObject');
    expect(scaled!.spec!.scaleTargetRef!.name).toBe(workloadOf('encoder').metadata.name);
    expect(scaled!.spec!.minReplicaCount).toBe(0);
    expect(workloadOf('encoder').spec!.replicas, 'KEDA owns the encoder replica count').toBeUndefined();
    const trigger = scaled!.spec!.triggers![0]!;
    expect(trigger.type).toBe('nats-jetstream');
    expect(trigger.metadata.stream).toBe(config.data!.NATS_STREAM);
    // The encoder's durable JetStream consumer is named after its consumer group.
    expect(trigger.metadata.consumer).toBe(ENCODER_GROUP);
    expect(scaled!.spec!.triggers!.map((t) => t.type).sort()).toEqual(['cpu', 'memory', 'nats-jetstream']);
  });

  it('rolls out without losing capacity: maxUnavailable 0, a preStop drain, a disruption budget that keeps one', () => {
    for (const w of workloads) {
      const pod = podOf(w);
      const c = pod.spec.containers[0]! as { lifecycle?: { preStop?: { exec?: { command: string[] } } } };
      // The preStop sleep and the app's own drain (SHUTDOWN_DRAIN_MS) are one grace, and the pod's
      // termination grace covers both with room for the requests in flight.
      const drainS = Number(config.data?.SHUTDOWN_DRAIN_MS) / 1000;
      expect(drainS).toBeGreaterThan(0);
      expect(c.lifecycle?.preStop?.exec?.command, w.metadata.name).toEqual(['sleep', String(drainS)]);
      expect(pod.spec.terminationGracePeriodSeconds, w.metadata.name).toBeGreaterThanOrEqual(2 * drainS + 10);
      if (w.kind === 'Deployment') {
        const strategy = w.spec!.strategy as { type: string; rollingUpdate: { maxUnavailable: number } };
        expect(strategy.type, w.metadata.name).toBe('RollingUpdate');
        expect(strategy.rollingUpdate.maxUnavailable, w.metadata.name).toBe(0);
      } else {
        // A StatefulSet replaces one pod at a time; its disk tier survives the pod.
        expect((w.spec!.updateStrategy as { type: string }).type).toBe('RollingUpdate');
        expect(w.spec!.volumeClaimTemplates!.map((v) => v.metadata.name)).toContain('cache');
      }
    }
  });

  it('backs up daily with a CronJob that takes a backup, then restore-tests it, as often as BACKUP_INTERVAL says', () => {
    const [cron] = ofKind('CronJob');
    expect(cron?.metadata.name).toBe('marquee-backup');
    const spec = cron!.spec as { schedule: string; concurrencyPolicy: string };
    expect(spec.concurrencyPolicy).toBe('Forbid');
    // Daily (minute and hour fixed, every day): the interval the storage service judges age by.
    expect(spec.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(config.data?.BACKUP_INTERVAL).toBe('24h');
    expect(config.data?.BACKUP_TARGET).toMatch(/^s3:\/\//);
    const pod = cron!.spec!.jobTemplate!.spec.template.spec;
    expect(pod.initContainers?.map((c) => c.args)).toEqual([['backup']]);
    expect(pod.containers.map((c) => c.args)).toEqual([['backup', 'verify', 'latest']]);
    for (const c of [...pod.initContainers!, ...pod.containers]) {
      expect(c.envFrom?.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([
        'marquee-config',
        'marquee-secrets',
      ]);
    }
  });

  it('routes the public hosts to the gateway and the edges', () => {
    const [ingress] = ofKind('Ingress');
    const backendOf = (url: string) =>
      ingress!.spec!.rules!.find((r) => r.host === new URL(url).hostname)?.http.paths[0]?.backend.service
        .name;
    expect(backendOf(config.data!.MARQUEE_PUBLIC_URL!)).toBe(workloadOf('gateway').metadata.name);
    expect(backendOf(config.data!.EDGE_PUBLIC_URLS!)).toBe(workloadOf('edge').metadata.name);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');

  it('installs production dependencies only, with Debian ffmpeg, on node:20-slim, and runs as non-root', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*ffmpeg/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('starts the marquee entry point that exists in this repository', () => {
    const entry = /^ENTRYPOINT \[(.*)\]$/m.exec(dockerfile)?.[1];
    const script = entry
      ?.split(',')
      .map((s) => s.trim().replace(/"/g, ''))
      .find((s) => s.endsWith('.mjs'));
    expect(script && existsSync(join(REPO_ROOT, script))).toBe(true);
    expect(existsSync(join(MANIFEST_DIR, '../../.dockerignore'))).toBe(true);
  });
});
