import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { wave } from './argocd-model';
import { allObjects, defaultSynth, find, ofKind } from './helpers';

/** JSON → CEL values as the API server hands an object to admission CEL: maps, lists, whole numbers as int. */
function toCel(v: any): any {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
}

const env = celEnv();
const evaluate = (expression: string, vars: Record<string, unknown>): unknown => {
  try {
    return plan(env, parse(expression))(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, toCel(v)])));
  } catch (e) {
    return e;
  }
};

/**
 * What the API server's admission does with a ValidatingAdmissionPolicy and a Deny binding for one CREATE: no match
 * when a match condition is false; otherwise every validation must evaluate to true (an error or false denies,
 * failurePolicy Fail). Returns the messages of the failed validations.
 */
function admit(policy: any, object: any): { matched: boolean; denied: string[] } {
  const request = { namespace: object.metadata.namespace, operation: 'CREATE' };
  const rule = policy.spec.matchConstraints.resourceRules[0];
  const [group] = object.apiVersion.split('/');
  if (!rule.apiGroups.includes(group) || object.kind !== 'Object') return { matched: false, denied: [] };
  for (const c of policy.spec.matchConditions ?? []) {
    if (evaluate(c.expression, { object, request }) !== true) return { matched: false, denied: [] };
  }
  const denied = policy.spec.validations
    .filter((v: any) => {
      const r = evaluate(v.expression, { object, request });
      return isCelError(r) || r instanceof Error || r !== true;
    })
    .map((v: any) => v.message);
  return { matched: true, denied };
}

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
