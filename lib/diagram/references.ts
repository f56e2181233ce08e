/**
 * The references between synthesized objects, read from the objects themselves: Crossplane `*Ref`, `*Refs` and
 * `*Selector` fields (managed resources, and a manifest a provider-kubernetes Object wraps), Kubernetes `*Ref`
 * fields that name their kind (RoleBinding `roleRef`, Provider `runtimeConfigRef`, Usage `of`/`by`), and
 * provider-kubernetes `references[].patchesFrom` / `dependsOn`.
 */

/** Where an object is, enough to find it again. */
export interface ObjectId {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
}

/** An object a reference may name, with its labels for selectors. */
export interface Candidate extends ObjectId {
  readonly labels?: Readonly<Record<string, string>>;
}

/** One reference from a field of `from` to the object(s) it names. */
export interface Reference {
  readonly from: ObjectId;
  /** The field holding the reference, in `a.b[0].c` notation from the object root. */
  readonly path: string;
  /** A short label: the field's own name, with the parent's for fields named only by context (`of.resourceRef`). */
  readonly label: string;
  /** What the field names. A selector names labels instead. */
  readonly target: {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly matchLabels?: Readonly<Record<string, string>>;
  };
}

/**
 * `providerConfigRef` is on every managed resource and names credentials, not a dependency: it is summarized per
 * diagram instead of drawn as an edge.
 */
export const SUMMARIZED_REFERENCES = new Set(['providerConfigRef']);

/** provider-kubernetes v1.2.1 defaults a reference source to an Object (apis/namespaced/object/v1alpha1). */
const OBJECT_API_VERSION = 'kubernetes.m.crossplane.io/v1alpha1';

export function idOf(o: any): ObjectId {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata?.name,
  };
}

/** Every reference in `object`, in field order; `providerConfigRef` included (callers decide how to show it). */
export function referencesOf(object: any): Reference[] {
  const from = idOf(object);
  const out: Reference[] = [];
  const walk = (value: any, path: string, parent: any, parentKey: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`, parent, parentKey));
      return;
    }
    if (!value || typeof value !== 'object') {
      return;
    }
    for (const [k, v] of Object.entries<any>(value)) {
      const p = path ? `${path}.${k}` : k;
      if (k === 'metadata' || k === 'status') {
        continue;
      }
      // a field that names only an object (Usage `of: {apiVersion, kind, resourceRef}`) takes its kind from the parent
      const byParent = typeof value.kind === 'string' && typeof v?.name === 'string' && !v.kind;
      const label = byParent && parentKey ? `${parentKey}.${k}` : k;
      const named = (r: any, at: string) =>
        out.push({
          from,
          path: at,
          label,
          target: {
            ...(r.apiVersion || (byParent && value.apiVersion) ? { apiVersion: r.apiVersion ?? value.apiVersion } : {}),
            ...(r.kind || byParent ? { kind: r.kind ?? value.kind } : {}),
            ...(r.namespace ? { namespace: r.namespace } : {}),
            name: r.name,
          },
        });
      if (k.endsWith('Refs') && Array.isArray(v)) {
        v.forEach((r, i) => typeof r?.name === 'string' && named(r, `${p}[${i}]`));
      } else if (k.endsWith('Ref') && typeof v?.name === 'string') {
        named(v, p);
      } else if (k.endsWith('Selector') && v?.matchLabels && typeof v.matchLabels === 'object') {
        out.push({
          from,
          path: p,
          label: k,
          target: { ...(v.namespace ? { namespace: v.namespace } : {}), matchLabels: v.matchLabels },
        });
      } else if ((k === 'patchesFrom' || k === 'dependsOn') && typeof v?.name === 'string') {
        out.push({
          from,
          path: p,
          label: k === 'patchesFrom' && v.fieldPath ? `patchesFrom ${v.fieldPath}` : k,
          target: {
            apiVersion: v.apiVersion ?? OBJECT_API_VERSION,
            kind: v.kind ?? 'Object',
            ...(v.namespace ? { namespace: v.namespace } : {}),
            name: v.name,
          },
        });
      } else {
        walk(v, p, value, k);
      }
    }
  };
  walk(object, '', undefined, '');
  return out;
}

/**
 * The objects a reference names among `candidates`: by kind when the field says it, in the reference's namespace,
 * else the referring object's, else cluster-scoped (a RoleBinding's ClusterRole). A Crossplane `*Ref` names no
 * kind (the CRD's description does); among several same-named (or, for a selector, same-labelled) objects, those
 * whose kind the field name ends with are taken (`vpcIdRef` → VPC), else all of them.
 */
export function resolve<C extends Candidate>(ref: Reference, candidates: readonly C[]): C[] {
  const t = ref.target;
  const inNs = (ns: string | undefined) =>
    candidates.filter(
      (c) =>
        c.namespace === ns &&
        (!t.kind || c.kind === t.kind) &&
        (!t.apiVersion || c.apiVersion === t.apiVersion) &&
        (t.name === undefined || c.name === t.name),
    );
  const ns = t.namespace ?? ref.from.namespace;
  let hits = inNs(ns);
  if (hits.length === 0 && ns !== undefined) {
    hits = inNs(undefined);
  }
  if (t.matchLabels) {
    hits = hits.filter((c) => matches(c.labels, t.matchLabels!));
  }
  if (hits.length > 1 && !t.kind) {
    const field = ref.label.replace(/(Id|Arn|Name|Identifier)?(Ref|Refs|Selector)$/, '').toLowerCase();
    const byKind = hits.filter((c) => field.endsWith(c.kind.toLowerCase()));
    return byKind.length > 0 ? byKind : hits;
  }
  return hits;
}

function matches(
  labels: Readonly<Record<string, string>> | undefined,
  selector: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
