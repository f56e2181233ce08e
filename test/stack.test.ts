import { MANAGED_POLICIES } from '../lib/edge/cdn';
import { defaultSynth, find, loadFrom, objectsOf, ofKind, synth, withEnvironment } from './helpers';

const S = 'pr5706';
const preview = () => objectsOf(defaultSynth().files, S);
const prod = () => objectsOf(defaultSynth().files, 'prod');
const fp = (o: any) => o.spec.forProvider;
/** The manifest a provider-kubernetes Object wraps, found by the wrapped resource's kind and name. */
const wrapped = (objects: any[], kind: string, name: string | RegExp) => {
  const hits = ofKind(objects, 'Object').filter(
    (o) =>
      o.spec.forProvider.manifest.kind === kind &&
      (typeof name === 'string'
        ? o.spec.forProvider.manifest.metadata.name === name
        : name.test(o.spec.forProvider.manifest.metadata.name)),
  );
  expect(hits).toHaveLength(1);
  return hits[0];
};
const taskDefinition = (objects: any[], suffix = S) =>
  wrapped(objects, 'TaskDefinition', new RegExp(`^catalog-api-taskdef-${suffix}-r[0-9a-f]{8}$`));

describe('Database', () => {
  test('Aurora PostgreSQL 16.4, encrypted, 7 days of backups, version on the cluster only, no cluster AZs', () => {
    const c = find(preview(), 'Cluster', `rds-cluster-${S}`);
    expect(fp(c)).toMatchObject({
      engine: 'aurora-postgresql',
      engineVersion: '16.4',
      storageEncrypted: true,
      backupRetentionPeriod: 7,
    });
    expect(fp(c).availabilityZones).toBeUndefined();
    expect(fp(c).dbSubnetGroupNameRef).toEqual({ name: `rds-subnet-group-${S}` });
    expect(fp(c).vpcSecurityGroupIdRefs).toEqual([{ name: `rds-sg-${S}` }]);
  });

  test('two db.t3.medium instances, one per AZ, private and without their own engine version', () => {
    const instances = ofKind(preview(), 'ClusterInstance');
    expect(instances.map((i) => [i.metadata.name, fp(i).availabilityZone, fp(i).instanceClass])).toEqual([
      [`rds-instance-a-${S}`, 'eu-north-1a', 'db.t3.medium'],
      [`rds-instance-b-${S}`, 'eu-north-1b', 'db.t3.medium'],
    ]);
    for (const i of instances) {
      expect(fp(i)).toMatchObject({ publiclyAccessible: false, clusterIdentifierRef: { name: `rds-cluster-${S}` } });
      expect(fp(i).engineVersion).toBeUndefined();
    }
  });

  test('the subnet group spans the private subnets', () => {
    expect(fp(find(preview(), 'SubnetGroup', `rds-subnet-group-${S}`)).subnetIdRefs).toEqual([
      { name: `private-subnet-a-${S}` },
      { name: `private-subnet-b-${S}` },
    ]);
  });

  test('preview: no deletion protection, no final snapshot (seed)', () => {
    expect(fp(find(preview(), 'Cluster', `rds-cluster-${S}`))).toMatchObject({
      deletionProtection: false,
      skipFinalSnapshot: true,
    });
  });

  test('production: deletion protection, a final snapshot, Crossplane may not delete, Argo CD may not prune', () => {
    const c = find(prod(), 'Cluster', 'rds-cluster-prod');
    expect(fp(c)).toMatchObject({
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: 'rds-cluster-prod-final',
    });
    expect(c.spec.managementPolicies).toEqual(['Observe', 'Create', 'Update', 'LateInitialize']);
    expect(c.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });

  test('backup retention follows configuration', () => {
    const objs = objectsOf(synth(loadFrom(withEnvironment(S, { database: { backupRetentionDays: 14 } }))), S);
    expect(fp(find(objs, 'Cluster', `rds-cluster-${S}`)).backupRetentionPeriod).toBe(14);
  });
});

describe('TaskRoles', () => {
  test('roles trust only ECS tasks of the account', () => {
    const trust = JSON.parse(fp(find(preview(), 'Role', `ecs-task-role-${S}`)).assumeRolePolicy);
    expect(trust.Statement[0]).toMatchObject({
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
  });
});

describe('CatalogService', () => {
  const container = (objects: any[]) =>
    JSON.parse(taskDefinition(objects).spec.forProvider.manifest.spec.forProvider.containerDefinitions)[0];

  test('task definition: 1 vCPU, 2 GB, Fargate, awsvpc, port 3000, awslogs to the 7-day log group', () => {
    const td = taskDefinition(preview()).spec.forProvider.manifest;
    expect(fp(td)).toMatchObject({
      cpu: '1024',
      memory: '2048',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      family: `catalog-api-${S}`,
    });
    const c = container(preview());
    expect(c.portMappings).toEqual([{ containerPort: 3000, protocol: 'tcp' }]);
    expect(c.logConfiguration.options).toEqual({
      'awslogs-group': `/ecs/catalog-api-${S}`,
      'awslogs-region': 'eu-north-1',
      'awslogs-stream-prefix': 'catalog-api',
    });
    const group = find(preview(), 'Group', `ecs-logs-${S}`);
    expect(fp(group).retentionInDays).toBe(7);
    expect(group.metadata.annotations['crossplane.io/external-name']).toBe(`/ecs/catalog-api-${S}`);
  });

  test('the database settings and the secret ARN are injected, none as a literal', () => {
    const c = container(preview());
    expect(c.environment).toEqual([
      { name: 'PORT', value: '3000' },
      { name: 'DB_PORT', value: '5432' },
      { name: 'DB_NAME', value: 'catalog' },
      { name: 'DB_USERNAME', value: 'catalogadmin' },
    ]);
    expect(c.secrets).toEqual([
      {
        name: 'DB_HOST',
        valueFrom: `arn:aws:ssm:eu-north-1:123456789012:parameter/catalog-api/${S}/db-writer-endpoint`,
      },
      {
        name: 'DB_READER_HOST',
        valueFrom: `arn:aws:ssm:eu-north-1:123456789012:parameter/catalog-api/${S}/db-reader-endpoint`,
      },
      {
        name: 'DB_SECRET_ARN',
        valueFrom: `arn:aws:ssm:eu-north-1:123456789012:parameter/catalog-api/${S}/db-master-secret-arn`,
      },
    ]);
  });

  test('the image comes from the shared ECR repository, at the configured tag', () => {
    const objs = objectsOf(synth(loadFrom(withEnvironment(S, { service: { imageTag: '2.4.1' } }))), S);
    expect(container(objs).image).toBe('123456789012.dkr.ecr.eu-north-1.amazonaws.com/catalog-api:2.4.1');
  });

  test('service: 2 tasks wanted at creation only, private subnets, no public IP, behind the target group, circuit breaker', () => {
    const svc = find(preview(), 'Service', `ecs-service-${S}`);
    expect(svc.spec.initProvider).toEqual({ desiredCount: 2 });
    expect(fp(svc).desiredCount).toBeUndefined();
    expect(svc.spec.managementPolicies).toEqual(['Observe', 'Create', 'Update', 'Delete']);
    expect(fp(svc)).toMatchObject({
      clusterRef: { name: `ecs-cluster-${S}` },
      networkConfiguration: {
        assignPublicIp: false,
        subnetRefs: [{ name: `private-subnet-a-${S}` }, { name: `private-subnet-b-${S}` }],
        securityGroupRefs: [{ name: `ecs-sg-${S}` }],
      },
      loadBalancer: [{ targetGroupArnRef: { name: `tg-${S}` }, containerName: 'catalog-api', containerPort: 3000 }],
      deploymentCircuitBreaker: { enable: true, rollback: false },
      // rolling updates keep full capacity (seed: configurable minimum healthy percent)
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
    });
    expect(fp(svc).launchType).toBeUndefined();
  });

  test('FARGATE_SPOT capacity (seed) in previews, a FARGATE base in production', () => {
    expect(fp(find(preview(), 'Service', `ecs-service-${S}`)).capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 },
    ]);
    expect(fp(find(prod(), 'Service', 'ecs-service-prod')).capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE', weight: 1, base: 2 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
    ]);
    expect(fp(find(preview(), 'ClusterCapacityProviders', `ecs-capacity-providers-${S}`))).toMatchObject({
      clusterNameRef: { name: `ecs-cluster-${S}` },
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    });
  });

  test('Container Insights is configurable (on in production)', () => {
    expect(fp(find(prod(), 'Cluster', 'ecs-cluster-prod')).setting).toEqual([
      { name: 'containerInsights', value: 'enabled' },
    ]);
    expect(fp(find(preview(), 'Cluster', `ecs-cluster-${S}`)).setting).toEqual([
      { name: 'containerInsights', value: 'disabled' },
    ]);
  });

  test('a changed image is a new task definition revision the service re-resolves', () => {
    const before = taskDefinition(preview()).spec.forProvider.manifest.metadata.name;
    const objs = objectsOf(synth(loadFrom(withEnvironment(S, { service: { imageTag: 'v2-changed' } }))), S);
    const after = taskDefinition(objs).spec.forProvider.manifest.metadata.name;
    expect(after).not.toBe(before);
    const ref = fp(find(objs, 'Service', `ecs-service-${S}`)).taskDefinitionRef;
    expect(ref).toEqual({ name: after, policy: { resolve: 'Always' } });
  });

  test('the same input gives the same revision name', () => {
    const again = objectsOf(synth(loadFrom(withEnvironment(S, {}))), S);
    expect(taskDefinition(again).metadata.name).toBe(taskDefinition(preview()).metadata.name);
  });

  test('autoscaling: 2 to 10 tasks, target tracking on average CPU at 70%', () => {
    const t = find(preview(), 'Target', `ecs-scaling-target-${S}`);
    expect(fp(t)).toMatchObject({
      minCapacity: 2,
      maxCapacity: 10,
      resourceId: `service/ecs-cluster-${S}/ecs-service-${S}`,
      scalableDimension: 'ecs:service:DesiredCount',
      serviceNamespace: 'ecs',
    });
    const p = find(preview(), 'Policy', `ecs-cpu-scaling-${S}`);
    expect(fp(p)).toMatchObject({
      policyType: 'TargetTrackingScaling',
      resourceIdRef: { name: `ecs-scaling-target-${S}` },
      targetTrackingScalingPolicyConfiguration: {
        targetValue: 70,
        predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      },
    });
  });
});

describe('Registry', () => {
  test('an external image means no ECR permissions', () => {
    const objs = objectsOf(
      synth(loadFrom(withEnvironment(S, { service: { image: 'ghcr.io/example/catalog-api:1.2.3' } }))),
      S,
    );
    expect(ofKind(objs, 'Repository')).toEqual([]);
    const doc = JSON.parse(fp(find(objs, 'RolePolicy', `ecs-task-execution-role-${S}-policy`)).policy);
    expect(doc.Statement.map((s: any) => s.Sid)).not.toContain('EcrPull');
    expect(
      JSON.parse(taskDefinition(objs).spec.forProvider.manifest.spec.forProvider.containerDefinitions)[0].image,
    ).toBe('ghcr.io/example/catalog-api:1.2.3');
  });
});

describe('LoadBalancer', () => {
  test('internet-facing ALB in the public subnets with the ALB group and access logs', () => {
    expect(fp(find(preview(), 'LB', `alb-${S}`))).toMatchObject({
      name: `alb-${S}`,
      loadBalancerType: 'application',
      internal: false,
      subnetRefs: [{ name: `public-subnet-a-${S}` }, { name: `public-subnet-b-${S}` }],
      securityGroupRefs: [{ name: `alb-sg-${S}` }],
      accessLogs: { bucketRef: { name: `alb-logs-${S}-123456789012` }, enabled: true, prefix: 'alb' },
    });
  });

  test('target group: ip targets on 3000 over HTTP, health check /health every 30 s, unhealthy after 2', () => {
    expect(fp(find(preview(), 'LBTargetGroup', `tg-${S}`))).toMatchObject({
      name: `tg-${S}`,
      port: 3000,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcIdRef: { name: `vpc-${S}` },
      healthCheck: { path: '/health', interval: 30, unhealthyThreshold: 2, protocol: 'HTTP' },
    });
  });

  test('HTTP listener on 80 forwarding to the target group', () => {
    expect(fp(find(preview(), 'LBListener', `alb-http-listener-${S}`))).toMatchObject({
      port: 80,
      protocol: 'HTTP',
      loadBalancerArnRef: { name: `alb-${S}` },
      defaultAction: [{ type: 'forward', targetGroupArnRef: { name: `tg-${S}` } }],
    });
  });
});

describe('LogBucket', () => {
  const bucket = `alb-logs-${S}-123456789012`;
  test('SSE-S3, public access blocked, owner enforced, 30-day expiry', () => {
    expect(fp(find(preview(), 'BucketServerSideEncryptionConfiguration', `${bucket}-sse`)).rule).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
    ]);
    expect(fp(find(preview(), 'BucketPublicAccessBlock', `${bucket}-public-access-block`))).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(fp(find(preview(), 'BucketOwnershipControls', `${bucket}-ownership`)).rule).toEqual({
      objectOwnership: 'BucketOwnerEnforced',
    });
    expect(fp(find(preview(), 'BucketLifecycleConfiguration', `${bucket}-lifecycle`)).rule[0].expiration).toEqual([
      { days: 30 },
    ]);
  });

  test('the policy denies plain HTTP and lets eu-north-1 ELB log delivery write under the prefix', () => {
    const doc = JSON.parse(fp(find(preview(), 'BucketPolicy', `${bucket}-policy`)).policy);
    const bySid = Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s]));
    expect(bySid.DenyInsecureTransport).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(bySid.ElbAccountLogDelivery).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::897822967062:root' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${bucket}/alb/AWSLogs/123456789012/*`,
    });
    expect(bySid.ElbServiceLogDelivery.Principal).toEqual({
      Service: 'logdelivery.elasticloadbalancing.amazonaws.com',
    });
  });
});

describe('Cdn', () => {
  const dist = () => wrapped(preview(), 'Distribution', `cdn-${S}`).spec.forProvider.manifest;

  test('origin is the ALB over HTTP, default certificate, no region', () => {
    const d = fp(dist());
    expect(d.origin).toEqual([
      {
        originId: `alb-${S}`,
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: 'http-only',
          originSslProtocols: ['TLSv1.2'],
        },
      },
    ]);
    expect(d.viewerCertificate).toEqual({ cloudfrontDefaultCertificate: true });
    // seed: HTTP and HTTPS support
    expect(d.defaultCacheBehavior.viewerProtocolPolicy).toBe('allow-all');
    expect(d.region).toBeUndefined();
  });

  test('the seed managed policy CachingOptimized serves the static paths', () => {
    const ordered = fp(dist()).orderedCacheBehavior;
    expect(ordered).toEqual([
      expect.objectContaining({
        pathPattern: '/static/*',
        cachePolicyId: MANAGED_POLICIES.cachingOptimized,
        allowedMethods: ['GET', 'HEAD'],
      }),
    ]);
  });

  test('no response is ever served for a different query string, and writes reach the origin', () => {
    const d = fp(dist());
    for (const b of [d.defaultCacheBehavior, ...d.orderedCacheBehavior]) {
      // either nothing is cached and the query string is forwarded ...
      const uncachedForwarding =
        b.cachePolicyId === MANAGED_POLICIES.cachingDisabled &&
        b.originRequestPolicyId === MANAGED_POLICIES.allViewerExceptHostHeader;
      // ... or the origin never sees a query string (no origin request policy), so its answer cannot depend on one
      const queryBlind = b.cachePolicyId === MANAGED_POLICIES.cachingOptimized && b.originRequestPolicyId === undefined;
      expect(uncachedForwarding || queryBlind).toBe(true);
    }
    expect(d.defaultCacheBehavior.allowedMethods).toEqual(expect.arrayContaining(['POST', 'PUT', 'PATCH', 'DELETE']));
  });
});

describe('Alarms', () => {
  test('ECS CPU above 80%, one connections alarm per DB instance, ALB 5xx, all notifying the topic', () => {
    const cpu = find(preview(), 'MetricAlarm', `ecs-cpu-high-${S}`);
    expect(fp(cpu)).toMatchObject({
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      threshold: 80,
      dimensions: { ClusterName: `ecs-cluster-${S}`, ServiceName: `ecs-service-${S}` },
    });
    expect(fp(cpu).alarmActions).toEqual([`arn:aws:sns:eu-north-1:123456789012:alarms-${S}`]);
    for (const z of ['a', 'b']) {
      expect(fp(find(preview(), 'MetricAlarm', `rds-connections-high-${z}-${S}`))).toMatchObject({
        metricName: 'DatabaseConnections',
        dimensions: { DBInstanceIdentifier: `rds-instance-${z}-${S}` },
        threshold: 320,
      });
    }
    const alb = wrapped(preview(), 'MetricAlarm', `alb-5xx-${S}`);
    expect(fp(alb.spec.forProvider.manifest)).toMatchObject({
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_ELB_5XX_Count',
      threshold: 10,
    });
  });

  test('the CloudFront alarm and its topic live in us-east-1, where CloudFront metrics are', () => {
    const cdn = wrapped(preview(), 'MetricAlarm', `cdn-5xx-rate-${S}`).spec.forProvider.manifest;
    expect(fp(cdn)).toMatchObject({
      region: 'us-east-1',
      namespace: 'AWS/CloudFront',
      metricName: '5xxErrorRate',
      dimensions: { Region: 'Global' },
    });
    expect(fp(cdn).alarmActions).toEqual([`arn:aws:sns:us-east-1:123456789012:alarms-global-${S}`]);
    expect(fp(find(preview(), 'Topic', `alarms-global-${S}`)).region).toBe('us-east-1');
  });
});

describe('Outputs', () => {
  test('one ConfigMap per environment kept current from the resources status', () => {
    const o = wrapped(preview(), 'ConfigMap', `outputs-${S}`);
    expect(o.spec.references.map((r: any) => [r.patchesFrom.kind, r.patchesFrom.fieldPath, r.toFieldPath])).toEqual([
      ['Distribution', 'status.atProvider.domainName', 'data.cloudfrontDomain'],
      ['LB', 'status.atProvider.dnsName', 'data.albDnsName'],
      ['Cluster', 'status.atProvider.endpoint', 'data.dbWriterEndpoint'],
      ['Cluster', 'status.atProvider.readerEndpoint', 'data.dbReaderEndpoint'],
    ]);
  });
});
