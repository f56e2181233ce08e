import { ApiObject, JsonPatch } from 'cdk8s';
import type { Adoption } from '../config/adoption';
import type { EnvironmentStack } from '../stack/environment';
import { LateBound } from '../wiring/late-bound';
import { isAwsManaged, resourceKey } from './desired';
import { RULE_BY_KIND } from './kinds';
import { ADOPTION_CREATE_ANNOTATION, ADOPTION_PHASE_ANNOTATION, adoptedPolicies, EXTERNAL_NAME } from './policies';

/**
 * Applies an environment's adoption to its constructs before they render: the external name (or the reason a
 * resource is created anew) as annotations, the phase's management policies, and the phase on the Namespace. A
 * cluster whose password Terraform generated keeps it: `manageMasterUserPassword` moves to `initProvider`, which
 * the provider uses only on create, so the adopted cluster is never switched to a password RDS generates; the
 * secret Terraform keeps that password in is emitted by the stack itself (EnvironmentStackOptions, KeptMasterSecret)
 * and gets its Observe-only policies here like any adopted resource.
 * Resources the adoption file does not list are left as they are; the validator then rejects the environment
 * (ADOPT001).
 */
export function adoptEnvironment(stack: EnvironmentStack, adoption: Adoption): void {
  for (const { chart } of stack.outputs) {
    for (const c of chart.node.findAll()) {
      if (c instanceof LateBound) {
        adoptWrapped(c, adoption);
      } else if (c instanceof ApiObject && c.kind === 'Namespace' && c.apiVersion === 'v1') {
        c.metadata.addAnnotation(ADOPTION_PHASE_ANNOTATION, adoption.phase);
      } else if (c instanceof ApiObject && isAwsManaged({ apiVersion: c.apiVersion, kind: c.kind })) {
        adoptDirect(c, adoption);
      }
    }
  }
}

function policiesOf(phase: Adoption['phase'], apiVersion: string, kind: string): string[] | undefined {
  const rule = RULE_BY_KIND.get(`${apiVersion.split('/')[0]}/${kind}`);
  return adoptedPolicies(phase, rule?.stateful === true, rule?.observeOnly !== undefined);
}

function adoptDirect(o: ApiObject, adoption: Adoption): void {
  const key = resourceKey({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name } });
  const entry = adoption.resources[key];
  if (entry?.create !== undefined) {
    o.metadata.addAnnotation(ADOPTION_CREATE_ANNOTATION, entry.create);
    return;
  }
  if (entry?.externalName === undefined) return;
  o.metadata.addAnnotation(EXTERNAL_NAME, entry.externalName);
  const policies = policiesOf(adoption.phase, o.apiVersion, o.kind);
  if (policies) o.addJsonPatch(JsonPatch.add('/spec/managementPolicies', policies));
  if (adoption.keepDatabasePassword && key.startsWith('rds.aws.m.upbound.io/Cluster/')) {
    const managed = (o.toJson() as any).spec?.forProvider?.manageMasterUserPassword;
    if (managed !== undefined) {
      o.addJsonPatch(
        JsonPatch.remove('/spec/forProvider/manageMasterUserPassword'),
        JsonPatch.add('/spec/initProvider', { manageMasterUserPassword: managed }),
      );
    }
  }
}

function adoptWrapped(lb: LateBound, adoption: Adoption): void {
  const m = lb.manifest;
  if (!isAwsManaged(m)) return;
  const entry = adoption.resources[resourceKey(m)];
  const base = '/spec/forProvider/manifest';
  const annotations = { ...(m.metadata?.annotations ?? {}) };
  if (entry?.create !== undefined) {
    annotations[ADOPTION_CREATE_ANNOTATION] = entry.create;
    lb.object.addJsonPatch(JsonPatch.add(`${base}/metadata/annotations`, annotations));
    return;
  }
  if (entry?.externalName === undefined) return;
  annotations[EXTERNAL_NAME] = entry.externalName;
  lb.object.addJsonPatch(JsonPatch.add(`${base}/metadata/annotations`, annotations));
  const policies = policiesOf(adoption.phase, m.apiVersion, m.kind);
  if (policies) lb.object.addJsonPatch(JsonPatch.add(`${base}/spec/managementPolicies`, policies));
}
