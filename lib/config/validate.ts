import * as ipaddr from 'ipaddr.js';
import { environmentNames, limitedNames } from '../common/names';
import { ConfigProblem, count } from './errors';
import { OTHER_PARTITIONS, REGIONS } from './regions';
import { EnvironmentConfig, RegistryConfig } from './types';

type Cidr = [ipaddr.IPv4, number];

const SUFFIX = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ACCOUNT = /^\d{12}$/;
/** An IAM role of the commercial partition, the only one the stack is written for (regions.ts). */
export const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/;
/** Values CloudWatch Logs accepts for retentionInDays. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** Fargate task sizes: cpu units → allowed memory (MiB). */
const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
/** Aurora PostgreSQL major versions still offered for new clusters; minor versions must be `<major>.<minor>`. */
const AURORA_PG = /^(1[3-7])\.\d{1,2}$/;
const DB_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const DB_USER = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const RESERVED_DB_USERS = ['postgres', 'rdsadmin', 'admin', 'root'];
const BACKUP_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) {
    out.push(v);
  }
  return out;
}

function parseCidr(value: string): Cidr | string {
  // ipaddr.js also accepts inet_aton's short forms (`10.0.0` for 10.0.0.0); AWS does not
  const [address, prefix] = value.split('/');
  if (
    !ipaddr.IPv4.isValidFourPartDecimal(address ?? '') ||
    !/^\d{1,2}$/.test(prefix ?? '') ||
    !ipaddr.IPv4.isValidCIDR(value)
  ) {
    return 'is not an IPv4 CIDR block';
  }
  const [addr, bits] = ipaddr.IPv4.parseCIDR(value);
  const network = ipaddr.IPv4.networkAddressFromCIDR(value);
  if (network.toString() !== addr.toString()) {
    return `has host bits set: the network address of /${bits} is ${network.toString()}`;
  }
  return [addr, bits];
}

function contains(outer: Cidr, inner: Cidr): boolean {
  return inner[1] >= outer[1] && inner[0].match(outer);
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return a[0].match(b) || b[0].match(a);
}

/**
 * Tags that name a moving target by convention: a tag like these is re-pushed for every build, so a running service
 * would never notice a new image (ECS resolves a tag only when it starts a task). Compared case-insensitively.
 */
export const MUTABLE_TAGS = [
  'latest',
  'stable',
  'main',
  'master',
  'trunk',
  'head',
  'dev',
  'develop',
  'development',
  'edge',
  'nightly',
  'current',
  'release',
  'prod',
  'production',
  'staging',
  'test',
  'canary',
  'preview',
  'beta',
  'alpha',
  'snapshot',
  'unstable',
  'lts',
];
/** A content digest as ECR and the OCI distribution spec write it. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const SET_IMAGE = 'npm run set-image -- <suffix> <tag-or-digest>';

function tagProblem(tag: string): string | undefined {
  if (!TAG.test(tag)) {
    return 'is not a valid image tag';
  }
  if (MUTABLE_TAGS.includes(tag.toLowerCase())) {
    return 'names a moving tag: a service never rolls out a new image pushed under the same tag';
  }
  return undefined;
}

/**
 * Checks what an environment runs: `imageTag` (a tag or digest in the shared repository) or `image` (a full
 * reference elsewhere). Both must pin one image: a digest, or a tag that is not a moving name like `latest`.
 * Settings in the returned problems are relative to the environment.
 */
export function imageProblems(image: string | undefined, imageTag: string | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (image !== undefined) {
    const m = /^([a-z0-9]+(?:[._\-/:][a-z0-9]+)*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(image);
    const tagged = m?.[2];
    const digest = m?.[3];
    if (!m) {
      problems.push({
        setting: 'service.image',
        value: image,
        problem: 'is not a container image reference',
        fix: 'use registry/repository@sha256:<digest> or registry/repository:<immutable-tag>',
      });
    } else if (!digest && !tagged) {
      problems.push({
        setting: 'service.image',
        value: image,
        problem: 'has no tag or digest, which means latest: a service never rolls out a new image pushed under it',
        fix: 'pin it: registry/repository@sha256:<digest> (preferred) or :<immutable-tag>',
      });
    } else if (!digest && tagged && tagProblem(tagged)) {
      problems.push({
        setting: 'service.image',
        value: image,
        problem: tagProblem(tagged)!,
        fix: 'pin it: registry/repository@sha256:<digest> (preferred) or a tag each build gets anew (version, commit)',
      });
    }
    return problems;
  }
  if (imageTag === undefined) {
    problems.push({
      setting: 'service.imageTag',
      value: undefined,
      problem: 'is required: no image is known for this environment',
      fix: `push the image from the application's CI and record it with ${SET_IMAGE} (or set service.imageTag in defaults)`,
    });
  } else if (!DIGEST.test(imageTag)) {
    const p = tagProblem(imageTag);
    if (p) {
      problems.push({
        setting: 'service.imageTag',
        value: imageTag,
        problem: p,
        fix: `use the digest (sha256:<64 hex>) or a tag each build gets anew (version, commit), e.g. ${SET_IMAGE}`,
      });
    }
  }
  return problems;
}

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Checks the top-level `registry` settings (the shared image repository). */
export function validateRegistry(r: RegistryConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!REPOSITORY_NAME.test(r.name) || r.name.length < 2 || r.name.length > 256) {
    problems.push({
      setting: 'registry.name',
      value: r.name,
      problem: 'is not an ecr repository name',
      fix: 'use 2 to 256 lower-case letters, digits, and . _ - / between them, e.g. catalog-api',
    });
  }
  if (!Object.hasOwn(REGIONS, r.region)) {
    problems.push({
      setting: 'registry.region',
      value: r.region,
      problem: 'is not a region of the commercial aws partition',
      fix: `use one of ${Object.keys(REGIONS).join(', ')}`,
    });
  }
  return problems;
}

/**
 * Tags the stack puts on every resource it tags (lib/common/context.ts, `tags()`), after the user's `tags`: a user tag
 * with one of these keys would be overwritten. AWS tag keys are case-sensitive, so only these exact keys collide.
 */
export const STACK_TAGS: Readonly<Record<string, string>> = {
  Environment: 'environmentTag',
  Project: 'catalog-api',
  EnvironmentSuffix: 'the suffix',
  Name: 'the resource name',
};

const STACK_TAG_FIXES: Readonly<Record<string, string>> = {
  Environment: 'remove it and set environmentTag instead',
  Project: 'remove it, or use another key',
  EnvironmentSuffix: 'remove it, or use another key',
  Name: 'remove it, or use another key',
};

/** Semantic checks on a merged environment; `at` is the setting path prefix used in messages. */
export function validateEnvironment(env: EnvironmentConfig, at: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (setting: string, value: unknown, problem: string, fix: string) =>
    problems.push({ setting: `${at}.${setting}`, value, problem, fix });

  if (!SUFFIX.test(env.suffix) || env.suffix.includes('--')) {
    add(
      'suffix',
      env.suffix,
      'is not valid in kubernetes and aws names',
      'use lower-case letters, digits and single hyphens, starting and ending with a letter or digit (e.g. pr5706)',
    );
  } else {
    for (const [name, rule] of limitedNames(environmentNames(env.suffix, env.accountId))) {
      if (name.length > rule.max || name.length < (rule.min ?? 1)) {
        add(
          'suffix',
          env.suffix,
          `makes the ${rule.what} '${name}' ${count(name.length, 'character')} long, over the limit of ${rule.max}`,
          `shorten the suffix by at least ${count(name.length - rule.max, 'character')}`,
        );
      }
    }
  }
  if (!ACCOUNT.test(env.accountId)) {
    add(
      'accountId',
      env.accountId,
      'is not a 12-digit aws account id',
      'set accountId to the 12 digits of the target account, quoted as a string',
    );
  }
  if (env.profile === 'production' && !env.deployRoleArn) {
    add(
      'deployRoleArn',
      env.deployRoleArn,
      'is required for a production environment',
      'set deployRoleArn to the iam role arn the providers assume for this environment',
    );
  }
  if (env.deployRoleArn !== undefined && !ROLE_ARN.test(env.deployRoleArn)) {
    add('deployRoleArn', env.deployRoleArn, 'is not an iam role arn', 'use arn:aws:iam::<account-id>:role/<name>');
  }
  if (!Object.hasOwn(REGIONS, env.region)) {
    const partition = OTHER_PARTITIONS.find(([re]) => re.test(env.region))?.[1];
    add(
      'region',
      env.region,
      partition
        ? `is in the ${partition} partition; the stack is written for the commercial aws partition (arns, the cloudfront metrics region us-east-1, elb log delivery)`
        : 'is not an aws region of the commercial partition',
      `use one of ${Object.keys(REGIONS).join(', ')}`,
    );
  }

  const regionKnown = Object.hasOwn(REGIONS, env.region);
  const azs = env.availabilityZones;
  if (azs.length < 2) {
    add(
      'availabilityZones',
      azs,
      'needs at least 2 zones (the load balancer and the database subnet group need two)',
      'list two zones of the region, e.g. [eu-north-1a, eu-north-1b]',
    );
  }
  azs.forEach((az, i) => {
    // zones of a region that does not exist are not checked: the region's own error says what to fix
    if (regionKnown && !new RegExp(`^${env.region.replace(/[-]/g, '\\-')}[a-z]$`).test(az)) {
      add(
        `availabilityZones[${i}]`,
        az,
        `is not a zone of region ${env.region}`,
        `use ${env.region} followed by a zone letter, e.g. ${env.region}a`,
      );
    }
  });
  if (new Set(azs).size !== azs.length) {
    add('availabilityZones', azs, 'lists a zone twice', 'list each zone once');
  }

  const net = env.network;
  const vpc = parseCidr(net.vpcCidr);
  if (typeof vpc === 'string') {
    add('network.vpcCidr', net.vpcCidr, vpc, 'use an IPv4 network such as 10.0.0.0/16');
  } else if (vpc[1] < 16 || vpc[1] > 28) {
    add(
      'network.vpcCidr',
      net.vpcCidr,
      'has a prefix length outside /16../28, which aws requires for a vpc',
      'use a prefix between /16 and /28',
    );
  }
  const subnets: Array<[string, string, Cidr]> = [];
  for (const key of ['publicSubnetCidrs', 'privateSubnetCidrs'] as const) {
    const list = net[key];
    if (list.length !== azs.length) {
      add(
        `network.${key}`,
        list,
        `has ${list.length} ${list.length === 1 ? 'entry' : 'entries'} for ${count(azs.length, 'availability zone')}`,
        'give exactly one subnet per availability zone, in the same order',
      );
    }
    list.forEach((value, i) => {
      const setting = `network.${key}[${i}]`;
      const c = parseCidr(value);
      if (typeof c === 'string') {
        add(setting, value, c, 'use an IPv4 network such as 10.0.1.0/24');
        return;
      }
      if (c[1] < 16 || c[1] > 28) {
        add(
          setting,
          value,
          'has a prefix length outside /16../28, which aws requires for a subnet',
          'use a prefix between /16 and /28',
        );
      }
      if (typeof vpc !== 'string' && !contains(vpc, c)) {
        add(setting, value, `is outside the vpc ${net.vpcCidr}`, `choose a block inside ${net.vpcCidr}`);
      }
      for (const [otherSetting, otherValue, other] of subnets) {
        if (overlaps(c, other)) {
          add(
            setting,
            value,
            `overlaps ${otherSetting} (${otherValue})`,
            'give every subnet its own, non-overlapping block',
          );
        }
      }
      subnets.push([`${at}.${setting}`, value, c]);
    });
  }

  const db = env.database;
  if (!AURORA_PG.test(db.engineVersion)) {
    add(
      'database.engineVersion',
      db.engineVersion,
      'is not a supported aurora postgresql version',
      "use '<major>.<minor>' with major 13 to 17, e.g. '16.4' (quote it: 16.40 is not 16.4)",
    );
  }
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceClass)) {
    add(
      'database.instanceClass',
      db.instanceClass,
      'is not an rds instance class',
      'use a class such as db.t3.medium or db.r6g.large',
    );
  }
  if (!DB_NAME.test(db.databaseName)) {
    add(
      'database.databaseName',
      db.databaseName,
      'is not a valid postgresql database name',
      'start with a letter; use letters, digits and underscores, at most 63',
    );
  }
  if (!DB_USER.test(db.masterUsername) || RESERVED_DB_USERS.includes(db.masterUsername.toLowerCase())) {
    add(
      'database.masterUsername',
      db.masterUsername,
      'is not a valid or allowed master user name',
      `start with a letter; use letters, digits and underscores; not ${RESERVED_DB_USERS.join(', ')}`,
    );
  }
  if (db.backupRetentionDays < 1 || db.backupRetentionDays > 35) {
    add(
      'database.backupRetentionDays',
      db.backupRetentionDays,
      'is outside 1..35, the range aurora accepts',
      'use a number of days from 1 to 35',
    );
  }
  if (!BACKUP_WINDOW.test(db.preferredBackupWindow)) {
    add(
      'database.preferredBackupWindow',
      db.preferredBackupWindow,
      'is not a UTC window hh:mm-hh:mm',
      "use e.g. '02:00-03:00'",
    );
  }
  if (env.profile === 'production' && !db.deletionProtection) {
    add(
      'database.deletionProtection',
      db.deletionProtection,
      'is off in a production environment',
      'remove the override: production databases are protected',
    );
  }

  const svc = env.service;
  const memories = FARGATE_SIZES[svc.cpu];
  if (!memories) {
    add(
      'service.cpu',
      svc.cpu,
      'is not a fargate cpu size',
      `use one of ${Object.keys(FARGATE_SIZES).join(', ')} (1024 = 1 vCPU)`,
    );
  } else if (!memories.includes(svc.memory)) {
    add(
      'service.memory',
      svc.memory,
      `is not a fargate memory size for cpu ${svc.cpu}`,
      `use one of ${memories.join(', ')} MiB`,
    );
  }
  if (svc.minCapacity > svc.maxCapacity) {
    add(
      'service.minCapacity',
      svc.minCapacity,
      `is above service.maxCapacity (${svc.maxCapacity})`,
      'set minCapacity at or below maxCapacity',
    );
  }
  if (svc.desiredCount < svc.minCapacity || svc.desiredCount > svc.maxCapacity) {
    add(
      'service.desiredCount',
      svc.desiredCount,
      `is outside the scaling range ${svc.minCapacity}..${svc.maxCapacity}`,
      'set desiredCount between minCapacity and maxCapacity',
    );
  }
  if (!LOG_RETENTION_DAYS.includes(svc.logRetentionDays)) {
    add(
      'service.logRetentionDays',
      svc.logRetentionDays,
      'is not a retention cloudwatch logs accepts',
      `use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  problems.push(...imageProblems(svc.image, svc.imageTag).map((p) => ({ ...p, setting: `${at}.${p.setting}` })));
  const providers = svc.capacityProviderStrategy.map((s) => s.capacityProvider);
  if (new Set(providers).size !== providers.length) {
    add(
      'service.capacityProviderStrategy',
      providers,
      'names a capacity provider twice',
      'list each capacity provider once',
    );
  }
  if (svc.capacityProviderStrategy.filter((s) => s.base > 0).length > 1) {
    add(
      'service.capacityProviderStrategy',
      svc.capacityProviderStrategy,
      'sets base on more than one provider, which ecs rejects',
      'give base to one capacity provider only',
    );
  }
  if (svc.capacityProviderStrategy.every((s) => s.weight === 0)) {
    add(
      'service.capacityProviderStrategy',
      svc.capacityProviderStrategy,
      'has no provider with a weight above 0',
      'give at least one capacity provider a weight',
    );
  }
  for (const [key, value] of Object.entries(env.tags)) {
    const own = STACK_TAGS[key];
    if (own !== undefined) {
      add(
        `tags.${key}`,
        value,
        `cannot take effect: the stack sets the ${key} tag itself, to ${own}`,
        STACK_TAG_FIXES[key],
      );
    } else if (key.length > 128 || value.length > 256 || key.startsWith('aws:')) {
      add(
        `tags.${key}`,
        value,
        'is not a valid aws tag (key ≤128, value ≤256, no aws: prefix)',
        'shorten or rename the tag',
      );
    }
  }
  return problems;
}
