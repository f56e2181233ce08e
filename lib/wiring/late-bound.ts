import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as k8s from '../../imports/kubernetes.m.crossplane.io';
import { Component, EnvironmentContext } from '../common/context';
import { readinessFor } from './readiness';

/** The provider-kubernetes config that applies wrapped manifests to the management cluster itself. */
export const IN_CLUSTER_PROVIDER_CONFIG = 'in-cluster';

/** Identity of an object a value is read from. */
export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export function identityOf(o: ApiObject | LateBound): ObjectIdentity {
  if (o instanceof LateBound) {
    return o.target;
  }
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.metadata.namespace! };
}

/** One value copied from another object's status into the wrapped manifest. */
export interface Patch {
  readonly from: ApiObject | LateBound;
  /** Field of the source, e.g. `status.atProvider.dnsName`. */
  readonly fieldPath: string;
  /** Field of the wrapped manifest, e.g. `spec.forProvider.origin[0].domainName`. */
  readonly toFieldPath: string;
}

export interface LateBoundProps {
  readonly context: EnvironmentContext;
  readonly component: Component;
  /**
   * Builds the wrapped resource with its typed class, in a scratch chart: the type checker sees the same props as for
   * any other resource; only its JSON ends up in the output.
   */
  readonly manifest: (scope: Construct) => ApiObject;
  readonly patches: readonly Patch[];
  /** Name of the wrapping Object. @default - the wrapped resource's name */
  readonly name?: string;
}

/**
 * A resource some of whose values exist only after AWS creates other resources and have no `*Ref` field (the ALB's
 * DNS name for the CloudFront origin, the DB endpoint, ARN suffixes and ids for alarm dimensions, the task role
 * ARN). It is wrapped in a provider-kubernetes `Object`: on every reconcile the controller copies each source's
 * field into the manifest and applies it, and it does not create the resource before every source has a value.
 * So one sync converges without a second commit, and the values stay current (see docs/adr/0001-late-binding.md).
 */
export class LateBound extends Construct {
  readonly object: k8s.KubernetesObject;
  /** The wrapped resource as it will exist in the cluster. */
  readonly target: ObjectIdentity;
  readonly manifest: any;

  constructor(scope: Construct, id: string, props: LateBoundProps) {
    super(scope, id);
    const ctx = props.context;
    const scratch = new Chart(new App({ outdir: 'unused' }), 'scratch');
    const inner = props.manifest(scratch);
    this.manifest = inner.toJson();
    this.target = identityOf(inner);
    this.object = new k8s.KubernetesObject(this, 'Resource', {
      metadata: ctx.metadata(props.name ?? inner.name, props.component),
      spec: {
        forProvider: { manifest: this.manifest },
        references: props.patches.map((p) => ({
          patchesFrom: { ...identityOf(p.from), fieldPath: p.fieldPath },
          toFieldPath: p.toFieldPath,
        })),
        // by the wrapped kind's status model (readiness.ts)
        readiness: readinessFor(inner.apiVersion, inner.kind),
        providerConfigRef: { kind: 'ClusterProviderConfig', name: IN_CLUSTER_PROVIDER_CONFIG },
      },
    });
  }

  get name(): string {
    return this.target.name;
  }
}
