import { admit } from './admission-model';
import { wave } from './argocd-model';
import { allObjects, defaultSynth, find, ofKind } from './helpers';

describe('ObjectConfinement', () => {
  const objects = allObjects(defaultSynth().files);
  const policy = find(objects, 'ValidatingAdmissionPolicy', 'catalog-api-object-confinement');
  const wrappers = ofKind(objects, 'Object');
  const one = () => structuredClone(wrappers.find((o) => (o.spec.references ?? []).length > 0)!);

  test('GIVEN the policy and its binding THEN they deny, fail closed and match namespaced Objects', () => {
    expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      {
        apiGroups: ['kubernetes.m.crossplane.io'],
        apiVersions: ['*'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['objects'],
      },
    ]);
    const binding = find(objects, 'ValidatingAdmissionPolicyBinding', 'catalog-api-object-confinement');
    expect(binding.spec).toEqual({ policyName: 'catalog-api-object-confinement', validationActions: ['Deny'] });
  });

  test('GIVEN every emitted Object THEN admission accepts it', () => {
    expect(wrappers.length).toBeGreaterThan(10);
    for (const o of wrappers) {
      expect([o.metadata.namespace, o.metadata.name, admit(policy, o)]).toEqual([
        o.metadata.namespace,
        o.metadata.name,
        { matched: true, denied: [] },
      ]);
    }
  });

  const cases: [string, (o: any) => void, RegExp][] = [
    [
      'its manifest in another environment',
      (o) => (o.spec.forProvider.manifest.metadata.namespace = 'catalog-api-prod'),
      /manifest\.metadata\.namespace/,
    ],
    [
      'a manifest without a namespace (a cluster-scoped kind)',
      (o) => delete o.spec.forProvider.manifest.metadata.namespace,
      /manifest\.metadata\.namespace/,
    ],
    [
      'a patchesFrom source in another namespace (another environment’s Secret)',
      (o) =>
        (o.spec.references[0].patchesFrom = {
          apiVersion: 'v1',
          kind: 'Secret',
          name: 'db-credentials',
          namespace: 'catalog-api-prod',
          fieldPath: 'data.password',
        }),
      /patchesFrom/,
    ],
    [
      'a patchesFrom source without a namespace',
      (o) => delete o.spec.references[0].patchesFrom.namespace,
      /patchesFrom/,
    ],
    [
      'a dependsOn in another namespace',
      (o) =>
        o.spec.references.push({ dependsOn: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'argocd' } }),
      /dependsOn/,
    ],
    [
      'connection details from another namespace',
      (o) =>
        (o.spec.connectionDetails = [
          { apiVersion: 'v1', kind: 'Secret', name: 's', namespace: 'kube-system', fieldPath: 'data.token' },
        ]),
      /connectionDetails/,
    ],
  ];
  test.each(cases)('GIVEN an Object with %s THEN admission denies it', (_what, mutate, message) => {
    const o = one();
    mutate(o);
    const r = admit(policy, o);
    expect(r.matched).toBe(true);
    expect(r.denied).toHaveLength(1);
    expect(r.denied[0]).toMatch(message);
  });

  test('GIVEN an Object outside the environment namespaces THEN the policy does not apply', () => {
    const o = one();
    o.metadata.namespace = 'team-b';
    o.spec.forProvider.manifest.metadata.namespace = 'team-c';
    expect(admit(policy, o)).toEqual({ matched: false, denied: [] });
  });
});

describe('ObjectAccess', () => {
  const files = defaultSynth().files;
  const objects = allObjects(files);
  const sa = { kind: 'ServiceAccount', name: 'provider-kubernetes', namespace: 'crossplane-system' };
  const bindsProvider = (b: any) => (b.subjects ?? []).some((s: any) => s.kind === sa.kind && s.name === sa.name);

  test('GIVEN the platform THEN nothing grants provider-kubernetes our role cluster-wide, and the role reads no Secrets', () => {
    expect(ofKind(objects, 'ClusterRoleBinding').filter(bindsProvider)).toEqual([]);
    const role = find(objects, 'ClusterRole', 'catalog-api-provider-kubernetes');
    for (const r of role.rules) expect(r.resources).not.toContain('secrets');
  });

  test('GIVEN each environment THEN a RoleBinding in its namespace binds the role, deleted after its Objects', () => {
    for (const ns of ofKind(objects, 'Namespace').map((n) => n.metadata.name)) {
      const bindings = ofKind(objects, 'RoleBinding').filter((b) => b.metadata.namespace === ns && bindsProvider(b));
      expect(bindings.map((b) => [b.roleRef.name, b.subjects])).toEqual([['catalog-api-provider-kubernetes', [sa]]]);
      const objs = ofKind(objects, 'Object').filter((o) => o.metadata.namespace === ns);
      expect(objs.length).toBeGreaterThan(0);
      // the cascade finalizer deletes the highest wave first (sort_delete.go:24-40)
      for (const o of objs) expect(wave(bindings[0])).toBeLessThan(wave(o));
    }
  });
});
