import type { Kube, KubeObject } from './kube';
import { objectRef } from './kube';

/** Value at a dotted field path (`status.atProvider.endpoint`, `data.alb_dns_name`); undefined when absent. */
export function valueAt(o: unknown, fieldPath: string): unknown {
  const parts = fieldPath.match(/[^.[\]]+/g) ?? [];
  return parts.reduce<any>((v, k) => (v === undefined || v === null ? undefined : v[k]), o);
}

/** One late-bound field: where a value is written, where it is read from, and both live values. */
export interface LateBinding {
  readonly object: string;
  readonly target: string;
  readonly toFieldPath: string;
  readonly source: string;
  readonly fieldPath: string;
  readonly sourceValue: unknown;
  readonly targetValue: unknown;
  readonly ok: boolean;
}

/**
 * Every `patchesFrom` reference of the given provider-kubernetes Objects, checked on the live cluster:
 * the managed object's `toFieldPath` must hold the source's `fieldPath` value (and that value must exist).
 */
export async function lateBindings(kube: Kube, objects: readonly KubeObject[]): Promise<LateBinding[]> {
  const out: LateBinding[] = [];
  for (const o of objects.filter((x) => x.kind === 'Object' && x.apiVersion.startsWith('kubernetes.'))) {
    const manifest = o.spec?.forProvider?.manifest;
    for (const ref of o.spec?.references ?? []) {
      const src = ref.patchesFrom;
      if (!src?.fieldPath) continue;
      const source = await kube.find(src.apiVersion, src.kind, src.namespace, src.name);
      const target = await kube.find(
        manifest.apiVersion,
        manifest.kind,
        manifest.metadata?.namespace ?? o.metadata.namespace,
        manifest.metadata.name,
      );
      const sourceValue = source ? valueAt(source, src.fieldPath) : undefined;
      const toFieldPath = ref.toFieldPath ?? src.fieldPath;
      const targetValue = target ? valueAt(target, toFieldPath) : undefined;
      out.push({
        object: objectRef(o),
        target: objectRef(manifest),
        toFieldPath,
        source: `${src.kind} ${src.namespace ? `${src.namespace}/` : ''}${src.name}`,
        fieldPath: src.fieldPath,
        sourceValue,
        targetValue,
        ok: sourceValue !== undefined && sourceValue !== '' && sourceValue === targetValue,
      });
    }
  }
  return out;
}

/** Last health per object from argocd-harness sync reports (`health` samples in time order). */
export function finalHealth(reports: readonly any[]): Map<string, { status: string; message: string }> {
  const last = new Map<string, { status: string; message: string }>();
  for (const r of reports) {
    for (const s of r?.health ?? []) {
      last.set(`${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`, { status: s.status, message: s.message });
    }
  }
  return last;
}

/** What a first sync found: a failed sync, objects ever Degraded or never Healthy, late-bound fields. */
export interface SyncOutcome {
  readonly failure?: Error;
  readonly degraded: readonly string[];
  readonly notHealthy: readonly string[];
  readonly bindings: readonly Pick<LateBinding, 'ok' | 'object' | 'toFieldPath' | 'source' | 'fieldPath'>[];
}

/**
 * Why a sync did not converge, one line per problem (the first `limit`, then how many more), or none when it did.
 * A scenario run alone (`-t ImageRollout`) skips the FirstSync test, so its own failure has to carry the reasons.
 */
export function convergenceProblems(r: SyncOutcome, limit = 10): string[] {
  const all = [
    // a failed sync's message is `sync of <app> exited <code>:` and the program's last lines; a usage text after
    // the error says nothing about it
    ...(r.failure ? [failureText(r.failure)] : []),
    ...r.degraded.map((d) => `ever Degraded: ${d}`),
    ...r.notHealthy.map((n) => `not Healthy: ${n}`),
    ...r.bindings
      .filter((b) => !b.ok)
      .map((b) => `${b.object}: ${b.toFieldPath} does not hold ${b.source} ${b.fieldPath}`),
  ];
  return all.length > limit ? [...all.slice(0, limit), `... and ${all.length - limit} more`] : all;
}

function failureText(failure: Error): string {
  const lines = failure.message.split('\n').map((l) => l.trim());
  const usage = lines.findIndex((l) => /^usage:/.test(l));
  return (usage < 0 ? lines : lines.slice(0, usage)).filter(Boolean).slice(0, 5).join(' ');
}
