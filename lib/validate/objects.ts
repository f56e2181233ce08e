import { apiGroup as groupOf } from '../common/field-path';

/** An object to validate and where it came from. Embedded manifests carry their parent and path. */
export interface SourcedObject {
  readonly file: string;
  readonly object: any;
  /** For a manifest wrapped in a provider-kubernetes Object: the wrapping object and the path of the manifest. */
  readonly embeddedIn?: { readonly object: any; readonly path: string };
}

export function key(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiVersion}|${kind}|${namespace ?? ''}|${name}`;
}

export { groupOf };

/** All objects by kind, namespace and name, for reference resolution; every lookup is a map access. */
export class ObjectIndex {
  private readonly byKey = new Map<string, SourcedObject>();
  private readonly byKind = new Map<string, SourcedObject[]>();
  private readonly byName = new Map<string, SourcedObject[]>();
  readonly all: SourcedObject[] = [];

  constructor(objects: readonly SourcedObject[]) {
    const push = (map: Map<string, SourcedObject[]>, k: string, o: SourcedObject) => {
      const list = map.get(k);
      if (list) list.push(o);
      else map.set(k, [o]);
    };
    for (const o of objects) {
      const m = o.object?.metadata ?? {};
      this.byKey.set(key(o.object?.apiVersion, o.object?.kind, m.namespace, m.name), o);
      const group = groupOf(o.object?.apiVersion ?? '');
      push(this.byKind, `${group}|${o.object?.kind}|*`, o);
      push(this.byKind, `${group}|${o.object?.kind}|${m.namespace ?? ''}`, o);
      push(this.byName, `${m.namespace ?? ''}|${m.name}`, o);
      this.all.push(o);
    }
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): SourcedObject | undefined {
    return this.byKey.get(key(apiVersion, kind, namespace, name));
  }

  /** Objects of a kind in a group (any version), in a namespace or, when none is given, anywhere. */
  ofKind(group: string, kind: string, namespace?: string): SourcedObject[] {
    return this.byKind.get(`${group}|${kind}|${namespace ?? '*'}`) ?? [];
  }

  named(name: string, namespace: string | undefined): SourcedObject[] {
    return this.byName.get(`${namespace ?? ''}|${name}`) ?? [];
  }
}
