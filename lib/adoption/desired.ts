import { apiGroup } from '../common/field-path';
import type { Desired } from './kinds';

/** API groups of the AWS managed resources (provider-upjet-aws v2.6.0 namespaced kinds). */
export const AWS_GROUP = /\.aws\.m\.upbound\.io$/;

/** Kinds of those groups that are not managed resources. */
const NOT_MANAGED = new Set(['ProviderConfig', 'ProviderConfigUsage', 'ClusterProviderConfig']);

/** Whether a manifest is an AWS managed resource. */
export function isAwsManaged(o: any): boolean {
  return AWS_GROUP.test(apiGroup(o?.apiVersion ?? '')) && !NOT_MANAGED.has(o?.kind);
}

/** The adoption file's key of a managed resource: `<group>/<Kind>/<metadata.name>`. */
export function resourceKey(o: any): string {
  return `${apiGroup(o.apiVersion)}/${o.kind}/${o.metadata.name}`;
}

/**
 * Every AWS managed resource among rendered objects: the objects themselves and the manifests wrapped in
 * provider-kubernetes `Object`s (late-bound resources, docs/adr/0001-late-binding.md).
 */
export function desiredResources(objects: readonly any[]): Desired[] {
  const out: Desired[] = [];
  for (const o of objects) {
    const m = o?.kind === 'Object' && o?.spec?.forProvider?.manifest ? o.spec.forProvider.manifest : o;
    if (!isAwsManaged(m)) {
      continue;
    }
    out.push({
      key: resourceKey(m),
      group: apiGroup(m.apiVersion),
      kind: m.kind,
      name: m.metadata.name,
      forProvider: m.spec?.forProvider ?? {},
      annotations: m.metadata.annotations ?? {},
    });
  }
  return out;
}
