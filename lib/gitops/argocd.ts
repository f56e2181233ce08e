import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import { ARGO_SYNC_OPTIONS, LABELS, PROJECT } from '../common/context';
import { apiGroup as group } from '../common/field-path';
import { PlatformConfig } from '../config/types';
import { EmittedKind } from '../platform/platform';

export const ARGOCD_NAMESPACE = 'argocd';
export const IN_CLUSTER = 'https://kubernetes.default.svc';
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';
/** Deleting an Application with this finalizer deletes its resources (except those marked Delete=false). */
export const CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Where each part of `dist/` is, relative to the repository root. */
export const DIST_PATHS = {
  argocd: 'dist/argocd',
  platform: 'dist/platform',
  environment: (suffix: string) => `dist/environments/${suffix}`,
};

export interface EnvironmentApp {
  readonly suffix: string;
  readonly namespace: string;
  readonly production: boolean;
}

export interface GitOpsProps {
  readonly config: PlatformConfig;
  readonly environments: readonly EnvironmentApp[];
  /** Every kind Argo CD applies (platform and environments). */
  readonly kinds: readonly EmittedKind[];
}

/**
 * Argo CD, in `dist/argocd`: an AppProject limited to this repository, these destinations and exactly the kinds we
 * emit; the platform Application (wave -1: providers and configs first) and one Application per environment
 * (wave 0); and the app of apps (`catalog-api`) that syncs this folder.
 *
 * Every Application syncs automatically with retries and backoff, applies and diffs server-side (so fields the API
 * server defaults or the provider late-initializes are not drift), and skips the dry run for kinds whose CRDs arrive
 * with the provider packages. A production Application is never pruned by the app of apps and has no cascade
 * finalizer, so removing an environment from configuration cannot delete production; a preview Application has
 * the finalizer, so removing it tears the preview down.
 */
export class GitOps extends Construct {
  readonly project: argo.AppProject;
  readonly root: argo.Application;
  readonly applications: readonly argo.Application[];

  constructor(scope: Construct, id: string, props: GitOpsProps) {
    super(scope, id);
    const labels = { [LABELS.partOf]: PROJECT, [LABELS.component]: 'gitops' };
    const { repoURL } = props.config;
    const whitelist = (namespaced: boolean) =>
      [
        ...new Map(
          props.kinds
            .filter((k) => !!k.namespaced === namespaced)
            .map((k) => [`${group(k.apiVersion)}/${k.kind}`, { group: group(k.apiVersion), kind: k.kind }]),
        ).values(),
      ].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));

    this.project = new argo.AppProject(this, 'Project', {
      metadata: { name: PROJECT, namespace: ARGOCD_NAMESPACE, labels },
      spec: {
        description: 'Product Catalog API: Crossplane platform and environments',
        sourceRepos: [repoURL],
        destinations: [
          { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
          ...props.environments.map((e) => ({ server: IN_CLUSTER, namespace: e.namespace })),
          // the platform's objects are cluster-scoped; its Application's destination namespace is Crossplane's
          { server: IN_CLUSTER, namespace: 'crossplane-system' },
        ],
        clusterResourceWhitelist: whitelist(false),
        namespaceResourceWhitelist: [
          { group: 'argoproj.io', kind: 'AppProject' },
          { group: 'argoproj.io', kind: 'Application' },
          ...whitelist(true),
        ],
        orphanedResources: { warn: true },
      },
    });

    const app = (
      aid: string,
      name: string,
      path: string,
      namespace: string,
      annotations: Record<string, string>,
      finalizers: string[] = [],
    ) => application(this, aid, { config: props.config, name, path, namespace, annotations, finalizers });
    // the app of apps: applied once by hand with the rest of this folder, then it syncs the folder, itself included
    this.root = app('Root', PROJECT, DIST_PATHS.argocd, ARGOCD_NAMESPACE, {});
    const platform = app('Platform', `${PROJECT}-platform`, DIST_PATHS.platform, 'crossplane-system', {
      [SYNC_WAVE]: '-1',
    });
    const envs = props.environments.map((e) =>
      e.production
        ? app(`Env-${e.suffix}`, `${PROJECT}-${e.suffix}`, DIST_PATHS.environment(e.suffix), e.namespace, {
            [SYNC_WAVE]: '0',
            [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false',
          })
        : app(
            `Env-${e.suffix}`,
            `${PROJECT}-${e.suffix}`,
            DIST_PATHS.environment(e.suffix),
            e.namespace,
            { [SYNC_WAVE]: '0' },
            [CASCADE_FINALIZER],
          ),
    );
    this.applications = [platform, ...envs];
  }
}

interface ApplicationOptions {
  readonly config: PlatformConfig;
  readonly name: string;
  readonly path: string;
  readonly namespace: string;
  readonly annotations?: Record<string, string>;
  readonly finalizers?: readonly string[];
}

/** An Application of this repository with the sync policy every part shares. */
function application(scope: Construct, id: string, o: ApplicationOptions): argo.Application {
  const finalizers = o.finalizers ?? [];
  return new argo.Application(scope, id, {
    metadata: {
      name: o.name,
      namespace: ARGOCD_NAMESPACE,
      labels: { [LABELS.partOf]: PROJECT, [LABELS.component]: 'gitops' },
      annotations: { [COMPARE_OPTIONS]: 'ServerSideDiff=true', ...o.annotations },
      ...(finalizers.length ? { finalizers: [...finalizers] } : {}),
    },
    spec: {
      project: PROJECT,
      source: {
        repoUrl: o.config.repoURL,
        targetRevision: o.config.targetRevision,
        path: o.path,
        directory: { recurse: false },
      },
      destination: { server: IN_CLUSTER, namespace: o.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'SkipDryRunOnMissingResource=true', 'PruneLast=true'],
        retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
      },
    },
  });
}
