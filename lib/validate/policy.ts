import { POLICY_EXCEPTION_PREFIX as EXCEPTION_PREFIX } from '../common/context';
import { ADOPTION_RULE } from './adoption';
import { getField } from '../common/field-path';
import { groupOf, ObjectIndex, SourcedObject } from './objects';
import { FieldError } from './violation';

/**
 * Security and safety rules over the emitted set, in the spirit of checkov/tfsec for these kinds. A rule can be
 * waived for one object only explicitly, with a reason, by the annotation `exception.policy.catalog-api/<RULE>`;
 * the waiver is part of the manifest, so reviewers see it in the diff and the cluster keeps it.
 */

export interface PolicyRule {
  readonly id: string;
  readonly title: string;
  check(o: SourcedObject, index: ObjectIndex): FieldError[];
}

const isKind = (o: any, group: string, kind: string) => o?.kind === kind && groupOf(o?.apiVersion ?? '') === group;
const fp = (o: any) => o?.spec?.forProvider ?? {};
const refName = (r: any): string | undefined => r?.name;

/** Parsed IAM-style policy JSON, or undefined when it is not JSON. */
function policyDoc(text: unknown): any {
  if (typeof text !== 'string') {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Buckets another S3 sub-resource of `kind` attaches to (by bucketRef). */
function bucketsWith(index: ObjectIndex, kind: string, ns: string, pred: (o: any) => boolean): Set<string> {
  return new Set(
    index
      .ofKind('s3.aws.m.upbound.io', kind, ns)
      .filter((s) => pred(s.object))
      .map((s) => refName(fp(s.object).bucketRef) ?? fp(s.object).bucket),
  );
}

const SECRET_KEY_NAME = /(^|[_.-])(password|passwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key)$/i;
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/aws_secret_access_key\s*=/i, 'an AWS secret access key'],
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b/, 'a GitHub token'],
  [/\bxox[baprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./, 'a JSON web token'],
];

/**
 * Every string in an object with its path and the name it is stored under; JSON strings (container definitions,
 * policies) are searched inside instead of as a whole. Name/value pairs (env vars, ECS environment) report the
 * pair's name for the value.
 */
function* strings(value: unknown, path: string, keyName?: string): Generator<[string, string, string | undefined]> {
  if (typeof value === 'string') {
    if (/^\s*[[{]/.test(value)) {
      try {
        yield* strings(JSON.parse(value), `${path}(json)`);
        return;
      } catch {
        // not JSON: a plain string
      }
    }
    yield [path, value, keyName];
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      yield* strings(value[i], `${path}[${i}]`);
    }
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const pair = typeof o.name === 'string' && typeof o.value === 'string';
    for (const [k, v] of Object.entries(o)) {
      yield* strings(v, path ? `${path}.${k}` : k, pair && k === 'value' ? (o.name as string) : k);
    }
  }
}

export const RULES: readonly PolicyRule[] = [
  {
    id: 'SG001',
    title: 'no security group ingress from the whole internet except the load balancer listener port',
    check(o, index) {
      const obj = o.object;
      if (!isKind(obj, 'ec2.aws.m.upbound.io', 'SecurityGroupIngressRule')) return [];
      const f = fp(obj);
      if (f.cidrIpv4 !== '0.0.0.0/0' && f.cidrIpv6 !== '::/0') return [];
      const ns = obj.metadata.namespace;
      const sg = refName(f.securityGroupIdRef);
      const lbs = index
        .ofKind('elbv2.aws.m.upbound.io', 'LB', ns)
        .filter((lb) => (fp(lb.object).securityGroupRefs ?? []).some((r: any) => r.name === sg));
      const ports = index
        .ofKind('elbv2.aws.m.upbound.io', 'LBListener', ns)
        .filter((l) => lbs.some((lb) => lb.object.metadata.name === refName(fp(l.object).loadBalancerArnRef)))
        .map((l) => fp(l.object).port);
      if (lbs.length > 0 && f.fromPort === f.toPort && ports.includes(f.fromPort)) return [];
      return [
        {
          path: 'spec.forProvider',
          rule: 'SG001',
          message: `Forbidden: ingress from the internet on ${f.fromPort}-${f.toPort} to "${sg}", which is not a load balancer listener port (listeners: ${ports.join(', ') || 'none'})`,
        },
      ];
    },
  },
  {
    id: 'LB001',
    title: 'load balancer listeners use HTTPS (or only redirect to it)',
    check(o) {
      const obj = o.object;
      if (!isKind(obj, 'elbv2.aws.m.upbound.io', 'LBListener')) return [];
      const f = fp(obj);
      const redirectsOnly = (f.defaultAction ?? []).every((a: any) => a.type === 'redirect');
      if (f.protocol === 'HTTP' && !redirectsOnly) {
        return [
          {
            path: 'spec.forProvider.protocol',
            rule: 'LB001',
            message: `Forbidden: plaintext listener on port ${f.port} forwards traffic`,
          },
        ];
      }
      return [];
    },
  },
  {
    id: 'CDN001',
    title: 'CloudFront viewers are not served over plain HTTP',
    check(o) {
      const obj = o.object;
      if (!isKind(obj, 'cloudfront.aws.m.upbound.io', 'Distribution')) return [];
      const behaviours = [fp(obj).defaultCacheBehavior, ...(fp(obj).orderedCacheBehavior ?? [])];
      return behaviours.some((b) => b?.viewerProtocolPolicy === 'allow-all')
        ? [
            {
              path: 'spec.forProvider.defaultCacheBehavior.viewerProtocolPolicy',
              rule: 'CDN001',
              message: 'Forbidden: allow-all serves viewers over plain HTTP',
            },
          ]
        : [];
    },
  },
  {
    id: 'RDS001',
    title: 'database instances are not publicly accessible',
    check(o) {
      const obj = o.object;
      if (!isKind(obj, 'rds.aws.m.upbound.io', 'ClusterInstance') && !isKind(obj, 'rds.aws.m.upbound.io', 'Instance'))
        return [];
      return fp(obj).publiclyAccessible === false
        ? []
        : [
            {
              path: 'spec.forProvider.publiclyAccessible',
              rule: 'RDS001',
              message: `Forbidden: must be explicitly false, got ${JSON.stringify(fp(obj).publiclyAccessible)}`,
            },
          ];
    },
  },
  {
    id: 'RDS002',
    title: 'database storage is encrypted',
    check(o) {
      const obj = o.object;
      if (!isKind(obj, 'rds.aws.m.upbound.io', 'Cluster')) return [];
      return fp(obj).storageEncrypted === true
        ? []
        : [
            {
              path: 'spec.forProvider.storageEncrypted',
              rule: 'RDS002',
              message: `Forbidden: storage must be encrypted, got ${JSON.stringify(fp(obj).storageEncrypted)}`,
            },
          ];
    },
  },
  {
    id: 'S3001',
    title: 'S3 buckets block all public access',
    check(o, index) {
      const obj = o.object;
      if (!isKind(obj, 's3.aws.m.upbound.io', 'Bucket')) return [];
      const ok = bucketsWith(index, 'BucketPublicAccessBlock', obj.metadata.namespace, (b) =>
        ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].every(
          (k) => fp(b)[k] === true,
        ),
      );
      return ok.has(obj.metadata.name)
        ? []
        : [
            {
              path: '(object)',
              rule: 'S3001',
              message: 'Forbidden: no BucketPublicAccessBlock with all four settings true refers to this bucket',
            },
          ];
    },
  },
  {
    id: 'S3002',
    title: 'S3 buckets are encrypted at rest',
    check(o, index) {
      const obj = o.object;
      if (!isKind(obj, 's3.aws.m.upbound.io', 'Bucket')) return [];
      const ok = bucketsWith(index, 'BucketServerSideEncryptionConfiguration', obj.metadata.namespace, (b) =>
        (fp(b).rule ?? []).some((r: any) =>
          ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(r.applyServerSideEncryptionByDefault?.sseAlgorithm),
        ),
      );
      return ok.has(obj.metadata.name)
        ? []
        : [
            {
              path: '(object)',
              rule: 'S3002',
              message: 'Forbidden: no BucketServerSideEncryptionConfiguration refers to this bucket',
            },
          ];
    },
  },
  {
    id: 'S3003',
    title: 'S3 buckets deny requests without TLS',
    check(o, index) {
      const obj = o.object;
      if (!isKind(obj, 's3.aws.m.upbound.io', 'Bucket')) return [];
      const ok = bucketsWith(index, 'BucketPolicy', obj.metadata.namespace, (b) =>
        asList(policyDoc(fp(b).policy)?.Statement).some(
          (s: any) => s.Effect === 'Deny' && ['false', false].includes(s.Condition?.Bool?.['aws:SecureTransport']),
        ),
      );
      return ok.has(obj.metadata.name)
        ? []
        : [
            {
              path: '(object)',
              rule: 'S3003',
              message: 'Forbidden: no BucketPolicy denies aws:SecureTransport=false for this bucket',
            },
          ];
    },
  },
  {
    id: 'S3004',
    title: 'S3 lifecycle rules scope objects with a filter the provider round-trips',
    check(o) {
      const obj = o.object;
      if (!isKind(obj, 's3.aws.m.upbound.io', 'BucketLifecycleConfiguration')) return [];
      // An empty `prefix` (or an empty filter) is dropped on its way to Terraform: provider-upjet-aws v2.6.0 then
      // reports Ready while AWS holds no lifecycle (crossplane-contrib/provider-upjet-aws#1986; the framework
      // resource's empty-filter handling, hashicorp/terraform-provider-aws#41296 and #42624).
      const errs: FieldError[] = [];
      asList(fp(obj).rule).forEach((r: any, i) => {
        const filters = asList(r?.filter);
        const at = `spec.forProvider.rule[${i}]`;
        if (filters.length === 0 && r?.prefix === undefined) {
          errs.push({ path: at, rule: 'S3004', message: 'Required value: a filter (e.g. filter: [{prefix: logs/}])' });
        }
        filters.forEach((f: any, j) => {
          const set = Object.entries(f ?? {}).filter(([, v]) => v !== '' && v !== null && v !== undefined);
          if (set.length === 0) {
            errs.push({
              path: `${at}.filter[${j}]`,
              rule: 'S3004',
              message: `Invalid value: ${JSON.stringify(f)}: an empty filter or prefix is not applied in AWS; filter on the prefix the objects are written under`,
            });
          }
        });
        if (r?.prefix === '') {
          errs.push({
            path: `${at}.prefix`,
            rule: 'S3004',
            message: 'Invalid value: "": use filter with a non-empty prefix',
          });
        }
      });
      return errs;
    },
  },
  {
    id: 'IAM001',
    title: 'policies name their actions and resources (no Action "*" on Resource "*")',
    check(o) {
      const errs: FieldError[] = [];
      const docs = new Map<string, any>();
      for (const [path] of strings(o.object.spec, 'spec')) {
        const m = /^(.*?)\(json\)\.Statement/.exec(path);
        if (m && !docs.has(m[1])) {
          docs.set(m[1], policyDoc(getField(o.object, m[1])));
        }
      }
      for (const [path, doc] of docs) {
        for (const s of asList(doc?.Statement) as any[]) {
          const actions = asList(s.Action);
          const resources = asList(s.Resource);
          if (s.Effect === 'Allow' && actions.some((a) => a === '*' || a === '*:*') && resources.includes('*')) {
            errs.push({
              path,
              rule: 'IAM001',
              message: `Forbidden: statement ${JSON.stringify(s.Sid ?? '')} allows every action on every resource`,
            });
          }
        }
      }
      return errs;
    },
  },
  {
    id: 'SEC001',
    title: 'no secret value in the output',
    check(o) {
      const obj = o.object;
      const errs: FieldError[] = [];
      if (obj.kind === 'Secret' && obj.apiVersion === 'v1' && (obj.data || obj.stringData)) {
        errs.push({
          path: obj.data ? 'data' : 'stringData',
          rule: 'SEC001',
          message: 'Forbidden: a Secret with values would put them in git; generate them in the cluster',
        });
      }
      for (const [path, value, keyName] of strings({ data: obj.data, spec: obj.spec }, '')) {
        const hit = SECRET_PATTERNS.find(([re]) => re.test(value));
        if (hit) {
          errs.push({ path: path.replace(/^\./, ''), rule: 'SEC001', message: `Forbidden: looks like ${hit[1]}` });
        } else if (keyName && SECRET_KEY_NAME.test(keyName) && value.length > 0 && !/^(arn:|\$\{|\{\{)/.test(value)) {
          errs.push({
            path: path.replace(/^\./, ''),
            rule: 'SEC001',
            message: `Forbidden: "${keyName}" holds a literal value; pass secrets by reference`,
          });
        }
      }
      return errs;
    },
  },
  {
    id: 'DEL001',
    title: 'stateful resources are protected against deletion',
    check(o) {
      const obj = o.object;
      const stateful =
        isKind(obj, 'rds.aws.m.upbound.io', 'Cluster') ||
        isKind(obj, 'rds.aws.m.upbound.io', 'ClusterInstance') ||
        isKind(obj, 's3.aws.m.upbound.io', 'Bucket') ||
        isKind(obj, 'secretsmanager.aws.m.upbound.io', 'Secret') ||
        isKind(obj, 'secretsmanager.aws.m.upbound.io', 'SecretVersion');
      if (!stateful) return [];
      const errs: FieldError[] = [];
      const sync = String(obj.metadata?.annotations?.['argocd.argoproj.io/sync-options'] ?? '')
        .split(',')
        .map((s) => s.trim());
      if (!sync.includes('Prune=false') || !sync.includes('Delete=false')) {
        errs.push({
          path: 'metadata.annotations',
          rule: 'DEL001',
          message: 'Forbidden: argocd.argoproj.io/sync-options must include Prune=false and Delete=false',
        });
      }
      const policies: string[] = obj.spec?.managementPolicies ?? ['*'];
      if (policies.includes('*') || policies.includes('Delete')) {
        errs.push({
          path: 'spec.managementPolicies',
          rule: 'DEL001',
          message: `Forbidden: ${JSON.stringify(policies)} lets Crossplane delete the AWS resource; leave out Delete`,
        });
      }
      if (
        isKind(obj, 'rds.aws.m.upbound.io', 'Cluster') &&
        (fp(obj).deletionProtection !== true || fp(obj).skipFinalSnapshot !== false)
      ) {
        errs.push({
          path: 'spec.forProvider.deletionProtection',
          rule: 'DEL001',
          message: 'Forbidden: the cluster needs deletionProtection true and skipFinalSnapshot false',
        });
      }
      return errs;
    },
  },
  ADOPTION_RULE,
];

const RULE_IDS = new Set(RULES.map((r) => r.id));

/** Policy findings for one object, minus the ones it waives; unknown or unexplained waivers are findings too. */
export function policyErrors(o: SourcedObject, index: ObjectIndex): FieldError[] {
  const annotations: Record<string, string> = o.object?.metadata?.annotations ?? {};
  const waived = new Set<string>();
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(annotations)) {
    if (!k.startsWith(EXCEPTION_PREFIX)) continue;
    const id = k.slice(EXCEPTION_PREFIX.length);
    if (!RULE_IDS.has(id)) {
      errs.push({
        path: `metadata.annotations[${JSON.stringify(k)}]`,
        rule: 'POL000',
        message: `Invalid value: "${id}": no such policy rule (rules: ${[...RULE_IDS].join(', ')})`,
      });
    } else if (String(v).trim().length < 10) {
      errs.push({
        path: `metadata.annotations[${JSON.stringify(k)}]`,
        rule: 'POL000',
        message: 'Invalid value: an exception needs a reason of at least 10 characters',
      });
    } else {
      waived.add(id);
    }
  }
  for (const rule of RULES) {
    const found = rule.check(o, index);
    if (!waived.has(rule.id)) {
      errs.push(...found);
    } else if (found.length === 0) {
      errs.push({
        path: `metadata.annotations[${JSON.stringify(EXCEPTION_PREFIX + rule.id)}]`,
        rule: 'POL000',
        message: `Invalid value: the exception waives nothing; ${rule.id} passes without it, remove it`,
      });
    }
  }
  return errs;
}
