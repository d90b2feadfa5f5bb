import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/**
 * Loads deploy/kubernetes with js-yaml (already in node_modules through ESLint; no Kubernetes tooling
 * runs here) into plain objects, typed as far as the manifest tests read them.
 */

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const MANIFEST_DIR = join(REPO_ROOT, 'deploy/kubernetes');

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { loadAll(text: string): unknown[]; load(text: string): unknown };

export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    containers: Container[];
    initContainers?: Container[];
    volumes?: { name: string }[];
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    terminationGracePeriodSeconds?: number;
  };
}
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown> & {
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: PodTemplate;
    /** A CronJob's Job template. */
    jobTemplate?: { spec: { template: PodTemplate } };
    serviceName?: string;
    volumeClaimTemplates?: { metadata: { name: string } }[];
    clusterIP?: string;
    ports?: { name: string; port: number; targetPort: string | number }[];
    scaleTargetRef?: { apiVersion?: string; kind?: string; name: string };
    triggers?: { type: string; metadata: Record<string, string> }[];
    rules?: {
      host: string;
      http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] };
    }[];
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface Kustomization {
  resources: string[];
  namespace?: string;
  images?: { name: string }[];
}

export function loadKustomization(): Kustomization {
  return yaml.load(readFileSync(join(MANIFEST_DIR, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** Every YAML file of the directory but the kustomization, with its documents. */
export function loadManifestFiles(): { file: string; documents: Manifest[] }[] {
  return readdirSync(MANIFEST_DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .map((file) => ({
      file,
      documents: yaml
        .loadAll(readFileSync(join(MANIFEST_DIR, file), 'utf8'))
        .filter((d): d is Manifest => d !== null && d !== undefined),
    }));
}

/** True when every label the selector asks for is on the pod. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
