import { CrdCatalog } from './catalog';
import { parseFieldPath } from '../common/field-path';
import { groupOf, ObjectIndex, SourcedObject } from './objects';
import { FieldError, joinPath } from './violation';

/**
 * Reference integrity inside the emitted set, as the provider's resolvers would see it: every `*Ref`/`*Refs` names an
 * object of the kind the CRD says it targets ("Reference to a VPC in ec2 to populate vpcId"), in the referencing
 * object's namespace unless the ref names one; every `*Selector` matches (a single-value selector exactly one
 * object); `providerConfigRef` names a config that is emitted or a documented prerequisite; provider-kubernetes
 * `references[].patchesFrom` name an emitted source whose schema has the field, and Usages name emitted objects.
 */

/** ClusterProviderConfigs the README lists as prerequisites of the management cluster (none today). */
export const PREREQUISITE_CLUSTER_PROVIDER_CONFIGS: readonly string[] = [];

const REF_DESC = /^References? to (?:an? )?(\w+) in (\w+) to populate/;
const SELECTOR_DESC = /^Selector for (a list of |an? )(\w+) in (\w+) to populate/;
/** Provider API group of each managed-resource family. */
const PROVIDER_CONFIG_GROUP: ReadonlyArray<[RegExp, string]> = [
  [/\.aws\.m\.upbound\.io$/, 'aws.m.upbound.io'],
  [/^kubernetes\.m\.crossplane\.io$/, 'kubernetes.m.crossplane.io'],
];

function targetGroup(short: string, fromApiVersion: string): string {
  const g = groupOf(fromApiVersion);
  const suffix = g.slice(g.indexOf('.') + 1); // aws.m.upbound.io
  return `${short}.${suffix}`;
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The structural schema of a kind, custom or built-in. */
export type SchemaLookup = (apiVersion: string, kind: string) => any;

export function referenceErrors(
  o: SourcedObject,
  index: ObjectIndex,
  catalog: CrdCatalog,
  schemaOf: SchemaLookup,
): FieldError[] {
  const obj = o.object;
  const crd = catalog.get(obj.apiVersion, obj.kind);
  const errs: FieldError[] = [];
  const ns: string | undefined = obj.metadata?.namespace;
  const err = (path: string, message: string) => errs.push({ path, rule: 'reference', message });

  const resolveRef = (path: string, ref: any, kind: string, group: string) => {
    if (typeof ref?.name !== 'string') {
      return;
    }
    const targetNs = ref.namespace ?? ns;
    const hits = index.ofKind(group, kind, targetNs).filter((t) => t.object.metadata.name === ref.name);
    if (hits.length === 0) {
      const other = index.named(ref.name, targetNs).map((t) => t.object.kind);
      err(
        path,
        other.length > 0
          ? `Invalid value: "${ref.name}": refers to a ${kind} (${group}), but "${ref.name}" in namespace ${targetNs} is a ${other.join(', ')}`
          : `Not found: ${kind}.${group} "${ref.name}" in namespace ${targetNs} is not emitted`,
      );
    }
  };

  const walk = (value: any, schema: any, path: string) => {
    if (!schema || value === undefined || value === null) {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, schema.items, joinPath(path, i)));
      return;
    }
    if (typeof value !== 'object') {
      return;
    }
    for (const [k, v] of Object.entries<any>(value)) {
      const s = schema.properties?.[k];
      const p = joinPath(path, k);
      const desc: string = s?.description ?? '';
      const ref = REF_DESC.exec(desc);
      const sel = SELECTOR_DESC.exec(desc);
      if (ref && k.endsWith('Refs') && Array.isArray(v)) {
        v.forEach((r, i) => resolveRef(joinPath(p, i), r, ref[1], targetGroup(ref[2], obj.apiVersion)));
      } else if (ref && k.endsWith('Ref')) {
        resolveRef(p, v, ref[1], targetGroup(ref[2], obj.apiVersion));
      } else if (sel && k.endsWith('Selector') && v?.matchLabels) {
        const group = targetGroup(sel[3], obj.apiVersion);
        const hits = index
          .ofKind(group, sel[2], v.namespace ?? ns)
          .filter((t) => matches(t.object.metadata?.labels, v.matchLabels));
        const many = sel[1] === 'a list of ';
        if (hits.length === 0 || (!many && hits.length > 1)) {
          err(
            p,
            `Invalid value: ${JSON.stringify(v.matchLabels)}: selects ${hits.length} ${sel[2]} objects${many ? '' : '; a single-value selector must select exactly one (the provider takes the first)'}`,
          );
        }
      } else {
        walk(v, s, p);
      }
    }
  };
  if (crd) {
    walk(obj.spec, crd.schema?.properties?.spec, 'spec');
  }

  const pcr = obj.spec?.providerConfigRef;
  const family = PROVIDER_CONFIG_GROUP.find(([re]) => re.test(groupOf(obj.apiVersion)));
  if (family && pcr && obj.kind !== 'ProviderConfig' && obj.kind !== 'ClusterProviderConfig') {
    const group = family[1];
    if (pcr.kind === 'ProviderConfig') {
      if (index.ofKind(group, 'ProviderConfig', ns).every((t) => t.object.metadata.name !== pcr.name)) {
        err(
          'spec.providerConfigRef',
          `Not found: ProviderConfig.${group} "${pcr.name}" is not emitted in namespace ${ns}`,
        );
      }
    } else if (pcr.kind === 'ClusterProviderConfig') {
      const emitted = index.ofKind(group, 'ClusterProviderConfig').some((t) => t.object.metadata.name === pcr.name);
      if (!emitted && !PREREQUISITE_CLUSTER_PROVIDER_CONFIGS.includes(pcr.name)) {
        err(
          'spec.providerConfigRef',
          `Not found: ClusterProviderConfig.${group} "${pcr.name}" is neither emitted nor a documented prerequisite`,
        );
      }
    }
  }

  // provider-kubernetes: values patched into the wrapped manifest from other objects' fields
  if (obj.kind === 'Object' && groupOf(obj.apiVersion) === 'kubernetes.m.crossplane.io') {
    const manifest = obj.spec?.forProvider?.manifest;
    const manifestSchema = manifest ? schemaOf(manifest.apiVersion, manifest.kind) : undefined;
    (obj.spec?.references ?? []).forEach((r: any, i: number) => {
      const p = joinPath(joinPath('spec.references', i), r.patchesFrom ? 'patchesFrom' : 'dependsOn');
      const src = r.patchesFrom ?? r.dependsOn;
      if (!src) {
        return;
      }
      const apiVersion = src.apiVersion ?? 'kubernetes.m.crossplane.io/v1alpha1';
      const kind = src.kind ?? 'Object';
      if (r.patchesFrom && !src.namespace) {
        err(
          joinPath(p, 'namespace'),
          "Required value: the namespaced Object controller looks the source up in exactly this namespace; it does not default to the Object's",
        );
      }
      const source = index.get(apiVersion, kind, src.namespace ?? ns, src.name);
      if (!source) {
        err(
          p,
          `Not found: ${kind}.${groupOf(apiVersion)} "${src.name}" in namespace ${src.namespace ?? ns} is not emitted`,
        );
      }
      if (r.patchesFrom) {
        const srcSchema = schemaOf(apiVersion, kind);
        if (!srcSchema || !pathInSchema(srcSchema, r.patchesFrom.fieldPath)) {
          err(
            joinPath(p, 'fieldPath'),
            `Invalid value: "${r.patchesFrom.fieldPath}": no such field in the ${kind} schema`,
          );
        }
        const to = r.toFieldPath ?? r.patchesFrom.fieldPath;
        if (!manifestSchema || !pathInSchema(manifestSchema, to)) {
          err(
            joinPath(joinPath('spec.references', i), 'toFieldPath'),
            `Invalid value: "${to}": no such field in the wrapped ${manifest.kind} schema`,
          );
        }
      }
    });
  }

  // Crossplane MRAP: every activated name must be a managed resource kind of a pinned CRD
  if (obj.kind === 'ManagedResourceActivationPolicy' && groupOf(obj.apiVersion) === 'apiextensions.crossplane.io') {
    const known = new Set(catalog.names());
    (obj.spec?.activate ?? []).forEach((name: string, i: number) => {
      if (!name.includes('*') && !known.has(name)) {
        err(`spec.activate[${i}]`, `Not found: "${name}" is not <plural>.<group> of any pinned CRD`);
      }
    });
  }

  // Crossplane Usage: the used and the using resource must be emitted
  if (obj.kind === 'Usage' && groupOf(obj.apiVersion) === 'protection.crossplane.io') {
    for (const side of ['of', 'by'] as const) {
      const s = obj.spec?.[side];
      if (s?.resourceRef?.name && s.apiVersion && s.kind) {
        const target = index.get(s.apiVersion, s.kind, s.resourceRef.namespace ?? ns, s.resourceRef.name);
        if (!target) {
          err(
            `spec.${side}.resourceRef`,
            `Not found: ${s.kind}.${groupOf(s.apiVersion)} "${s.resourceRef.name}" in namespace ${s.resourceRef.namespace ?? ns} is not emitted`,
          );
        }
      }
    }
  }
  return errs;
}

/** Whether a field path such as `status.atProvider.dnsName` or `spec.forProvider.origin[0].domainName` exists. */
export function pathInSchema(schema: any, fieldPath: string): boolean {
  let segments;
  try {
    segments = parseFieldPath(fieldPath);
  } catch {
    return false;
  }
  let node = schema;
  for (const seg of segments) {
    // an index steps into list items; a name into a property, or into a map's values (tags, dimensions, data)
    node =
      typeof seg === 'number'
        ? node?.items
        : (node?.properties?.[seg] ??
          (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined));
  }
  return node !== undefined;
}
