import { z } from 'zod';
import { ConfigProblem } from './errors';
import { DEFAULT_QUOTAS } from './quotas';
import { EnvironmentConfig, PlatformConfig } from './types';

/**
 * Pull-request previews: the top-level `previews` section of `config/environments.yaml`. Every open pull request
 * carrying the preview label gets environment `pr<number>` (the seed's `ENVIRONMENT_SUFFIX=pr<number>`), rendered
 * by the pull-request workflow to a branch of its own and generated as an Argo CD Application by the
 * `catalog-api-pull-requests` ApplicationSet. Nothing of a pull request is ever in `dist/`.
 */

/** Pull-request services the ApplicationSet's pullRequest generator can ask (Argo CD v3.5.1 generator fields). */
export const PREVIEW_PROVIDERS = ['github', 'gitlab', 'gitea'] as const;
export type PreviewProvider = (typeof PREVIEW_PROVIDERS)[number];

/** A Kubernetes Secret key in the `argocd` namespace holding the pull-request service's API token. */
export interface SecretKeyRef {
  readonly secretName: string;
  readonly key: string;
}

export interface PreviewsConfig {
  /** Which service lists the open pull requests. @default 'github' */
  readonly provider: PreviewProvider;
  /** Organization or user owning the repository; derived from `platform.repoURL` unless given. */
  readonly owner: string;
  /** Repository name; derived from `platform.repoURL` unless given. */
  readonly repo: string;
  /** API base URL (GitHub Enterprise, self-hosted GitLab, Gitea; required for Gitea). @default - the public service */
  readonly api?: string;
  /** Secret with an API token; needed for private repositories and to avoid anonymous rate limits. @default - none */
  readonly tokenRef?: SecretKeyRef;
  /** Only pull requests carrying this label get a preview (opt-in). @default 'preview' */
  readonly label: string;
  /** Rendered manifests of pull request n are on branch `<branchPrefix><n>`. @default 'previews/pr-' */
  readonly branchPrefix: string;
  /** How often Argo CD lists the pull requests, in seconds. @default 180 */
  readonly requeueAfterSeconds: number;
  /** Hours without a new commit after which the scheduled workflow removes the label. @default 72 */
  readonly ttlHours: number;
  /**
   * Previews that may exist at once; the workflow refuses to render more. @default - how many fit the AWS default
   * VPC, internet gateway, Elastic IP and NAT gateway quotas of the previews' account and region next to the
   * long-lived environments there (see {@link previewsThatFit})
   */
  readonly maxConcurrent: number;
  /** How many fit the default quotas, computed; `maxConcurrent` above it is allowed (quotas can be raised). */
  readonly quotaFit: number;
  /**
   * The environment every preview gets, built for pull request number {@link PROTOTYPE_NUMBER}: the seed's preview
   * profile (what `pr5706` was) plus `previews.environment`. Used for what previews need from the platform and Argo
   * CD (kinds, ignored fields); the workflow renders the same settings for the real number.
   */
  readonly prototype: EnvironmentConfig;
}

/** Pull request number of the prototype preview; the longest a number is expected to be, for the name limits. */
export const PROTOTYPE_NUMBER = 9999999;
export const previewSuffix = (n: number | string) => `pr${n}`;
/** Suffixes of pull-request previews (`pr<number>`). */
export const PREVIEW_SUFFIX = /^pr[0-9]+$/;

export const PREVIEWS_DEFAULTS = {
  provider: 'github' as PreviewProvider,
  label: 'preview',
  branchPrefix: 'previews/pr-',
  requeueAfterSeconds: 180,
  ttlHours: 72,
};

/** Shape of the `previews` section; `environment` is checked by the environment schema (passed in, no cycle). */
export const previewsSettings = (environmentSettings: z.ZodType) =>
  z.strictObject({
    provider: z.enum(PREVIEW_PROVIDERS).optional(),
    owner: z.string().min(1).optional(),
    repo: z.string().min(1).optional(),
    api: z.string().min(1).optional(),
    tokenRef: z.strictObject({ secretName: z.string().min(1), key: z.string().min(1) }).optional(),
    label: z.string().optional(),
    branchPrefix: z.string().optional(),
    requeueAfterSeconds: z.number().int().optional(),
    ttlHours: z.number().optional(),
    maxConcurrent: z.number().int().optional(),
    environment: environmentSettings.optional(),
  });

export type PreviewsSettings = {
  readonly provider?: PreviewProvider;
  readonly owner?: string;
  readonly repo?: string;
  readonly api?: string;
  readonly tokenRef?: SecretKeyRef;
  readonly label?: string;
  readonly branchPrefix?: string;
  readonly requeueAfterSeconds?: number;
  readonly ttlHours?: number;
  readonly maxConcurrent?: number;
  readonly environment?: unknown;
};

/** `owner` and `repo` of an https, ssh or scp-style git URL (`https://host/owner/repo.git`, `git@host:owner/repo`). */
export function ownerAndRepo(repoURL: string): { owner: string; repo: string } | undefined {
  const m = /^(?:https:\/\/|ssh:\/\/)(?:[^@/]+@)?[^/]+\/(.+)$/.exec(repoURL) ?? /^git@[^:]+:(.+)$/.exec(repoURL);
  const parts = m?.[1]
    .replace(/\.git$/, '')
    .replace(/\/$/, '')
    .split('/');
  if (!parts || parts.length < 2 || parts.some((p) => p === '')) return undefined;
  return { owner: parts.slice(0, -1).join('/'), repo: parts[parts.length - 1] };
}

/**
 * How many previews like `preview` fit the AWS default quotas (lib/config/quotas.ts: VPCs, internet gateways,
 * Elastic IPs per region, NAT gateways per zone) beside the long-lived environments in the same account and region.
 * With the seed (production `per-az` uses 2 of the 5 Elastic IPs, each preview 1) that is 3.
 */
export function previewsThatFit(preview: EnvironmentConfig, longLived: readonly EnvironmentConfig[]): number {
  const same = longLived.filter((e) => e.accountId === preview.accountId && e.region === preview.region);
  let fit = Number.MAX_SAFE_INTEGER;
  for (const q of DEFAULT_QUOTAS) {
    const used = new Map<string, number>();
    for (const e of same) for (const [k, n] of q.use(e)) used.set(k, (used.get(k) ?? 0) + n);
    for (const [k, n] of q.use(preview)) {
      if (n > 0) fit = Math.min(fit, Math.floor((q.defaultValue - (used.get(k) ?? 0)) / n));
    }
  }
  return Math.max(0, fit);
}

/** Git branch names we accept as a prefix: no spaces, `..`, `~^:?*[\`, no leading or trailing `/`. */
const BRANCH_PREFIX = /^(?!\/)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+$/;
/** A GitHub/GitLab/Gitea label: printable, no commas (the workflow passes it on a command line and in JSON). */
const LABEL = /^[^\s,][^,\n]{0,48}[^\s,]$|^[^\s,]$/;

/**
 * Resolves the `previews` section against the platform settings. Returns the settings and the problems, one per
 * bad setting (the caller formats them with the file name).
 */
export function resolvePreviews(
  given: PreviewsSettings | undefined,
  platform: PlatformConfig,
  prototype: EnvironmentConfig,
  longLived: readonly EnvironmentConfig[],
): { previews: PreviewsConfig; problems: ConfigProblem[] } {
  const s = given ?? {};
  const problems: ConfigProblem[] = [];
  const derived = ownerAndRepo(platform.repoURL);
  const provider = s.provider ?? PREVIEWS_DEFAULTS.provider;
  const owner = s.owner ?? derived?.owner ?? '';
  const repo = s.repo ?? derived?.repo ?? '';
  if (!owner || !repo) {
    problems.push({
      setting: 'previews.owner',
      value: s.owner,
      problem: `cannot be derived from platform.repoURL (${platform.repoURL})`,
      fix: 'set previews.owner and previews.repo to the repository whose pull requests get previews',
    });
  }
  if (provider === 'gitea' && !s.api) {
    problems.push({
      setting: 'previews.api',
      value: s.api,
      problem: 'is required for provider gitea',
      fix: 'set it to the Gitea server url, e.g. https://gitea.example.com',
    });
  }
  if (s.api !== undefined && !/^https?:\/\/[^\s]+$/.test(s.api)) {
    problems.push({
      setting: 'previews.api',
      value: s.api,
      problem: 'is not an http(s) url',
      fix: 'use the api base url, e.g. https://github.example.com/api/v3',
    });
  }
  const label = s.label ?? PREVIEWS_DEFAULTS.label;
  if (!LABEL.test(label)) {
    problems.push({
      setting: 'previews.label',
      value: label,
      problem: 'is not a usable label',
      fix: 'use 1-50 characters without commas or surrounding spaces, e.g. preview',
    });
  }
  const branchPrefix = s.branchPrefix ?? PREVIEWS_DEFAULTS.branchPrefix;
  if (!BRANCH_PREFIX.test(branchPrefix) || branchPrefix === platform.targetRevision) {
    problems.push({
      setting: 'previews.branchPrefix',
      value: branchPrefix,
      problem: 'is not a usable branch name prefix',
      fix: 'use letters, digits, . _ - and /, not the branch dist/ is synced from, e.g. previews/pr-',
    });
  }
  const requeueAfterSeconds = s.requeueAfterSeconds ?? PREVIEWS_DEFAULTS.requeueAfterSeconds;
  if (requeueAfterSeconds < 30 || requeueAfterSeconds > 86400) {
    problems.push({
      setting: 'previews.requeueAfterSeconds',
      value: requeueAfterSeconds,
      problem: 'is out of range',
      fix: 'use 30 to 86400 seconds; GitHub allows 60 anonymous api requests per hour, so below 60 needs tokenRef',
    });
  }
  const ttlHours = s.ttlHours ?? PREVIEWS_DEFAULTS.ttlHours;
  if (!(ttlHours >= 1 && ttlHours <= 24 * 90)) {
    problems.push({
      setting: 'previews.ttlHours',
      value: ttlHours,
      problem: 'is out of range',
      fix: 'use 1 to 2160 hours (90 days)',
    });
  }
  const quotaFit = previewsThatFit(prototype, longLived);
  const maxConcurrent = s.maxConcurrent ?? quotaFit;
  if (maxConcurrent < 0 || maxConcurrent > 1000) {
    problems.push({
      setting: 'previews.maxConcurrent',
      value: maxConcurrent,
      problem: 'is out of range',
      fix: `use 0 (no previews) to 1000; ${quotaFit} fit the default aws quotas beside the long-lived environments`,
    });
  }
  return {
    previews: {
      provider,
      owner,
      repo,
      ...(s.api ? { api: s.api } : {}),
      ...(s.tokenRef ? { tokenRef: s.tokenRef } : {}),
      label,
      branchPrefix,
      requeueAfterSeconds,
      ttlHours,
      maxConcurrent,
      quotaFit,
      prototype,
    },
    problems,
  };
}
