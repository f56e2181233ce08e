import { CrdCatalog } from '../lib/validate/catalog';
import { formatViolation, Validator } from '../lib/validate';
import { pathInSchema } from '../lib/validate/references';
import { getField, resolveObject } from '../lib/wiring/simulate';
import { allObjects, defaultSynth, find, objectsOf, ofKind, PROJECT_DIR } from './helpers';

const S = 'pr5706';
const validator = Validator.forProject(PROJECT_DIR);

/** Simulated AWS-assigned status values, as the provider would report them. */
const STATUS: Record<string, Record<string, unknown>> = {
  [`LB/alb-${S}`]: {
    dnsName: `alb-${S}-1234567890.eu-north-1.elb.amazonaws.com`,
    arnSuffix: `app/alb-${S}/50dc6c495c0c9188`,
  },
  [`LBTargetGroup/tg-${S}`]: { arnSuffix: `targetgroup/tg-${S}/73e2d6bc24d8a067` },
  [`Cluster/rds-cluster-${S}`]: {
    endpoint: `rds-cluster-${S}.cluster-c9akciq32.eu-north-1.rds.amazonaws.com`,
    readerEndpoint: `rds-cluster-${S}.cluster-ro-c9akciq32.eu-north-1.rds.amazonaws.com`,
    // a one-item list in the provider v2.6.0 CRD (status.atProvider.masterUserSecret)
    masterUserSecret: [
      {
        secretArn:
          'arn:aws:secretsmanager:eu-north-1:123456789012:secret:rds!cluster-0d5bb5e8-8ca1-4ec0-a6a1-2a4c1bd8b1c4-AbCdEf',
        secretStatus: 'active',
      },
    ],
  },
  [`Role/ecs-task-role-${S}`]: { arn: `arn:aws:iam::123456789012:role/ecs-task-role-${S}` },
  [`Distribution/cdn-${S}`]: { id: 'E2QWRUHAPOMQZL', domainName: 'd111111abcdef8.cloudfront.net' },
};

function cluster(objects: any[], withStatus: boolean) {
  const all = [...objects, ...ofKind(objects, 'Object').map((o) => o.spec.forProvider.manifest)];
  return (apiVersion: string, kind: string, namespace: string, name: string) => {
    const o = all.find(
      (x) =>
        x.apiVersion === apiVersion &&
        x.kind === kind &&
        x.metadata.namespace === namespace &&
        x.metadata.name === name,
    );
    const status = STATUS[`${kind}/${name}`];
    return o && withStatus && status ? { ...o, status: { atProvider: status } } : o;
  };
}

describe('late binding', () => {
  const objects = objectsOf(defaultSynth().files, S);
  const wrappers = ofKind(objects, 'Object');

  test('every source path exists in the source kind and every target path in the wrapped kind', () => {
    const catalog = CrdCatalog.forProject(PROJECT_DIR);
    expect(wrappers.length).toBe(9);
    for (const w of wrappers) {
      for (const r of w.spec.references) {
        const from = catalog.get(r.patchesFrom.apiVersion, r.patchesFrom.kind)!;
        expect([
          r.patchesFrom.kind,
          r.patchesFrom.fieldPath,
          pathInSchema(from.schema, r.patchesFrom.fieldPath),
        ]).toEqual([r.patchesFrom.kind, r.patchesFrom.fieldPath, true]);
        const m = w.spec.forProvider.manifest;
        const to = validator.schemaOf(m.apiVersion, m.kind);
        expect([m.kind, r.toFieldPath, pathInSchema(to, r.toFieldPath)]).toEqual([m.kind, r.toFieldPath, true]);
        expect(r.patchesFrom.fieldPath.startsWith('status.atProvider.')).toBe(true);
      }
    }
  });

  test('nothing is created before AWS reports the values it needs', () => {
    for (const w of wrappers) {
      const r = resolveObject(w, cluster(objects, false));
      expect([w.metadata.name, r.applied]).toEqual([w.metadata.name, undefined]);
      expect(r.missing.length).toBeGreaterThan(0);
    }
  });

  test('simulated status values flow into the resources, which then validate', () => {
    // WHEN the sources report their status
    const applied = wrappers.map((w) => resolveObject(w, cluster(objects, true)));
    expect(applied.map((a) => a.missing)).toEqual(wrappers.map(() => []));
    const byName = Object.fromEntries(applied.map((a) => [`${a.applied.kind}/${a.applied.metadata.name}`, a.applied]));
    // THEN each resource carries its value
    expect(getField(byName[`Distribution/cdn-${S}`], 'spec.forProvider.origin[0].domainName')).toBe(
      STATUS[`LB/alb-${S}`].dnsName,
    );
    expect(getField(byName[`Parameter/db-writer-endpoint-${S}`], 'spec.forProvider.insecureValue')).toBe(
      STATUS[`Cluster/rds-cluster-${S}`].endpoint,
    );
    expect(getField(byName[`Parameter/db-reader-endpoint-${S}`], 'spec.forProvider.insecureValue')).toBe(
      STATUS[`Cluster/rds-cluster-${S}`].readerEndpoint,
    );
    expect(getField(byName[`Parameter/db-master-secret-arn-${S}`], 'spec.forProvider.insecureValue')).toBe(
      (STATUS[`Cluster/rds-cluster-${S}`].masterUserSecret as any)[0].secretArn,
    );
    const td = Object.values(byName).find((o: any) => o.kind === 'TaskDefinition');
    expect(getField(td, 'spec.forProvider.taskRoleArn')).toBe(STATUS[`Role/ecs-task-role-${S}`].arn);
    expect(getField(byName[`MetricAlarm/alb-5xx-${S}`], 'spec.forProvider.dimensions')).toEqual({
      LoadBalancer: STATUS[`LB/alb-${S}`].arnSuffix,
    });
    expect(getField(byName[`MetricAlarm/alb-target-5xx-${S}`], 'spec.forProvider.dimensions')).toEqual({
      LoadBalancer: STATUS[`LB/alb-${S}`].arnSuffix,
      TargetGroup: STATUS[`LBTargetGroup/tg-${S}`].arnSuffix,
    });
    expect(getField(byName[`MetricAlarm/cdn-5xx-rate-${S}`], 'spec.forProvider.dimensions')).toEqual({
      Region: 'Global',
      DistributionId: 'E2QWRUHAPOMQZL',
    });
    expect(byName[`ConfigMap/outputs-${S}`].data).toEqual({
      environment: S,
      region: 'eu-north-1',
      cloudfrontDomain: 'd111111abcdef8.cloudfront.net',
      albDnsName: STATUS[`LB/alb-${S}`].dnsName,
      dbWriterEndpoint: STATUS[`Cluster/rds-cluster-${S}`].endpoint,
      dbReaderEndpoint: STATUS[`Cluster/rds-cluster-${S}`].readerEndpoint,
    });
    // AND the patched resources are still valid for the API server
    const patched = applied.map((a) => ({ file: 'applied.yaml', object: a.applied }));
    const violations = validator.validate(
      [...allObjects(defaultSynth().files).map((object) => ({ file: 'dist.yaml', object })), ...patched],
      { policy: false },
    );
    expect(violations.map(formatViolation)).toEqual([]);
  });
});

describe('Platform', () => {
  const platform = defaultSynth().files.find((f) => f.file === 'platform/platform.k8s.yaml')!.objects;
  const catalog = CrdCatalog.forProject(PROJECT_DIR);

  test('provider packages for exactly the AWS families we emit, pinned to v2.6.0, plus provider-kubernetes', () => {
    const groups = allObjects(defaultSynth().files)
      .flatMap((o) => [o, o.spec?.forProvider?.manifest].filter(Boolean))
      .map((o: any) => o.apiVersion.split('/')[0]);
    const families = new Set(
      groups
        .filter((g: string) => g.endsWith('.aws.m.upbound.io') && g !== 'aws.m.upbound.io')
        .map((g: string) => g.split('.')[0]),
    );
    const providers = ofKind(platform, 'Provider');
    const aws = providers
      .filter((p) => p.metadata.name.startsWith('provider-aws-'))
      .map((p) => p.metadata.name.replace('provider-aws-', ''));
    expect(aws.sort()).toEqual([...families].sort());
    // 13: the Secrets Manager family left with the hand-made secret (RDS manages it now)
    expect(aws).toHaveLength(13);
    for (const p of providers.filter((x) => x.metadata.name.startsWith('provider-aws-'))) {
      expect(p.spec.package).toMatch(/^xpkg\.crossplane\.io\/crossplane-contrib\/provider-aws-[a-z0-9]+:v2\.6\.0$/);
      expect(p.spec.runtimeConfigRef.name).toBe('aws-irsa');
    }
    expect(find(platform, 'Provider', 'provider-kubernetes').spec.package).toBe(
      'xpkg.crossplane.io/crossplane-contrib/provider-kubernetes:v1.2.1',
    );
  });

  test('the AWS providers get their role through IRSA', () => {
    expect(
      find(platform, 'DeploymentRuntimeConfig', 'aws-irsa').spec.serviceAccountTemplate.metadata.annotations,
    ).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/crossplane-provider-aws',
    });
    expect(find(objectsOf(defaultSynth().files, 'prod'), 'ProviderConfig', 'aws').spec).toEqual({
      credentials: { source: 'IRSA' },
      assumeRoleChain: [{ roleARN: 'arn:aws:iam::123456789012:role/catalog-api-deployer-prod' }],
    });
  });

  test('the activation policy names exactly the managed kinds we emit, by their CRD names', () => {
    const activate: string[] = find(platform, 'ManagedResourceActivationPolicy', 'catalog-api').spec.activate;
    const names = new Set(catalog.names());
    for (const a of activate) expect([a, names.has(a)]).toEqual([a, true]);
    const emitted = allObjects(defaultSynth().files)
      .flatMap((o) => [o, o.spec?.forProvider?.manifest].filter(Boolean))
      .filter(
        (o: any) =>
          /\.aws\.m\.upbound\.io\/|^kubernetes\.m\.crossplane\.io\//.test(o.apiVersion) &&
          !/ProviderConfig/.test(o.kind),
      )
      .map((o: any) => `${catalog.get(o.apiVersion, o.kind)!.plural}.${o.apiVersion.split('/')[0]}`);
    expect(activate).toEqual([...new Set(emitted)].sort());
  });

  test('provider-kubernetes may manage the wrapped kinds, read their sources and update them only for its finalizer', () => {
    const role = find(platform, 'ClusterRole', 'catalog-api-provider-kubernetes');
    const rule = (group: string, resource: string) =>
      role.rules.find((r: any) => r.apiGroups[0] === group && r.resources.includes(resource));
    expect(rule('cloudfront.aws.m.upbound.io', 'distributions').verbs).toContain('create');
    expect(rule('', 'configmaps').verbs).toContain('update');
    expect(rule('elbv2.aws.m.upbound.io', 'lbs').verbs).toEqual(['get', 'list', 'watch', 'update']);
    expect(rule('rds.aws.m.upbound.io', 'clusters').verbs).toEqual(['get', 'list', 'watch', 'update']);
    // bound per environment namespace, never cluster-wide (confinement.test.ts)
    expect(
      find(objectsOf(defaultSynth().files, S), 'RoleBinding', 'catalog-api-provider-kubernetes', `catalog-api-${S}`)
        .subjects,
    ).toEqual([{ kind: 'ServiceAccount', name: 'provider-kubernetes', namespace: 'crossplane-system' }]);
  });
});
