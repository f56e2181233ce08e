import { type Adoption, type AdoptedResource, KEPT_SECRET_KEY_PREFIX } from '../config/adoption';
import type { EnvironmentConfig } from '../config/types';
import { Drift, driftOf } from './drift';
import { Desired, RULE_BY_KIND } from './kinds';
import { Candidate, Matching } from './match';
import type { ParsedState } from './state';

/** One configuration value that makes our desired spec equal to what runs. */
export interface SettingOffer {
  /** Setting of the environment in config/environments.yaml, e.g. `network.vpcCidr`. */
  readonly setting: string;
  readonly value: unknown;
  readonly current: unknown;
  /** True when the provider cannot change the field in place, so the setting must follow the state. */
  readonly required: boolean;
}

export interface ReportResource {
  readonly resource: string;
  readonly action: 'adopt' | 'lookup' | 'create';
  readonly externalName?: string;
  readonly terraform?: string;
  readonly matchedBy?: string;
  /** Where provider-upjet-aws defines the external name. */
  readonly citation: string;
  readonly reason?: string;
}

export interface ReportDrift extends Drift {
  readonly resource: string;
  readonly terraform: string;
  readonly setting?: string;
}

export interface Lookup {
  readonly resources: readonly string[];
  /** Read-only AWS CLI command printing the ids. */
  readonly command: string;
  /** How to hand its output to this tool. */
  readonly input: string;
}

/**
 * The secret a kept database password is in, and how the user checks that its value has the shape our tasks read
 * (RDS-managed secrets are JSON `{"username", "password"}`), without printing the value.
 */
export interface DatabaseSecretCheck {
  /** Our managed resource, `secretsmanager.aws.m.upbound.io/Secret/<name>`. */
  readonly resource: string;
  readonly arn: string;
  /** What the state tells of the value; `secret_string` itself is sensitive and never read here. */
  readonly holds: string;
  /** Read-only AWS CLI commands: the value's JSON keys (never the value), and the key that encrypts it. */
  readonly checks: readonly string[];
  /** What the first check must print. */
  readonly expected: string;
  /** What to do when it prints anything else. */
  readonly ifDifferent: readonly string[];
}

export interface StateRmStep {
  readonly step: string;
  readonly checks: readonly string[];
  readonly commands: readonly string[];
}

/** What `npm run adopt` found and decided for one environment (`--report` writes it as JSON). */
export interface AdoptionReport {
  readonly environment: string;
  readonly namespace: string;
  readonly state: { readonly file: string; readonly format: string; readonly resources: number };
  readonly phase: Adoption['phase'];
  readonly keepDatabasePassword: boolean;
  /** With keepDatabasePassword: the adopted secret and the check of its shape. */
  readonly databaseSecret?: DatabaseSecretCheck;
  readonly resources: readonly ReportResource[];
  readonly drift: readonly ReportDrift[];
  readonly settings: readonly SettingOffer[];
  readonly leftAlone: ReadonlyArray<{ readonly terraform: string; readonly type: string; readonly what: string }>;
  readonly lookups: readonly Lookup[];
  readonly deliberate: ReadonlyArray<{ readonly what: string; readonly decision: string }>;
  readonly stateRm: readonly StateRmStep[];
}

const UPJET = 'provider-upjet-aws v2.6.0';

/** What happens to a state resource we do not emit, by Terraform type. */
function leftAloneWhy(c: Candidate): string {
  if (c.inlineIn && c.type.startsWith('aws_vpc_security_group')) {
    return (
      'rule stays in AWS untouched: the SecurityGroup resource does not manage inline rules (' +
      `${UPJET} config/namespaced/ec2/config.go:203-205); revoke it by hand if it is not wanted`
    );
  }
  if (c.inlineIn) {
    return `route stays in AWS untouched: RouteTable does not manage inline routes (${UPJET} config/namespaced/ec2/config.go:308-310)`;
  }
  switch (c.type) {
    case 'random_password':
      return 'not an AWS resource; the password it generated is the one Aurora and the secret hold, and it stays';
    case 'aws_secretsmanager_secret':
      return 'not read by our tasks (the cluster does not keep the password Terraform generated): kept in AWS, left alone';
    case 'aws_secretsmanager_secret_version':
      return (
        'holds the password value: kept in AWS, left alone, never adopted (a SecretVersion takes its value from a ' +
        `Kubernetes Secret, ${UPJET} package/crds/secretsmanager.aws.m.upbound.io_secretversions.yaml:170, which ` +
        'would copy the password into the management cluster); our tasks read it through the adopted secret'
      );
    case 'aws_iam_role_policy_attachment':
      return `stays attached: the Role does not manage attachments it was not given (${UPJET} config/namespaced/iam/config.go:33,36-38)`;
    case 'aws_iam_role_policy':
      return 'inline policy stays on the role; ours is added beside it; delete it by hand once ours is in place';
    case 'aws_ecr_repository':
      return 'left alone: environments pull from the shared platform repository (ADR 0003); delete it by hand when unused';
    default:
      return 'left alone: we do not emit it and Crossplane never touches it';
  }
}

/** Why creating one of ours anew is safe, by kind. */
function createWhy(d: Desired, reason: string): string {
  const notes: Record<string, string> = {
    'sns.aws.m.upbound.io/Topic': 'a new alarm topic; adds, changes nothing that runs',
    'cloudwatch.aws.m.upbound.io/MetricAlarm': 'a new alarm; reads metrics, changes nothing that runs',
    'ssm.aws.m.upbound.io/Parameter': 'a new parameter holding a late-bound value for the task; nothing reads it yet',
    'ec2.aws.m.upbound.io/SecurityGroupEgressRule':
      'a rule added to the adopted group; it only opens what our model needs',
    'ec2.aws.m.upbound.io/SecurityGroupIngressRule':
      'a rule added to the adopted group; it only opens what our model needs',
    'iam.aws.m.upbound.io/RolePolicy': 'an inline policy added to the adopted role beside the existing ones',
  };
  const note = notes[`${d.group}/${d.kind}`];
  return note ? `${reason}; ${note}` : reason;
}

/** The setting of config/environments.yaml a drifted field comes from, and the value that makes it match. */
function settingFor(d: Desired, field: string, state: unknown, env: EnvironmentConfig): [string, unknown] | undefined {
  const kind = `${d.group}/${d.kind}`;
  const f = field.replace('spec.forProvider.', '');
  const zone = env.availabilityZones.indexOf(d.forProvider.availabilityZone);
  if (f === 'tags.Environment') return ['environmentTag', state];
  switch (`${kind}:${f}`) {
    case 'ec2.aws.m.upbound.io/VPC:cidrBlock':
      return ['network.vpcCidr', state];
    case 'ec2.aws.m.upbound.io/Subnet:cidrBlock':
      return [`network.${d.forProvider.mapPublicIpOnLaunch ? 'public' : 'private'}SubnetCidrs[${zone}]`, state];
    case 'ec2.aws.m.upbound.io/Subnet:availabilityZone':
    case 'rds.aws.m.upbound.io/ClusterInstance:availabilityZone':
      return [`availabilityZones[${zone}]`, state];
    case 'rds.aws.m.upbound.io/Cluster:engineVersion':
      return ['database.engineVersion', state];
    case 'rds.aws.m.upbound.io/Cluster:backupRetentionPeriod':
      return ['database.backupRetentionDays', Number(state)];
    case 'rds.aws.m.upbound.io/Cluster:preferredBackupWindow':
      return ['database.preferredBackupWindow', state];
    case 'rds.aws.m.upbound.io/Cluster:databaseName':
      return ['database.databaseName', state];
    case 'rds.aws.m.upbound.io/Cluster:masterUsername':
      return ['database.masterUsername', state];
    case 'rds.aws.m.upbound.io/Cluster:deletionProtection':
      return ['database.deletionProtection', state];
    case 'rds.aws.m.upbound.io/ClusterInstance:instanceClass':
      return ['database.instanceClass', state];
    case 'cloudwatchlogs.aws.m.upbound.io/Group:retentionInDays':
      return ['service.logRetentionDays', Number(state)];
    case 'appautoscaling.aws.m.upbound.io/Target:minCapacity':
      return ['service.minCapacity', Number(state)];
    case 'appautoscaling.aws.m.upbound.io/Target:maxCapacity':
      return ['service.maxCapacity', Number(state)];
    case 'ecs.aws.m.upbound.io/Service:desiredCount':
      return ['service.desiredCount', Number(state)];
    case 'elbv2.aws.m.upbound.io/LBTargetGroup:healthCheck.path':
      return ['loadBalancer.healthCheckPath', state];
    case 'elbv2.aws.m.upbound.io/LBTargetGroup:healthCheck.interval':
      return ['loadBalancer.healthCheckIntervalSeconds', Number(state)];
    case 'elbv2.aws.m.upbound.io/LBTargetGroup:healthCheck.unhealthyThreshold':
      return ['loadBalancer.unhealthyThreshold', Number(state)];
    case 'elbv2.aws.m.upbound.io/LBListener:port':
      return ['loadBalancer.listenerPort', Number(state)];
    default:
      return undefined;
  }
}

function getSetting(env: EnvironmentConfig, setting: string): unknown {
  return setting
    .split(/[.[\]]/)
    .filter(Boolean)
    .reduce<any>((node, k) => (node == null ? undefined : node[/^\d+$/.test(k) ? Number(k) : k]), env);
}

/** Order of `terraform state rm`: what depends on others first, the data last. */
const RM_STEPS: ReadonlyArray<[string, readonly string[]]> = [
  [
    'service',
    [
      'aws_appautoscaling_policy',
      'aws_appautoscaling_target',
      'aws_ecs_service',
      'aws_ecs_task_definition',
      'aws_ecs_cluster_capacity_providers',
      'aws_ecs_cluster',
      'aws_cloudwatch_log_group',
      'aws_iam_role_policy',
      'aws_iam_role_policy_attachment',
      'aws_iam_role',
      'aws_ecr_repository',
    ],
  ],
  [
    'edge',
    [
      'aws_cloudfront_distribution',
      'aws_lb_listener',
      'aws_lb_target_group',
      'aws_lb',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
    ],
  ],
  [
    'network',
    [
      'aws_vpc_security_group_ingress_rule',
      'aws_vpc_security_group_egress_rule',
      'aws_security_group_rule',
      'aws_route',
      'aws_route_table_association',
      'aws_route_table',
      'aws_nat_gateway',
      'aws_eip',
      'aws_internet_gateway',
      'aws_security_group',
      'aws_subnet',
      'aws_vpc',
    ],
  ],
  [
    'data',
    [
      'aws_rds_cluster_instance',
      'aws_rds_cluster',
      'aws_db_subnet_group',
      'aws_secretsmanager_secret_version',
      'aws_secretsmanager_secret',
      'random_password',
      'aws_s3_bucket',
    ],
  ],
];

const quote = (address: string) => `'${address.replace(/'/g, `'\\''`)}'`;

function stateRmSteps(state: ParsedState, namespace: string, stateful: readonly string[]): StateRmStep[] {
  const placed = new Set<string>();
  const steps: StateRmStep[] = [];
  const byType = (t: string) =>
    state.resources
      .filter((r) => r.type === t)
      .map((r) => r.address)
      .sort();
  for (const [step, types] of RM_STEPS) {
    const addresses = types.flatMap(byType);
    addresses.forEach((a) => placed.add(a));
    const checks = [
      `phase is manage and every managed resource is Synced and Ready: kubectl -n ${namespace} get managed`,
      'the previous step left `terraform plan` with no change to what is still in the state: terraform plan',
    ];
    if (step === 'data') {
      checks.push(
        ...stateful.map(
          (k) =>
            `${k} keeps its AWS resource when deleted (no Delete): kubectl -n ${namespace} get ${k} -o jsonpath='{.spec.managementPolicies}'`,
        ),
        ...state.resources
          .filter((r) => r.type === 'aws_rds_cluster')
          .map(
            (r) =>
              `a recent snapshot exists: aws rds describe-db-cluster-snapshots --db-cluster-identifier ${r.attributes.cluster_identifier} --max-items 1`,
          ),
      );
    }
    steps.push({ step, checks, commands: addresses.map((a) => `terraform state rm ${quote(a)}`) });
  }
  const rest = state.resources
    .map((r) => r.address)
    .filter((a) => !placed.has(a))
    .sort();
  if (rest.length > 0) {
    steps.push({
      step: 'everything else',
      checks: ['nothing in the state is still needed by Terraform: terraform state list'],
      commands: rest.map((a) => `terraform state rm ${quote(a)}`),
    });
  }
  steps.push({
    step: 'verify',
    checks: ['the state is empty, so `terraform destroy` cannot touch any resource: terraform state list'],
    commands: ['terraform state list', 'terraform plan -destroy'],
  });
  return steps;
}

/** What the running task definitions in the state read from the secret `arn`: the JSON keys of `valueFrom`. */
function keysReadFrom(state: ParsedState, arn: string): string[] {
  const keys = new Set<string>();
  for (const r of state.resources.filter((x) => x.type === 'aws_ecs_task_definition')) {
    let containers: any[] = [];
    try {
      containers = JSON.parse(String(r.attributes.container_definitions ?? '[]'));
    } catch {
      continue;
    }
    for (const c of containers) {
      for (const s of c?.secrets ?? []) {
        // <secret arn>:<json key>:<version stage>:<version id> (ECS secrets, Secrets Manager valueFrom)
        const from = String(s?.valueFrom ?? '');
        if (from.startsWith(`${arn}:`)) keys.add(from.slice(arn.length + 1).split(':')[0] || '(whole value)');
      }
    }
  }
  return [...keys].sort();
}

/** The adopted secret of a kept password and the read-only check of its value's shape. */
function databaseSecretCheck(input: ReportInput, file: Record<string, AdoptedResource>): DatabaseSecretCheck {
  const [resource, entry] = Object.entries(file).find(([k]) => k.startsWith(KEPT_SECRET_KEY_PREFIX))!;
  const arn = entry.externalName!;
  const region = input.env.region;
  const cluster = [...input.matching.outcomes].find(([k]) => k.startsWith('rds.aws.m.upbound.io/Cluster/'))?.[1];
  const username = String(
    (cluster?.action === 'adopt' && cluster.state.attributes.master_username) || input.env.database.masterUsername,
  );
  const read = keysReadFrom(input.state, arn);
  const get = `aws secretsmanager get-secret-value --region ${region} --secret-id ${arn} --query SecretString --output text`;
  return {
    resource,
    arn,
    holds:
      (read.length > 0
        ? `a JSON object with the key(s) ${read.join(', ')}: the running task definition reads ${read.map((k) => `${arn}:${k}::`).join(', ')}`
        : 'unknown: no task definition in the state reads it') +
      '; whether it also holds username the state cannot say (secret_string is sensitive and not read here)',
    checks: [
      `${get} | jq -r 'if type == "object" then keys | join(",") else "not a JSON object" end'`,
      `aws secretsmanager describe-secret --region ${region} --secret-id ${arn} --query '{key: KmsKeyId, stages: VersionIdsToStages}'`,
    ],
    expected:
      'the first prints password,username (other keys may come too); the second shows no key (aws/secretsmanager)',
    ifDifferent: [
      `password without username: add the username and keep the password, as a new version (the seed's tasks read only the password key and keep working; the previous version stays as AWSPREVIOUS): ${get} | jq -c --arg u ${username} '. + {username: $u}' | aws secretsmanager put-secret-value --region ${region} --secret-id ${arn} --secret-string file:///dev/stdin --query VersionId; to undo, move AWSCURRENT back: aws secretsmanager update-secret-version-stage --region ${region} --secret-id ${arn} --version-stage AWSCURRENT --move-to-version-id <previous> --remove-from-version-id <new>`,
      'no password key, or not a JSON object: our tasks cannot read it; stay in observe (the running tasks keep serving) and do not set phase manage until the check prints password,username',
      'a key in describe-secret: a customer managed key the task role has no grant on; stay in observe (adopt refuses such a secret when the state names its key)',
    ],
  };
}

export interface ReportInput {
  readonly env: EnvironmentConfig;
  readonly namespace: string;
  readonly stateFile: string;
  readonly state: ParsedState;
  readonly desired: readonly Desired[];
  readonly matching: Matching;
  readonly phase: Adoption['phase'];
}

/** The report and the adoption file's resources for one environment. */
export function buildReport(input: ReportInput): {
  report: AdoptionReport;
  resources: Record<string, AdoptedResource>;
} {
  const { env, matching, desired } = input;
  const resources: ReportResource[] = [];
  const file: Record<string, AdoptedResource> = {};
  const drift: ReportDrift[] = [];
  const lookupKeys: string[] = [];
  const lookupGroups = new Set<string>();
  let clusterKeepsPassword = false;
  for (const d of [...desired].sort((a, b) => a.key.localeCompare(b.key))) {
    const o = matching.outcomes.get(d.key)!;
    const rule = RULE_BY_KIND.get(`${d.group}/${d.kind}`);
    const citation = rule?.citation ?? '';
    if (o.action === 'adopt') {
      const terraform = o.state.inlineIn ?? o.state.address;
      resources.push({
        resource: d.key,
        action: 'adopt',
        externalName: o.externalName,
        terraform,
        matchedBy: o.by,
        citation,
      });
      file[d.key] = { externalName: o.externalName, terraform };
      const keepsPassword =
        d.kind === 'Cluster' &&
        d.group === 'rds.aws.m.upbound.io' &&
        o.state.attributes.manage_master_user_password !== true;
      if (!o.state.inlineIn && !o.state.needsLookup && o.state.address !== '(not in state)') {
        for (const x of driftOf(d, o.state)) {
          // a kept password moves manageMasterUserPassword to initProvider (apply.ts): never applied to the cluster
          if (keepsPassword && x.field === 'spec.forProvider.manageMasterUserPassword') continue;
          const s = x.class === 'model-only' ? undefined : settingFor(d, x.field, x.state, env);
          drift.push({ ...x, resource: d.key, terraform: o.state.address, ...(s ? { setting: s[0] } : {}) });
        }
      }
      if (d.kind === 'Cluster' && d.group === 'rds.aws.m.upbound.io') clusterKeepsPassword = keepsPassword;
    } else if (o.action === 'lookup') {
      const sg = String(o.state.attributes.security_group_id);
      lookupGroups.add(sg);
      lookupKeys.push(d.key);
      const command = `aws ec2 describe-security-group-rules --region ${env.region} --filters Name=group-id,Values=${sg} --output json`;
      resources.push({
        resource: d.key,
        action: 'lookup',
        terraform: o.state.inlineIn ?? o.state.address,
        matchedBy: o.by,
        citation,
        reason: command,
      });
      file[d.key] = { lookup: command };
    } else {
      const reason = createWhy(d, o.reason);
      resources.push({ resource: d.key, action: 'create', citation, reason });
      file[d.key] = { create: reason };
    }
  }

  const settings = new Map<string, SettingOffer>();
  for (const x of drift) {
    if (!x.setting) continue;
    const d = desired.find((o) => o.key === x.resource)!;
    const [setting, value] = settingFor(d, x.field, x.state, env)!;
    const prior = settings.get(setting);
    settings.set(setting, {
      setting,
      value,
      current: getSetting(env, setting),
      required: (prior?.required ?? false) || x.class === 'follow-state',
    });
  }

  const lookups: Lookup[] =
    lookupGroups.size === 0
      ? []
      : [
          {
            resources: lookupKeys,
            command: `aws ec2 describe-security-group-rules --region ${env.region} --filters Name=group-id,Values=${[...lookupGroups].sort().join(',')} --output json > sg-rules.json`,
            input: `npm run adopt -- --state ${input.stateFile} --suffix ${env.suffix} --lookup sg-rules.json`,
          },
        ];

  const deliberate = [
    {
      what: 'security group rules (inline ingress/egress blocks or aws_security_group_rule) → SecurityGroupIngressRule/EgressRule',
      decision:
        'matched by group, direction, protocol, ports and peer; the provider names them by their sgr- id, which the ' +
        'state does not hold for inline rules or aws_security_group_rule: looked up with the read-only ' +
        '`aws ec2 describe-security-group-rules` and passed with --lookup; rules we need that AWS lacks are created',
    },
    {
      what: 'random_password + aws_secretsmanager_secret(_version) → manageMasterUserPassword',
      decision: clusterKeepsPassword
        ? 'the cluster keeps the password Terraform generated (keepDatabasePassword): manageMasterUserPassword is ' +
          'set only in initProvider, which the provider uses on create, so RDS never generates a new password. ' +
          'The secret Terraform keeps it in is adopted Observe-only in every phase (read, never changed or deleted; ' +
          'its version, which holds the value, is never adopted); its ARN feeds DB_SECRET_ARN through the same SSM ' +
          'parameter an RDS-managed secret would, and the task role may read exactly that secret. Check the shape ' +
          'of its value before manage (see "database password secret"). Moving to an RDS-managed password is a ' +
          'separate, deliberate step that changes the password (README runbook, step 7)'
        : 'the cluster already uses an RDS-managed password: kept',
    },
    {
      what: 'routes (aws_route or inline route blocks) → Route',
      decision:
        'external name <route table id>_<destination CIDR>, built from the state for both shapes (route(), ' +
        `${UPJET} config/externalname.go:3154-3171); nothing to look up`,
    },
    {
      what: 'aws_ecs_task_definition → TaskDefinition',
      decision: 'created anew: revisions are immutable; the running revision serves until the service moves on manage',
    },
  ];

  const stateful = [
    ...new Set(
      desired
        .filter((d) => {
          const rule = RULE_BY_KIND.get(`${d.group}/${d.kind}`);
          return rule?.stateful || rule?.observeOnly !== undefined;
        })
        .map((d) => `${d.kind.toLowerCase()}.${d.group}`),
    ),
  ];
  const report: AdoptionReport = {
    environment: env.suffix,
    namespace: input.namespace,
    state: { file: input.stateFile, format: input.state.format, resources: input.state.resources.length },
    phase: input.phase,
    keepDatabasePassword: clusterKeepsPassword,
    ...(clusterKeepsPassword ? { databaseSecret: databaseSecretCheck(input, file) } : {}),
    resources,
    drift,
    settings: [...settings.values()].sort((a, b) => a.setting.localeCompare(b.setting)),
    leftAlone: matching.unmatched
      .map((c) => ({ terraform: c.address, type: c.type, what: leftAloneWhy(c) }))
      .sort((a, b) => a.terraform.localeCompare(b.terraform)),
    lookups,
    deliberate,
    stateRm: stateRmSteps(input.state, input.namespace, stateful),
  };
  return { report, resources: file };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

const show = (v: unknown) => (v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));
const short = (v: unknown) => {
  const s = show(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** The report as the readable tables `npm run adopt` prints. */
export function formatReport(r: AdoptionReport): string[] {
  const out: string[] = [];
  const count = (a: string) => r.resources.filter((x) => x.action === a).length;
  out.push(
    `adoption of ${r.environment} (${r.namespace}) from ${r.state.file} (${r.state.format}, ${r.state.resources} resources), phase ${r.phase}`,
    `${count('adopt')} adopted, ${count('create')} created anew, ${count('lookup')} to look up, ${r.leftAlone.length} in the state left alone, ${r.drift.length} drifted fields`,
    '',
    'resources',
    ...table([
      ['resource', 'action', 'external name / why', 'terraform'],
      ...r.resources.map((x) => [x.resource, x.action, x.externalName ?? x.reason ?? '', x.terraform ?? '-']),
    ]),
  );
  out.push('', 'drift (state → desired)');
  out.push(
    ...(r.drift.length === 0
      ? ['none']
      : table([
          ['resource', 'field', 'state', 'desired', 'class', 'setting'],
          ...r.drift.map((x) => [x.resource, x.field, short(x.state), short(x.desired), x.class, x.setting ?? '-']),
        ])),
  );
  if (r.settings.length > 0) {
    out.push(
      '',
      'settings that make the environment match what runs (environments[' +
        r.environment +
        '] in config/environments.yaml)',
    );
    out.push(
      ...table([
        ['setting', 'value', 'now', 'needed'],
        ...r.settings.map((s) => [
          s.setting,
          show(s.value),
          show(s.current),
          s.required ? 'required (ForceNew)' : 'optional (else changed in place)',
        ]),
      ]),
    );
  }
  if (r.lookups.length > 0) {
    out.push('', 'look up (read-only), then run adopt again with the result');
    for (const l of r.lookups) out.push(`  ${l.command}`, `  ${l.input}`);
  }
  if (r.leftAlone.length > 0) {
    out.push('', 'in the state, not emitted by us');
    out.push(...table([['terraform', 'what happens'], ...r.leftAlone.map((x) => [x.terraform, x.what])]));
  }
  if (r.databaseSecret) {
    const d = r.databaseSecret;
    out.push('', 'database password secret (kept from Terraform, observed only)');
    out.push(`  ${d.resource}: ${d.arn}`, `  holds: ${d.holds}`);
    d.checks.forEach((c) => out.push(`  check (read-only, prints no value): ${c}`));
    out.push(`  expected: ${d.expected}`);
    d.ifDifferent.forEach((c) => out.push(`  if different: ${c}`));
  }
  out.push('', 'deliberate mappings');
  for (const d of r.deliberate) out.push(`  ${d.what}: ${d.decision}`);
  out.push('', 'after manage has converged: take everything out of terraform state, in this order');
  for (const s of r.stateRm) {
    out.push(`  ${s.step}:`);
    s.checks.forEach((c) => out.push(`    check: ${c}`));
    s.commands.forEach((c) => out.push(`    ${c}`));
  }
  return out;
}
