import { FieldError, joinPath } from './violation';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const KNOWN_METADATA = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

export function isDnsLabel(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** Kubernetes' qualified-name rule for label and annotation keys: `[prefix/]name`. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) {
    return 'a qualified name must consist of an optional DNS subdomain prefix, a "/" and a name';
  }
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length === 0 || !isDnsSubdomain(prefix))) {
    return 'prefix part must be a lowercase RFC 1123 subdomain';
  }
  if (name.length === 0 || name.length > 63) {
    return 'name part must be non-empty and at most 63 characters';
  }
  if (!QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

export interface MetaOptions {
  /** Names must be DNS-1123 labels (e.g. Namespace), not subdomains. */
  readonly nameIsLabel?: boolean;
  readonly namespaced: boolean;
  /** Path prefix for embedded objects. */
  readonly at?: string;
}

/** ObjectMeta validation as the API server does it (apimachinery ValidateObjectMeta), plus strict unknown fields. */
export function validateMetadata(meta: unknown, opts: MetaOptions): FieldError[] {
  const at = opts.at ?? 'metadata';
  const errs: FieldError[] = [];
  const err = (path: string, message: string, type: FieldError['type'] = 'Invalid') =>
    errs.push({ path, rule: 'metadata', message, type });
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    err(at, 'Required value: metadata must be an object', 'Required');
    return errs;
  }
  const m = meta as Record<string, any>;
  for (const key of Object.keys(m)) {
    if (!KNOWN_METADATA.has(key)) {
      errs.push({ path: joinPath(at, key), rule: 'unknown-field', message: `unknown field "${joinPath(at, key)}"` });
    }
  }
  const name = m.name;
  if (name === undefined || name === '') {
    if (!m.generateName) {
      err(joinPath(at, 'name'), 'Required value: name or generateName is required', 'Required');
    }
  } else if (typeof name !== 'string') {
    err(joinPath(at, 'name'), `Invalid value: ${JSON.stringify(name)}: must be a string`, 'TypeInvalid');
  } else if (opts.nameIsLabel ? !isDnsLabel(name) : !isDnsSubdomain(name)) {
    err(
      joinPath(at, 'name'),
      `Invalid value: "${name}": a lowercase RFC 1123 ${opts.nameIsLabel ? 'label (at most 63 characters)' : 'subdomain (at most 253 characters)'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
  if (opts.namespaced) {
    if (m.namespace === undefined || m.namespace === '') {
      err(
        joinPath(at, 'namespace'),
        'Required value: a namespaced kind needs metadata.namespace (Argo CD would otherwise put it wherever the Application points)',
        'Required',
      );
    } else if (typeof m.namespace !== 'string' || !isDnsLabel(m.namespace)) {
      err(
        joinPath(at, 'namespace'),
        `Invalid value: ${JSON.stringify(m.namespace)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
      );
    }
  } else if (m.namespace !== undefined) {
    err(
      joinPath(at, 'namespace'),
      `Forbidden: not allowed on this type (cluster-scoped kind), got ${JSON.stringify(m.namespace)}`,
      'Forbidden',
    );
  }
  for (const [field, isLabel] of [
    ['labels', true],
    ['annotations', false],
  ] as const) {
    const map = m[field];
    if (map === undefined) {
      continue;
    }
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      err(joinPath(at, field), `Invalid value: must be a map of strings`, 'TypeInvalid');
      continue;
    }
    let bytes = 0;
    for (const [k, v] of Object.entries(map)) {
      const p = `${joinPath(at, field)}[${JSON.stringify(k)}]`;
      const keyProblem = qualifiedNameProblem(isLabel ? k : k.toLowerCase());
      if (keyProblem) {
        err(p, `Invalid value: "${k}": ${keyProblem}`);
      }
      if (typeof v !== 'string') {
        err(p, `Invalid value: ${JSON.stringify(v)}: must be a string`, 'TypeInvalid');
        continue;
      }
      bytes += k.length + v.length;
      if (isLabel && (v.length > 63 || !LABEL_VALUE.test(v))) {
        err(
          p,
          `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', at most 63, starting and ending with an alphanumeric character`,
        );
      }
    }
    if (!isLabel && bytes > MAX_ANNOTATIONS_BYTES) {
      err(joinPath(at, field), `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes`, 'TooLong');
    }
  }
  return errs;
}
