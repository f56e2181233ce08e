import { allObjects, defaultSynth, find, ofKind } from './helpers';

// provider-kubernetes v1.2.1 adds a finalizer to every resource an Object reads with patchesFrom, and removes it when
// the Object goes (internal/controller/namespaced/object/object.go:814-843, 845-870), with a client Update. The role
// our platform binds in each environment namespace must allow that, or the Object turns Degraded with a 403 as soon
// as its source exists (found by the cluster harness's first sync).

describe('KubernetesProviderRole', () => {
  test('GIVEN the synthesized platform and environments WHEN provider-kubernetes updates each patchesFrom source for its finalizer THEN the role allows update on every source kind, and neither create nor delete on a kind it only reads', () => {
    const objects = allObjects(defaultSynth().files);
    const role = find(objects, 'ClusterRole', 'catalog-api-provider-kubernetes');
    const verbsOf = (apiVersion: string, plural: string): string[] =>
      role.rules
        .filter((r: any) => r.apiGroups.includes(apiVersion.split('/')[0]) && r.resources.includes(plural))
        .flatMap((r: any) => r.verbs);
    const wrapped = new Set<string>();
    const sources = new Map<string, string>();
    for (const o of ofKind(objects, 'Object')) {
      const m = o.spec.forProvider.manifest;
      wrapped.add(`${m.apiVersion} ${m.kind}`);
      for (const r of o.spec.references ?? []) {
        if (r.patchesFrom) sources.set(`${r.patchesFrom.apiVersion} ${r.patchesFrom.kind}`, r.patchesFrom.apiVersion);
      }
    }
    expect(sources.size).toBeGreaterThan(0);
    for (const [key, apiVersion] of sources) {
      const kind = key.split(' ')[1];
      const plural = `${kind.toLowerCase()}${kind.endsWith('s') ? 'es' : 's'}`;
      const verbs = verbsOf(apiVersion, plural);
      expect({ key, update: verbs.includes('update') }).toEqual({ key, update: true });
      if (!wrapped.has(key)) {
        expect({ key, verbs: verbs.filter((v) => v === 'create' || v === 'delete') }).toEqual({ key, verbs: [] });
      }
    }
  });
});
