import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EnvironmentContext, PROJECT } from '../common/context';

export const CROSSPLANE_NAMESPACE = 'crossplane-system';
/** The service account provider-kubernetes runs as (fixed by its DeploymentRuntimeConfig). */
export const KUBERNETES_PROVIDER_SA = 'provider-kubernetes';
/**
 * The ClusterRole with what provider-kubernetes needs for our `Object`s. It is bound per environment namespace only
 * (RoleBinding), never cluster-wide.
 */
export const OBJECT_ACCESS_ROLE = `${PROJECT}-provider-kubernetes`;
/** The admission policy that keeps each `Object` inside its own namespace. */
export const OBJECT_CONFINEMENT_POLICY = `${PROJECT}-object-confinement`;
/** Namespaces the confinement policy applies to: every environment namespace, present and future. */
export const ENVIRONMENT_NAMESPACE_PREFIX = `${PROJECT}-`;

export interface ObjectAccessProps {
  readonly context: EnvironmentContext;
}

/**
 * Grants provider-kubernetes the `Object` role inside one environment namespace. Synced in wave -1 with the
 * namespace, so Argo CD's cascade deletion removes it only after every `Object` (wave 0) is gone: without it
 * provider-kubernetes could not delete the resources the `Object`s created.
 *
 * provider-kubernetes reads `patchesFrom` sources with its own client (v1.2.1
 * internal/controller/namespaced/object/object.go:706-710, `localClient`), a controller-runtime client that reads
 * unstructured objects straight from the API server (no cache options beyond the sync period, cmd/provider/main.go:
 * 139-142), and applies manifests with a plain client (pkg/kube/client/client.go:82): namespaced grants are enough.
 */
export class ObjectAccess extends Construct {
  readonly binding: k8s.KubeRoleBinding;

  constructor(scope: Construct, id: string, props: ObjectAccessProps) {
    super(scope, id);
    const ctx = props.context;
    this.binding = new k8s.KubeRoleBinding(this, 'Binding', {
      metadata: ctx.metadata(OBJECT_ACCESS_ROLE, 'foundation', { 'argocd.argoproj.io/sync-wave': '-1' }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OBJECT_ACCESS_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: KUBERNETES_PROVIDER_SA, namespace: CROSSPLANE_NAMESPACE }],
    });
  }
}

/** Where a CEL expression of the confinement policy reads a namespace from an `Object`. */
const sameNamespace = (expr: string) => `has(${expr}.namespace) && ${expr}.namespace == object.metadata.namespace`;

/**
 * The CEL validations of the confinement policy, in order. Admission policies declare `object` as dyn
 * (k8s.io/apiserver pkg/admission/plugin/cel/compile.go, createEnvForOpts), so the embedded manifest's
 * `metadata.namespace` is readable here; a CRD validation rule could not read it (embedded resources expose only
 * apiVersion, kind, metadata.name and metadata.generateName there). An `Object` in an environment namespace may only name
 * its own namespace: the wrapped manifest, every `references[].patchesFrom` and `dependsOn`, and every
 * `connectionDetails[]` object reference. A manifest or source without a namespace is refused as well: for a
 * cluster-scoped kind it would reach outside every namespace.
 */
export const CONFINEMENT_VALIDATIONS: readonly { expression: string; message: string }[] = [
  {
    expression: `has(object.spec.forProvider.manifest.metadata) && ${sameNamespace('object.spec.forProvider.manifest.metadata')}`,
    message: 'spec.forProvider.manifest.metadata.namespace must be the Object’s own namespace',
  },
  {
    expression:
      `!has(object.spec.references) || object.spec.references.all(r, ` +
      `(!has(r.patchesFrom) || (${sameNamespace('r.patchesFrom')})) && ` +
      `(!has(r.dependsOn) || (${sameNamespace('r.dependsOn')})))`,
    message: 'spec.references[].patchesFrom and dependsOn must name the Object’s own namespace',
  },
  {
    expression: `!has(object.spec.connectionDetails) || object.spec.connectionDetails.all(c, ${sameNamespace('c')})`,
    message: 'spec.connectionDetails[] must name the Object’s own namespace',
  },
];

/** The policy applies only in environment namespaces (`catalog-api-*`), whether they exist yet or not. */
export const CONFINEMENT_MATCH_CONDITION = `request.namespace.startsWith('${ENVIRONMENT_NAMESPACE_PREFIX}')`;

export interface ObjectConfinementProps {
  readonly labels: Record<string, string>;
}

/**
 * A built-in ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) and its binding that refuse any `Object`
 * in an environment namespace naming another namespace. provider-kubernetes acts with one identity for every
 * namespace, and Crossplane's RBAC manager grants every provider edit on Secrets cluster-wide (Crossplane v2.3.4
 * internal/controller/rbac/provider/roles/roles.go:67-79), so RBAC alone cannot keep one environment's `Object`
 * from reading or writing another's objects; admission can. cdk8s-plus-28 knows this API only as v1alpha1/v1beta1,
 * hence plain ApiObjects; the validator checks them against the Kubernetes models.
 */
export class ObjectConfinement extends Construct {
  readonly policy: ApiObject;
  readonly binding: ApiObject;

  constructor(scope: Construct, id: string, props: ObjectConfinementProps) {
    super(scope, id);
    this.policy = new ApiObject(this, 'Policy', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: OBJECT_CONFINEMENT_POLICY, labels: props.labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['kubernetes.m.crossplane.io'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['objects'],
            },
          ],
        },
        matchConditions: [{ name: 'environment-namespace', expression: CONFINEMENT_MATCH_CONDITION }],
        validations: CONFINEMENT_VALIDATIONS.map((v) => ({ ...v, reason: 'Forbidden' })),
      },
    });
    this.binding = new ApiObject(this, 'Binding', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: OBJECT_CONFINEMENT_POLICY, labels: props.labels },
      spec: { policyName: OBJECT_CONFINEMENT_POLICY, validationActions: ['Deny'] },
    });
  }
}
