import { describe, expect, it } from 'vitest';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { loadKustomization, loadManifestFiles, type Manifest } from './manifests.js';

/**
 * deploy/kubernetes rendered as kustomize renders it (the kustomization's namespace on every namespaced
 * object, its image set on every container) and validated against the Kubernetes OpenAPI schemas that
 * the `kubernetes-models` npm package ships (with `@kubernetes-models/keda` for the ScaledObject):
 * offline, no schema downloaded at run time, no cluster needed. A wrong type or a missing required field
 * fails; an unknown field does not (the published schemas allow them).
 */

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'batch/v1': batch,
  'networking.k8s.io/v1': networking,
  'policy/v1': policy,
  'keda.sh/v1alpha1': keda,
};

const CLUSTER_SCOPED = new Set(['Namespace']);

/** What `kubectl apply -k deploy/kubernetes` sends, for the transformers this kustomization uses. */
export function renderKustomization(): Manifest[] {
  const kustomization = loadKustomization();
  const images = new Map(
    (kustomization.images ?? []).map((i) => [
      i.name,
      i as { name: string; newName?: string; newTag?: string },
    ]),
  );
  const byFile = new Map(loadManifestFiles().map((f) => [f.file, f.documents]));
  return kustomization.resources.flatMap((file) =>
    (byFile.get(file) ?? []).map((doc) => {
      const copy = structuredClone(doc);
      if (kustomization.namespace && !CLUSTER_SCOPED.has(copy.kind)) {
        (copy.metadata as { namespace?: string }).namespace = kustomization.namespace;
      }
      // A CronJob's pod template is one level down, in its jobTemplate.
      const pod = copy.spec?.template ?? copy.spec?.jobTemplate?.spec.template;
      for (const container of [...(pod?.spec.initContainers ?? []), ...(pod?.spec.containers ?? [])]) {
        const image = images.get(container.image);
        if (image)
          container.image = `${image.newName ?? image.name}${image.newTag ? `:${image.newTag}` : ''}`;
      }
      return copy;
    }),
  );
}

function validate(doc: unknown): void {
  const { apiVersion, kind } = doc as { apiVersion: string; kind: string };
  const Model = MODELS[apiVersion]?.[kind] as ModelClass | undefined;
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  new Model(doc as never).validate();
}

describe('deploy/kubernetes against the Kubernetes schemas', () => {
  const rendered = renderKustomization();

  it('renders every resource of the kustomization, namespaced and with the image set', () => {
    expect(rendered.length).toBeGreaterThan(25);
    const deployment = rendered.find((d) => d.kind === 'Deployment')!;
    expect((deployment.metadata as { namespace?: string }).namespace).toBe(loadKustomization().namespace);
    expect(deployment.spec!.template!.spec.containers[0]!.image).toMatch(/^[^:]+\/marquee:/);
  });

  it('validates every rendered object', () => {
    const failures: string[] = [];
    for (const doc of rendered) {
      try {
        validate(doc);
      } catch (err) {
        failures.push(`${doc.kind}/${doc.metadata.name}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects what the API server would: a wrong type, a missing required field, an unknown kind', () => {
    const deployment = rendered.find((d) => d.kind === 'Deployment')!;
    const wrongType = structuredClone(deployment) as unknown as {
      spec: { strategy: { rollingUpdate: { maxUnavailable: unknown } } };
    };
    wrongType.spec.strategy.rollingUpdate.maxUnavailable = { percent: 10 };
    expect(() => validate(wrongType)).toThrow();
    const nameless = structuredClone(deployment) as unknown as {
      spec: { template: { spec: { containers: { name?: string }[] } } };
    };
    delete nameless.spec.template.spec.containers[0]!.name;
    expect(() => validate(nameless)).toThrow();
    const hpa = structuredClone(rendered.find((d) => d.kind === 'HorizontalPodAutoscaler')!) as unknown as {
      spec: { metrics: { resource: { target: Record<string, unknown> } }[] };
    };
    hpa.spec.metrics[0]!.resource.target = { averageUtilization: 70 };
    expect(() => validate(hpa)).toThrow();
    const scaled = structuredClone(rendered.find((d) => d.kind === 'ScaledObject')!) as unknown as {
      spec: { scaleTargetRef: { name?: string } };
    };
    delete scaled.spec.scaleTargetRef.name;
    expect(() => validate(scaled)).toThrow();
    expect(() => validate({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } })).toThrow(
      /no schema/,
    );
    // The published schemas allow fields they do not name (kubeconform's default, not its -strict): the
    // fields this deployment relies on are checked by name in deploy-manifests.test.ts.
  });
});
