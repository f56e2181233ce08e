import { diffValues, FieldChange, leaves } from './diff';
import { awsView, AwsView, getPath, objectKey, PlanObject, typeOf } from './objects';
import { REPLACEMENT_TABLE, ruleFor } from './replacement';

/** Worst first. */
export const CHANGE_CLASSES = ['destroy', 'stuck', 'rollout', 'in-place'] as const;
export type ChangeClass = (typeof CHANGE_CLASSES)[number];
export type Action = 'create' | 'delete' | 'rename' | 'update';

export interface FieldPlan extends FieldChange {
  readonly class: ChangeClass;
  readonly reason: string;
  /** `<file>:<line>` in TF_AWS_MODULE backing the class */
  readonly source?: readonly string[];
}

export interface ObjectRef {
  /** `<group>/<Kind>` (`core/<Kind>` for the core group) */
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
}

export interface PlanEntry extends ObjectRef {
  readonly scope: string;
  readonly action: Action;
  readonly class: ChangeClass;
  /** Data loss or a production resource going away: the plan fails unless destruction is allowed. */
  readonly red: boolean;
  /** The AWS kind when the object is (or wraps) a managed resource. */
  readonly awsKind?: string;
  /** For a rename: the object it replaces. */
  readonly from?: ObjectRef;
  readonly reasons: readonly string[];
  readonly fields: readonly FieldPlan[];
}

export interface ScopePlan {
  readonly scope: string;
  readonly production: boolean;
  readonly entries: readonly PlanEntry[];
  readonly unchanged: number;
}

/**
 * Kinds whose deletion loses data. Aurora keeps no data once its cluster and instances are gone (a final snapshot
 * only where configured); the bucket holds the load balancer's access logs; SSM parameters and secrets hold values
 * consumers read; the repository holds every pushed image.
 */
export const STATEFUL_KINDS: Readonly<Record<string, string>> = {
  'rds.aws.m.upbound.io/Cluster': 'database cluster',
  'rds.aws.m.upbound.io/ClusterInstance': 'database instance',
  's3.aws.m.upbound.io/Bucket': 'log bucket',
  'ssm.aws.m.upbound.io/Parameter': 'SSM parameter',
  'secretsmanager.aws.m.upbound.io/Secret': 'secret',
  'ecr.aws.m.upbound.io/Repository': 'image repository',
};

const TASK_DEFINITION = 'ecs.aws.m.upbound.io/TaskDefinition';
const ECS_SERVICE = 'ecs.aws.m.upbound.io/Service';
const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const RENAME_SIMILARITY = 0.5;

const rank = (c: ChangeClass) => CHANGE_CLASSES.indexOf(c);
export const worst = (classes: readonly ChangeClass[]): ChangeClass =>
  classes.reduce<ChangeClass>((w, c) => (rank(c) < rank(w) ? c : w), 'in-place');

const ref = (o: PlanObject): ObjectRef => ({ type: typeOf(o), namespace: o.namespace, name: o.name });

function identityless(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...body };
  delete rest.apiVersion;
  delete rest.kind;
  const meta: Record<string, unknown> = { ...((body.metadata ?? {}) as Record<string, unknown>) };
  delete meta.name;
  delete meta.namespace;
  return { ...rest, metadata: meta };
}

const WHEN: Readonly<Record<string, string>> = {
  'major-version': ' (a major version change)',
  'fewer-items': ' (items removed or swapped)',
  'to-or-from-empty': ' (list emptied or first set)',
  'unless-force-new-deployment': ' (without forceNewDeployment)',
};

const major = (v: unknown) => String(v ?? '').split('.')[0];
const length = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/** The class of one changed field of an object that stays (same identity). */
export function classifyField(change: FieldChange, before: AwsView | undefined, after: AwsView | undefined): FieldPlan {
  const view = after ?? before;
  const prefix = view ? `${view.forProviderPath}.` : undefined;
  if (!view || !prefix || !change.path.startsWith(prefix)) {
    return { ...change, class: 'in-place', reason: 'Kubernetes object field; nothing in AWS is replaced' };
  }
  const rel = change.path.slice(prefix.length);
  if (view.kind === ECS_SERVICE && /^taskDefinition(Ref)?(\.|$)/.test(rel)) {
    return {
      ...change,
      class: 'rollout',
      reason: 'the service replaces its running tasks with the new task definition',
    };
  }
  if (view.kind === ECS_SERVICE && rel.startsWith('capacityProviderStrategy')) {
    if (after?.forProvider.forceNewDeployment === true) {
      return {
        ...change,
        class: 'rollout',
        reason: 'forceNewDeployment is set: a new deployment moves every task to the new capacity providers',
        source: ['internal/service/ecs/service.go:2608'],
      };
    }
    return {
      ...change,
      class: 'stuck',
      reason: 'Terraform refuses a capacity provider strategy change while forceNewDeployment is false',
      source: ['internal/service/ecs/service.go:2608'],
    };
  }
  const found = ruleFor(view.kind, rel);
  if (!found) {
    return {
      ...change,
      class: 'stuck',
      reason: 'field not in the replacement table: check whether AWS can change it in place',
    };
  }
  const { key, rule } = found;
  const resource = REPLACEMENT_TABLE[view.kind].resource;
  const at = (v: AwsView | undefined) => (v ? getPath(v.forProvider, key) : undefined);
  let stuck: boolean;
  switch (rule.replace) {
    case 'never':
      stuck = false;
      break;
    case 'always':
      stuck = true;
      break;
    case 'major-version':
      stuck = major(at(before)) !== major(at(after));
      break;
    case 'fewer-items':
      stuck = length(at(after)) <= length(at(before));
      break;
    case 'to-or-from-empty':
      stuck = (length(at(before)) === 0) !== (length(at(after)) === 0);
      break;
    case 'unless-force-new-deployment':
      stuck = after?.forProvider.forceNewDeployment !== true;
      break;
  }
  return stuck
    ? {
        ...change,
        class: 'stuck',
        reason: `${resource}.${key} can only be set when AWS creates the resource${WHEN[rule.replace] ?? ''}; the provider refuses the update`,
        source: rule.source,
      }
    : { ...change, class: 'in-place', reason: `${resource}.${key} is updated in place`, source: rule.source };
}

/**
 * Whether deleting the object deletes the AWS resource: not when its managementPolicies omit Delete
 * (crossplane-runtime v2.2.0 pkg/reconciler/managed/reconciler.go:972, policies.go:230) or its deletionPolicy is
 * Orphan.
 */
function deletesInAws(o: PlanObject, view: AwsView | undefined): boolean {
  if (!view) {
    return false;
  }
  const spec = (
    view.forProviderPath.startsWith('spec.forProvider.manifest.')
      ? getPath(o.body, 'spec.forProvider.manifest.spec')
      : getPath(o.body, 'spec')
  ) as Record<string, unknown> | undefined;
  const policies = spec?.managementPolicies;
  if (Array.isArray(policies) && !policies.includes('*') && !policies.includes('Delete')) {
    return false;
  }
  return spec?.deletionPolicy !== 'Orphan';
}

function similarity(a: AwsView, b: AwsView): number {
  const set = (v: AwsView) =>
    new Set(
      leaves(v.forProvider)
        .filter(([p]) => !p.startsWith('tags.'))
        .map(([p, x]) => `${p}=${JSON.stringify(x)}`),
    );
  const sa = set(a);
  const sb = set(b);
  const common = [...sa].filter((x) => sb.has(x)).length;
  const union = new Set([...sa, ...sb]).size;
  return union === 0 ? 0 : common / union;
}

/**
 * Pairs removed and added managed resources that are the same resource under another name, namespace or kind: the
 * same external name, or the same kind with mostly the same spec (tags aside). Greedy by similarity, deterministic.
 */
export function pairRenames(removed: readonly PlanObject[], added: readonly PlanObject[]): [PlanObject, PlanObject][] {
  const candidates: { r: PlanObject; a: PlanObject; score: number }[] = [];
  for (const r of removed) {
    const rv = awsView(r);
    for (const a of added) {
      const av = awsView(a);
      if (!rv || !av) {
        continue;
      }
      if (rv.externalName && rv.externalName === av.externalName) {
        candidates.push({ r, a, score: 2 });
      } else if (rv.kind === av.kind) {
        const score = similarity(rv, av);
        if (score >= RENAME_SIMILARITY) {
          candidates.push({ r, a, score });
        }
      }
    }
  }
  candidates.sort(
    (x, y) =>
      y.score - x.score || objectKey(x.r).localeCompare(objectKey(y.r)) || objectKey(x.a).localeCompare(objectKey(y.a)),
  );
  const used = new Set<PlanObject>();
  const pairs: [PlanObject, PlanObject][] = [];
  for (const { r, a } of candidates) {
    if (!used.has(r) && !used.has(a)) {
      used.add(r);
      used.add(a);
      pairs.push([r, a]);
    }
  }
  return pairs;
}

/**
 * Whether a scope is production: its Argo CD Application keeps resources (`Prune=false` on the Application), or its
 * resources carry the production profile's `Environment: production` tag.
 */
export function isProduction(scope: string, objects: readonly PlanObject[]): boolean {
  return objects.some((o) => {
    if (typeOf(o) === 'argoproj.io/Application') {
      const source = String(getPath(o.body, 'spec.source.path') ?? '');
      return source.endsWith(`/environments/${scope}`) && annotation(o, ARGO_SYNC_OPTIONS).includes('Prune=false');
    }
    const view = o.scope === scope ? awsView(o) : undefined;
    return view !== undefined && getPath(view.forProvider, 'tags.Environment') === 'production';
  });
}

const annotation = (o: PlanObject, key: string): string =>
  String((getPath(o.body, 'metadata.annotations') as Record<string, unknown> | undefined)?.[key] ?? '');

function removal(o: PlanObject, production: boolean, renamedTo?: PlanObject): PlanEntry {
  const view = awsView(o);
  const base = { scope: o.scope, ...ref(o), awsKind: view?.kind };
  if (renamedTo) {
    const to = ref(renamedTo);
    // a rename makes a new resource: its differing fields are part of that, not updates of their own
    const fields = diffValues(identityless(o.body), identityless(renamedTo.body)).map((c): FieldPlan => ({
      ...c,
      class: 'in-place',
      reason: 'differs from the object it replaces',
    }));
    if (view?.kind === TASK_DEFINITION) {
      return {
        ...base,
        ...to,
        from: ref(o),
        action: 'rename',
        class: 'rollout',
        red: false,
        reasons: ['a new task definition revision: the service rolls its tasks onto it'],
        fields,
      };
    }
    const stateful = view ? STATEFUL_KINDS[view.kind] : undefined;
    const reasons = [
      view && !deletesInAws(o, view)
        ? `renamed: ${o.name} stays in AWS, orphaned, and ${renamedTo.name} is created empty; its data stays behind`
        : `renamed: Crossplane deletes ${o.name} in AWS and creates ${renamedTo.name}; whatever the old one holds is lost`,
      ...(stateful ? [`stateful: ${stateful}`] : []),
      ...(production ? ['production environment'] : []),
    ];
    return {
      ...base,
      ...to,
      from: ref(o),
      action: 'rename',
      class: 'destroy',
      red: Boolean(stateful) || production,
      reasons,
      fields,
    };
  }
  if (!view) {
    return { ...base, action: 'delete', class: 'in-place', red: false, reasons: ['removed from Git'], fields: [] };
  }
  const stateful = STATEFUL_KINDS[view.kind];
  const sync = annotation(o, ARGO_SYNC_OPTIONS);
  return {
    ...base,
    action: 'delete',
    class: 'destroy',
    red: Boolean(stateful) || production,
    reasons: [
      deletesInAws(o, view)
        ? 'Crossplane deletes it in AWS once Argo CD prunes it'
        : 'its policies keep it in AWS, orphaned: nothing manages it any more',
      ...(stateful ? [`stateful: ${stateful}`] : []),
      ...(production ? ['production environment'] : []),
      ...(sync.includes('Prune=false')
        ? ['Argo CD does not prune it (Prune=false): it stays until deleted by hand']
        : []),
    ],
    fields: [],
  };
}

const entryOrder = (a: PlanEntry, b: PlanEntry) =>
  rank(a.class) - rank(b.class) ||
  Number(b.red) - Number(a.red) ||
  (a.awsKind ?? a.type).localeCompare(b.awsKind ?? b.type) ||
  a.namespace.localeCompare(b.namespace) ||
  a.name.localeCompare(b.name);

/** Scopes in reading order: environments by name, then platform, then argocd. */
export const scopeOrder = (a: string, b: string) => {
  const w = (s: string) => (s === 'platform' ? 1 : s === 'argocd' ? 2 : 0);
  return w(a) - w(b) || a.localeCompare(b);
};

/** Compares two synthesized object sets scope by scope and classifies every difference, worst first. */
export function planChanges(before: readonly PlanObject[], after: readonly PlanObject[]): ScopePlan[] {
  const all = [...before, ...after];
  const scopes = [...new Set(all.map((o) => o.scope))].sort(scopeOrder);
  return scopes.map((scope) => {
    const production = isProduction(scope, all);
    const b = new Map(before.filter((o) => o.scope === scope).map((o) => [objectKey(o), o]));
    const a = new Map(after.filter((o) => o.scope === scope).map((o) => [objectKey(o), o]));
    const removed = [...b.keys()].filter((k) => !a.has(k)).map((k) => b.get(k)!);
    const added = [...a.keys()].filter((k) => !b.has(k)).map((k) => a.get(k)!);
    const pairs = pairRenames(removed, added);
    const paired = new Set(pairs.flat());
    const entries: PlanEntry[] = [];
    let unchanged = 0;
    for (const [r, n] of pairs) {
      entries.push(removal(r, production, n));
    }
    for (const r of removed.filter((o) => !paired.has(o))) {
      entries.push(removal(r, production));
    }
    for (const n of added.filter((o) => !paired.has(o))) {
      entries.push({
        scope,
        ...ref(n),
        awsKind: awsView(n)?.kind,
        action: 'create',
        class: 'in-place',
        red: false,
        reasons: [awsView(n) ? 'Crossplane creates it in AWS' : 'created in the cluster'],
        fields: [],
      });
    }
    for (const [k, o] of b) {
      const n = a.get(k);
      if (!n) {
        continue;
      }
      const changes = diffValues(identityless(o.body), identityless(n.body));
      if (changes.length === 0) {
        unchanged++;
        continue;
      }
      const fields = changes.map((c) => classifyField(c, awsView(o), awsView(n)));
      const cls = worst(fields.map((f) => f.class));
      entries.push({
        scope,
        ...ref(n),
        awsKind: awsView(n)?.kind,
        action: 'update',
        class: cls,
        red: false,
        reasons: [...new Set(fields.filter((f) => f.class === cls).map((f) => f.reason))],
        fields,
      });
    }
    return { scope, production, entries: entries.sort(entryOrder), unchanged };
  });
}
