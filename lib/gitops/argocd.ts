import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import { ARGO_SYNC_OPTIONS, LABELS, PROJECT } from '../common/context';
import { apiGroup as group } from '../common/field-path';
import { PlatformConfig } from '../config/types';
import { EmittedKind } from '../platform/platform';
import { IgnoreDifference } from './drift';

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
  /** Fields other controllers write inside lists of this environment's objects (see drift.ts). @default - none */
  readonly ignoreDifferences?: readonly IgnoreDifference[];
  /** Group, kind and name of every object the environment's `Object`s create (not tracked by Argo CD). @default - none */
  readonly created?: readonly { readonly group: string; readonly kind: string; readonly name: string }[];
}

/** Every environment namespace matches it; the AppProject allows it as one destination (see ADR 0004). */
export const ENVIRONMENT_NAMESPACES = `${PROJECT}-*`;
/** The ApplicationSet that generates one Application per preview environment. */
export const PREVIEWS = `${PROJECT}-previews`;

export interface GitOpsProps {
  readonly config: PlatformConfig;
  readonly environments: readonly EnvironmentApp[];
  /** Every kind Argo CD applies (platform and environments). */
  readonly kinds: readonly EmittedKind[];
  /**
   * Where the AppProject and the app of apps go: the only objects applied by hand to bootstrap a cluster, so they
   * get a file of their own. @default - this construct
   */
  readonly bootstrapScope?: Construct;
}

/**
 * Argo CD, in `dist/argocd`: an AppProject limited to this repository, these destinations and exactly the kinds we
 * emit; the app of apps (`catalog-api`) that syncs this folder; the platform Application (wave -1: providers and
 * configs first); one Application per production environment (wave 0); and an ApplicationSet that generates one
 * Application per preview.
 *
 * Every Application syncs automatically with retries and backoff, applies and diffs server-side (so fields the API
 * server defaults or the provider late-initializes are not drift), skips the dry run for kinds whose CRDs arrive
 * with the provider packages, and ignores the fields other controllers write inside atomic lists (drift.ts).
 *
 * A production Application is never pruned by the app of apps and has no cascade finalizer, so removing an
 * environment from configuration cannot delete production. A preview Application has the finalizer and belongs to
 * the ApplicationSet, not to the app of apps: removing the preview from the ApplicationSet's list makes the
 * ApplicationSet controller delete it, and the app of apps' sync ends at once instead of waiting for CloudFront.
 * The project allows `catalog-api-*` as a destination, so the namespace of a removed preview stays permitted while
 * its Application's finalizer deletes its objects (ADR 0004).
 */
export class GitOps extends Construct {
  readonly project: argo.AppProject;
  readonly root: argo.Application;
  readonly applications: readonly argo.Application[];
  readonly previews: argo.ApplicationSet;

  constructor(scope: Construct, id: string, props: GitOpsProps) {
    super(scope, id);
    const labels = { [LABELS.partOf]: PROJECT, [LABELS.component]: 'gitops' };
    const { repoURL } = props.config;
    const pattern = new RegExp(`^${ENVIRONMENT_NAMESPACES.replace('*', '.+')}$`);
    for (const e of props.environments) {
      if (!pattern.test(e.namespace)) {
        throw new Error(
          `environment namespace ${e.namespace} is outside the project destination ${ENVIRONMENT_NAMESPACES}`,
        );
      }
    }
    // objects our Objects create are in the environment namespaces but not in git; Argo CD counts every untracked
    // top-level object of a destination namespace as orphaned unless it matches `ignore` (Argo CD v3.5.1
    // controller/appcontroller.go:544-562, 586-592)
    const created = new Map(
      props.environments.flatMap((e) => e.created ?? []).map((c) => [`${c.group}/${c.kind}/${c.name}`, c]),
    );

    const bootstrap = new Construct(props.bootstrapScope ?? this, 'Bootstrap');
    this.project = new argo.AppProject(bootstrap, 'Project', {
      metadata: { name: PROJECT, namespace: ARGOCD_NAMESPACE, labels },
      spec: {
        description: 'Product Catalog API: Crossplane platform and environments',
        sourceRepos: [repoURL],
        destinations: [
          { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
          // a pattern, not the list of today's environments: Argo CD's finalizer deletes only objects the project
          // still permits (appcontroller.go:1263-1279, 1349-1357), so a removed preview's namespace must stay allowed
          { server: IN_CLUSTER, namespace: ENVIRONMENT_NAMESPACES },
          // the platform's objects are cluster-scoped; its Application's destination namespace is Crossplane's
          { server: IN_CLUSTER, namespace: 'crossplane-system' },
        ],
        clusterResourceWhitelist: projectKinds(props.kinds, false),
        namespaceResourceWhitelist: [
          { group: 'argoproj.io', kind: 'AppProject' },
          { group: 'argoproj.io', kind: 'Application' },
          { group: 'argoproj.io', kind: 'ApplicationSet' },
          ...projectKinds(props.kinds, true),
        ],
        orphanedResources: {
          warn: true,
          ignore: [...created.values()].sort((a, b) =>
            `${a.group}/${a.kind}/${a.name}`.localeCompare(`${b.group}/${b.kind}/${b.name}`),
          ),
        },
      },
    });

    const spec = (path: string, namespace: string, ignores: readonly IgnoreDifference[] = []) =>
      applicationSpec({ config: props.config, path, namespace, ignoreDifferences: ignores });
    // the app of apps: applied once by hand with the project, then it syncs the folder, itself included
    this.root = new argo.Application(bootstrap, 'Root', {
      metadata: applicationMetadata(PROJECT, {}),
      spec: spec(DIST_PATHS.argocd, ARGOCD_NAMESPACE),
    });
    const platform = new argo.Application(this, 'Platform', {
      metadata: applicationMetadata(`${PROJECT}-platform`, { [SYNC_WAVE]: '-1' }),
      spec: spec(DIST_PATHS.platform, 'crossplane-system'),
    });
    const production = props.environments
      .filter((e) => e.production)
      .map(
        (e) =>
          new argo.Application(this, `Env-${e.suffix}`, {
            metadata: applicationMetadata(`${PROJECT}-${e.suffix}`, {
              [SYNC_WAVE]: '0',
              [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false',
            }),
            spec: spec(DIST_PATHS.environment(e.suffix), e.namespace, e.ignoreDifferences),
          }),
      );
    this.applications = [platform, ...production];

    // previews: one template for all, so the ignore entries are the union over previews (names left out)
    const previews = props.environments.filter((e) => !e.production);
    const previewIgnores = mergeIgnores(previews.flatMap((e) => e.ignoreDifferences ?? []));
    const template = spec('{{.path}}', '{{.namespace}}', previewIgnores);
    this.previews = new argo.ApplicationSet(this, 'Previews', {
      metadata: { name: PREVIEWS, namespace: ARGOCD_NAMESPACE, labels, annotations: { [SYNC_WAVE]: '0' } },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            list: {
              elements: previews.map((e) => ({
                suffix: e.suffix,
                namespace: e.namespace,
                path: DIST_PATHS.environment(e.suffix),
              })),
            },
          },
        ],
        // the controller deletes an Application whose element is gone (applicationset_controller.go:351-352,
        // 809-860); the finalizer in the template then deletes the preview's resources
        syncPolicy: { preserveResourcesOnDeletion: false },
        template: {
          metadata: {
            ...applicationMetadata(`${PROJECT}-{{.suffix}}`, {}),
            finalizers: [CASCADE_FINALIZER],
          },
          spec: template as any,
        },
      },
    });
  }
}

/** Entries for the same group and kind merged, pointers sorted and unique. */
export function mergeIgnores(entries: readonly IgnoreDifference[]): IgnoreDifference[] {
  const m = new Map<string, { group: string; kind: string; p: Set<string> }>();
  for (const e of entries) {
    const k = `${e.group}/${e.kind}`;
    const v = m.get(k) ?? { group: e.group, kind: e.kind, p: new Set<string>() };
    e.jsonPointers.forEach((x) => v.p.add(x));
    m.set(k, v);
  }
  return [...m.values()]
    .sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`))
    .map((v) => ({ group: v.group, kind: v.kind, jsonPointers: [...v.p].sort() }));
}

export function applicationMetadata(name: string, annotations: Record<string, string>) {
  return {
    name,
    namespace: ARGOCD_NAMESPACE,
    labels: { [LABELS.partOf]: PROJECT, [LABELS.component]: 'gitops' },
    annotations: { [COMPARE_OPTIONS]: 'ServerSideDiff=true', ...annotations },
  };
}

export interface ApplicationSpecOptions {
  readonly config: PlatformConfig;
  readonly path: string;
  readonly namespace: string;
  readonly ignoreDifferences: readonly IgnoreDifference[];
}

/** The spec of an Application of this repository, with the sync policy every part shares. */
export function applicationSpec(o: ApplicationSpecOptions): argo.ApplicationSpec {
  return {
    project: PROJECT,
    source: {
      repoUrl: o.config.repoURL,
      targetRevision: o.config.targetRevision,
      path: o.path,
      directory: { recurse: false },
    },
    destination: { server: IN_CLUSTER, namespace: o.namespace },
    ...(o.ignoreDifferences.length
      ? { ignoreDifferences: o.ignoreDifferences.map((i) => ({ ...i, jsonPointers: [...i.jsonPointers] })) }
      : {}),
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: [
        'ServerSideApply=true',
        'SkipDryRunOnMissingResource=true',
        'PruneLast=true',
        // a sync carries the live value of every ignored field instead of dropping it (controller/sync.go:236-245)
        'RespectIgnoreDifferences=true',
      ],
      retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
    },
  };
}

/**
 * The distinct group/kind pairs of an AppProject whitelist, cluster-scoped or namespaced, sorted so that the emitted
 * project is stable whatever order the kinds were collected in.
 */
export function projectKinds(kinds: readonly EmittedKind[], namespaced: boolean): { group: string; kind: string }[] {
  return [
    ...new Map(
      kinds
        .filter((k) => !!k.namespaced === namespaced)
        .map((k) => [`${group(k.apiVersion)}/${k.kind}`, { group: group(k.apiVersion), kind: k.kind }]),
    ).values(),
  ].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
}
