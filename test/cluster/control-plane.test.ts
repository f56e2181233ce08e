import {
  applyAll,
  ApiError,
  ARGOCD_MANAGER,
  Cluster,
  condition,
  objectRef,
  writeReport,
  type KubeObject,
} from './harness';
import { Kube } from './harness/kube';
import { allObjects } from './harness/manifests';
import { waitFor } from './harness/process';

// The real control plane (etcd, kube-apiserver, kube-controller-manager) and provider-kubernetes,
// built from their Go modules, with our manifests applied the way Argo CD applies them.

let cluster: Cluster;
const report: Record<string, unknown> = {};

beforeAll(async () => {
  const started = performance.now();
  cluster = await Cluster.start();
  report.startSeconds = Math.round((performance.now() - started) / 100) / 10;
}, 600_000);

afterAll(async () => {
  writeReport('control-plane', report);
  await cluster?.stop('control-plane');
});

/** The Object whose manifest is `kind` and whose references read `sourceKind`, in the first environment. */
function objectManaging(kind: string, sourceKind: string): KubeObject {
  for (const objects of cluster.dist.environments.values()) {
    const found = objects.find(
      (o) =>
        o.kind === 'Object' &&
        o.spec?.forProvider?.manifest?.kind === kind &&
        (o.spec?.references ?? []).some((r: any) => r.patchesFrom?.kind === sourceKind),
    );
    if (found) return found;
  }
  throw new Error(`no Object manages a ${kind} from a ${sourceKind}`);
}

describe('ControlPlane', () => {
  test('GIVEN the pinned CRDs installed WHEN the API server is asked THEN it serves every kind they define', async () => {
    const missing: string[] = [];
    for (const name of cluster.crds) {
      const crd = await cluster.admin.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name);
      for (const v of crd.spec.versions.filter((x: { served: boolean }) => x.served)) {
        try {
          await cluster.admin.resource(`${crd.spec.group}/${v.name}`, crd.spec.names.kind);
        } catch (e) {
          missing.push(`${crd.spec.names.kind} ${crd.spec.group}/${v.name}: ${(e as Error).message}`);
        }
      }
    }
    report.crds = cluster.crds.length;
    expect(cluster.crds.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  test('GIVEN every object of the manifests WHEN server-side applied by argocd-controller with strict field validation THEN the API server accepts each one', async () => {
    const objects = allObjects(cluster.dist);
    const failures = await applyAll(cluster.admin, objects, { fieldManager: ARGOCD_MANAGER });
    report.applied = objects.length;
    report.applyFailures = failures;
    expect(failures).toEqual([]);
    // every object is there, owned by argocd-controller
    const notOwned: string[] = [];
    for (const o of objects) {
      const live = await cluster.admin.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
      if (!(live.metadata.managedFields ?? []).some((m) => m.manager === ARGOCD_MANAGER)) notOwned.push(objectRef(o));
    }
    expect(notOwned).toEqual([]);
  });

  test('GIVEN a broken manifest (a field the CRD does not define) WHEN applied THEN the failure names the object and the field', async () => {
    const obj = objectManaging('Parameter', 'Cluster');
    const broken: KubeObject = structuredClone(obj);
    broken.metadata.name = 'broken-probe';
    broken.spec.forProvider.manifestt = {};
    const failures = await applyAll(cluster.admin, [broken], { fieldManager: ARGOCD_MANAGER });
    expect(failures).toEqual([
      expect.objectContaining({
        object: `Object ${obj.metadata.namespace}/broken-probe`,
        // server-side apply reports a field the schema does not declare this way (strict validation)
        reason: expect.stringContaining('.spec.forProvider.manifestt: field not declared in schema'),
      }),
    ]);
  });

  test('GIVEN one kept-alive connection WHEN a DELETE carrying DeleteOptions is answered or refused THEN the requests after it on that connection are answered normally', async () => {
    const client = new Kube(cluster.admin.credentials);
    try {
      const probe: KubeObject = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'delete-options-probe', namespace: 'default' },
        data: { a: 'b' },
      };
      await client.create(probe);
      await client.delete('v1', 'ConfigMap', 'default', 'delete-options-probe', 'Foreground');
      const after = await client.get('v1', 'Namespace', undefined, 'default');
      expect(after.metadata.name).toBe('default');
      const refusal = await client
        .delete('v1', 'ConfigMap', 'default', 'delete-options-probe-missing')
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ApiError);
      expect((refusal as ApiError).status).toBe(404);
      const again = await client.get('v1', 'Namespace', undefined, 'default');
      expect(again.metadata.name).toBe('default');
    } finally {
      client.close();
    }
  });
});

describe('ProviderKubernetes', () => {
  test('GIVEN an Object whose reference source has status WHEN provider-kubernetes reconciles it THEN it creates the manifest with the source value and reports Ready', async () => {
    // the database endpoint parameter: an SSM Parameter whose value comes from the RDS cluster's status
    const obj = objectManaging('Parameter', 'Cluster');
    const ref = obj.spec.references.find((r: any) => r.patchesFrom?.kind === 'Cluster');
    const src = ref.patchesFrom;
    const endpoint = `${src.name}.cluster-c0ffee.eu-north-1.rds.amazonaws.com`;
    const live = await cluster.admin.get(src.apiVersion, src.kind, src.namespace, src.name);
    // no AWS provider runs in this suite: stand in for it by setting the field the reference reads
    const field = String(src.fieldPath).replace(/^status\.atProvider\./, '');
    await cluster.admin.patchStatus(live, { atProvider: { [field]: endpoint } });

    const manifest = obj.spec.forProvider.manifest;
    const started = performance.now();
    const created = await waitFor(
      `${objectRef(manifest)} created by provider-kubernetes`,
      () => cluster.admin.find(manifest.apiVersion, manifest.kind, manifest.metadata.namespace, manifest.metadata.name),
      240_000,
      cluster.provider!.process,
      1000,
    );
    report.objectReconcileSeconds = Math.round((performance.now() - started) / 100) / 10;
    const toPath = String(ref.toFieldPath).split('.');
    expect(toPath.reduce((v: any, k) => v?.[k], created)).toBe(endpoint);
    const synced = await waitFor(
      `${objectRef(obj)} Synced`,
      async () => {
        const o = await cluster.admin.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
        return condition(o, 'Synced').status === 'True' ? o : undefined;
      },
      120_000,
      cluster.provider!.process,
    );
    expect(condition(synced, 'Synced').status).toBe('True');
  });

  test('GIVEN the ServiceAccount our RBAC binds WHEN provider-kubernetes is asked to manage a kind our RBAC does not grant THEN the API server refuses it with 403', async () => {
    const base = objectManaging('Parameter', 'Cluster');
    const ns = base.metadata.namespace!;
    // a kind neither our ClusterRole nor Crossplane's provider role grants
    const probe: KubeObject = {
      apiVersion: base.apiVersion,
      kind: 'Object',
      metadata: { name: 'rbac-probe', namespace: ns },
      spec: {
        forProvider: {
          manifest: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rbac-probe', namespace: ns } },
        },
        providerConfigRef: base.spec.providerConfigRef,
      },
    };
    await cluster.admin.apply(probe, { fieldManager: 'cluster-test' });
    const refused = await waitFor(
      'the probe Object to report its error',
      async () => {
        const o = await cluster.admin.get(probe.apiVersion, 'Object', ns, 'rbac-probe');
        const c = condition(o, 'Synced');
        return c.status === 'False' && c.message ? c : undefined;
      },
      120_000,
      cluster.provider!.process,
    );
    report.refusal = refused.message;
    expect(refused.message).toMatch(/forbidden/i);
    expect(refused.message).toContain('serviceaccounts');
    expect(await cluster.admin.find('v1', 'ServiceAccount', ns, 'rbac-probe')).toBeUndefined();

    // the same identity, asked directly: a real 403 from RBAC
    const err = await cluster
      .provider!.client.create({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'direct', namespace: ns },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
  });
});
