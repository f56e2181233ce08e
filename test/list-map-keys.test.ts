import { CrdCatalog } from '../lib/validate/catalog';
import { allObjects, defaultSynth, PROJECT_DIR } from './helpers';

// Argo CD v3.5.1's server-side diff (our Applications set ServerSideDiff=true) drops from the predicted live object
// every field the argocd-controller manager does not own, then merges it into the live object (gitops-engine
// pkg/diff/diff.go removeWebhookMutation). A key field of an associative list (x-kubernetes-list-map-keys) that the
// API server filled in from its default is owned by nobody, so the merge fails: "associative list with keys has an
// element that omits all key fields", and Argo CD cannot compare the Application (found by the cluster harness's
// no-drift scenario on LBListener spec.forProvider.defaultAction, key `index`).

/** Every element of an associative list in `value` that omits all its key fields, as `path [keys]`. */
function keylessElements(value: any, schema: any, path: string, out: string[]): void {
  if (!schema || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const keys: string[] | undefined =
      schema['x-kubernetes-list-type'] === 'map' ? schema['x-kubernetes-list-map-keys'] : undefined;
    value.forEach((e, i) => {
      if (keys && e && typeof e === 'object' && !keys.some((k) => k in e))
        out.push(`${path}[${i}] [${keys.join(', ')}]`);
      keylessElements(e, schema.items, `${path}[${i}]`, out);
    });
    return;
  }
  for (const [k, v] of Object.entries(value)) keylessElements(v, schema.properties?.[k], `${path}.${k}`, out);
}

describe('LoadBalancer', () => {
  test('GIVEN the synthesized managed resources WHEN checked against their CRDs THEN every element of an associative list sets its key fields, so Argo CD can diff them server-side', () => {
    const catalog = CrdCatalog.forProject(PROJECT_DIR);
    const found: string[] = [];
    for (const o of allObjects(defaultSynth().files)) {
      for (const m of [o, o.spec?.forProvider?.manifest].filter(Boolean)) {
        const crd = catalog.get(m.apiVersion, m.kind);
        if (crd) keylessElements(m, crd.schema, `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`, found);
      }
    }
    expect(found).toEqual([]);
  });
});
