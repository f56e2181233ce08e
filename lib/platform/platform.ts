import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as apiext from '../../imports/apiextensions.crossplane.io';
import * as kubernetes from '../../imports/kubernetes.m.crossplane.io';
import * as pkg from '../../imports/pkg.crossplane.io';
import { LABELS, PROJECT } from '../common/context';
import { apiGroup as groupOf } from '../common/field-path';
import { PlatformConfig } from '../config/types';
import { CROSSPLANE_NAMESPACE, KUBERNETES_PROVIDER_SA, OBJECT_ACCESS_ROLE, ObjectConfinement } from '../wiring/access';
import { IN_CLUSTER_PROVIDER_CONFIG, LateBound } from '../wiring/late-bound';

export { CROSSPLANE_NAMESPACE, KUBERNETES_PROVIDER_SA };

/** Where the providers' packages come from; one registry for all of them. */
export const PACKAGE_REGISTRY = 'xpkg.crossplane.io/crossplane-contrib';
export const AWS_PROVIDER_VERSION = 'v2.6.0';
export const KUBERNETES_PROVIDER_VERSION = 'v1.2.1';
export const AWS_RUNTIME_CONFIG = 'aws-irsa';

/** Kubernetes resource name of a kind (`LBTargetGroup` → `lbtargetgroups`, `Policy` → `policies`). */
export function plural(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('s')) return k;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export interface EmittedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Objects of the kind carry a namespace. */
  readonly namespaced?: boolean;
}

export interface PlatformProps {
  readonly config: PlatformConfig;
  /** Every kind the environments emit (wrapped manifests included). */
  readonly kinds: readonly EmittedKind[];
  /** Late-bound resources: provider-kubernetes needs to manage their kinds and read their sources. */
  readonly lateBound: readonly LateBound[];
}

/**
 * What the management cluster needs before any environment syncs: the provider family packages for exactly the
 * AWS families we emit (plus provider-kubernetes for late binding), their runtime configuration (the AWS providers
 * get their role through IRSA), an activation policy for exactly the managed kinds we emit, and provider-kubernetes'
 * in-cluster config with a role each environment binds in its own namespace and an admission policy that keeps
 * every `Object` inside its namespace (lib/wiring/access.ts).
 */
export class Platform extends Construct {
  readonly providers: readonly pkg.Provider[];

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const labels = { [LABELS.partOf]: PROJECT, [LABELS.component]: 'platform' };
    const meta = (name: string) => ({ name, labels });

    new pkg.DeploymentRuntimeConfig(this, 'AwsRuntime', {
      metadata: meta(AWS_RUNTIME_CONFIG),
      spec: {
        serviceAccountTemplate: {
          metadata: { annotations: { 'eks.amazonaws.com/role-arn': props.config.providerRoleArn } },
        },
      },
    });
    new pkg.DeploymentRuntimeConfig(this, 'KubernetesRuntime', {
      metadata: meta(KUBERNETES_PROVIDER_SA),
      // a fixed service account name, so the RBAC below can bind to it
      spec: { serviceAccountTemplate: { metadata: { name: KUBERNETES_PROVIDER_SA } } },
    });

    const awsGroups = [
      ...new Set(
        props.kinds
          .map((k) => groupOf(k.apiVersion))
          .filter((g) => g.endsWith('.aws.m.upbound.io') && g !== 'aws.m.upbound.io'),
      ),
    ].sort();
    const families = awsGroups.map((g) => g.split('.')[0]);
    const providers = new Construct(this, 'Providers');
    this.providers = [
      ...families.map(
        (family) =>
          new pkg.Provider(providers, family, {
            metadata: meta(`provider-aws-${family}`),
            spec: {
              package: `${PACKAGE_REGISTRY}/provider-aws-${family}:${AWS_PROVIDER_VERSION}`,
              runtimeConfigRef: {
                apiVersion: 'pkg.crossplane.io/v1beta1',
                kind: 'DeploymentRuntimeConfig',
                name: AWS_RUNTIME_CONFIG,
              },
            },
          }),
      ),
      new pkg.Provider(providers, 'kubernetes', {
        metadata: meta('provider-kubernetes'),
        spec: {
          package: `${PACKAGE_REGISTRY}/provider-kubernetes:${KUBERNETES_PROVIDER_VERSION}`,
          runtimeConfigRef: {
            apiVersion: 'pkg.crossplane.io/v1beta1',
            kind: 'DeploymentRuntimeConfig',
            name: KUBERNETES_PROVIDER_SA,
          },
        },
      }),
    ];

    const managed = [
      ...new Set(
        props.kinds
          .filter(
            (k) =>
              (groupOf(k.apiVersion).endsWith('.aws.m.upbound.io') && groupOf(k.apiVersion) !== 'aws.m.upbound.io') ||
              groupOf(k.apiVersion) === 'kubernetes.m.crossplane.io',
          )
          .filter((k) => !/ProviderConfig/.test(k.kind))
          .map((k) => `${plural(k.kind)}.${groupOf(k.apiVersion)}`),
      ),
    ].sort();
    new apiext.ManagedResourceActivationPolicy(this, 'Activation', {
      metadata: meta(PROJECT),
      spec: { activate: managed },
    });

    new kubernetes.KubernetesClusterProviderConfig(this, 'InCluster', {
      metadata: meta(IN_CLUSTER_PROVIDER_CONFIG),
      spec: { credentials: { source: kubernetes.ClusterProviderConfigSpecCredentialsSource.INJECTED_IDENTITY } },
    });

    // provider-kubernetes applies the wrapped kinds and reads the kinds their values come from
    const rule = (kinds: EmittedKind[], verbs: string[]) => {
      const byGroup = new Map<string, Set<string>>();
      for (const k of kinds) {
        const g = groupOf(k.apiVersion);
        byGroup.set(g, (byGroup.get(g) ?? new Set()).add(plural(k.kind)));
      }
      return [...byGroup.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([g, r]) => ({ apiGroups: [g], resources: [...r].sort(), verbs }));
    };
    const wrapped = props.lateBound.map((l) => l.target);
    const sources = props.lateBound.flatMap((l) =>
      (l.object.toJson().spec.references ?? []).map((r: any) => r.patchesFrom as EmittedKind),
    );
    // a role template only: each environment binds it in its own namespace (ObjectAccess), nothing binds it
    // cluster-wide
    new k8s.KubeClusterRole(this, 'KubernetesProviderRole', {
      metadata: meta(OBJECT_ACCESS_ROLE),
      rules: [
        ...rule(wrapped, ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
        // update: provider-kubernetes puts a finalizer on every patchesFrom source and takes it off again
        // (v1.2.1 internal/controller/namespaced/object/object.go:814-843 and 845-870, client Update); without it
        // the Object is Degraded with a 403 as soon as its source exists
        ...rule(
          sources.filter((s) => !wrapped.some((w) => w.kind === s.kind && w.apiVersion === s.apiVersion)),
          ['get', 'list', 'watch', 'update'],
        ),
      ],
    });
    new ObjectConfinement(this, 'ObjectConfinement', { labels });
  }
}

/** Every kind emitted under `scopes`, with manifests wrapped by LateBound unless `direct` (what Argo CD applies). */
export function emittedKinds(scopes: readonly Construct[], opts: { direct?: boolean } = {}): EmittedKind[] {
  const seen = new Map<string, EmittedKind>();
  for (const scope of scopes) {
    for (const c of scope.node.findAll()) {
      const k =
        c instanceof ApiObject
          ? { apiVersion: c.apiVersion, kind: c.kind, namespaced: c.metadata.namespace !== undefined }
          : c instanceof LateBound && !opts.direct
            ? { ...c.target, namespaced: true }
            : undefined;
      // objects LateBound builds in its scratch chart are not children of `scopes`
      if (k) {
        seen.set(`${k.apiVersion}/${k.kind}`, { apiVersion: k.apiVersion, kind: k.kind, namespaced: k.namespaced });
      }
    }
  }
  return [...seen.values()].sort((a, b) => `${a.apiVersion}/${a.kind}`.localeCompare(`${b.apiVersion}/${b.kind}`));
}

export function lateBoundIn(scopes: readonly Construct[]): LateBound[] {
  return scopes.flatMap((s) => s.node.findAll().filter((c): c is LateBound => c instanceof LateBound));
}
