import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Schemas for the Kubernetes built-in kinds we emit, derived from @kubernetes/client-node's generated models (the
 * Kubernetes OpenAPI spec of its release): each model's `attributeTypeMap` gives the fields and their types, its
 * `.d.ts` which fields are required. The result is a CRD-style structural schema, so built-in objects go through the
 * same strict pipeline as custom resources.
 */

export interface BuiltinKind {
  readonly model: string;
  readonly namespaced: boolean;
  readonly nameIsLabel?: boolean;
}

/** The built-in kinds this project may emit, with their scope (the scope is not in the models). */
export const BUILTIN_KINDS: Readonly<Record<string, BuiltinKind>> = {
  'v1/Namespace': { model: 'V1Namespace', namespaced: false, nameIsLabel: true },
  'v1/ConfigMap': { model: 'V1ConfigMap', namespaced: true },
  'v1/Secret': { model: 'V1Secret', namespaced: true },
  'v1/ServiceAccount': { model: 'V1ServiceAccount', namespaced: true },
  'batch/v1/Job': { model: 'V1Job', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: 'V1ClusterRole', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { model: 'V1ClusterRoleBinding', namespaced: false },
  'rbac.authorization.k8s.io/v1/Role': { model: 'V1Role', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: 'V1RoleBinding', namespaced: true },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': {
    model: 'V1ValidatingAdmissionPolicy',
    namespaced: false,
  },
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': {
    model: 'V1ValidatingAdmissionPolicyBinding',
    namespaced: false,
  },
};

interface Attribute {
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

export class BuiltinSchemas {
  private readonly modelsDir: string;
  private readonly cache = new Map<string, any>();

  constructor() {
    const pkg = require.resolve('@kubernetes/client-node/package.json');
    this.modelsDir = path.join(path.dirname(pkg), 'dist', 'gen', 'models');
  }

  /** The schema of a built-in kind, or undefined when it is not one we support. */
  schemaFor(apiVersion: string, kind: string): { schema: any; info: BuiltinKind } | undefined {
    const info = BUILTIN_KINDS[`${apiVersion}/${kind}`];
    if (!info) {
      return undefined;
    }
    const defs: Record<string, any> = {};
    this.collect(info.model, defs);
    const schema = structuredClone(defs[info.model]);
    schema.$defs = defs;
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])];
    schema.properties.apiVersion = { type: 'string', enum: [apiVersion] };
    schema.properties.kind = { type: 'string', enum: [kind] };
    delete schema.properties.status;
    return { schema, info };
  }

  private attributes(model: string): { attrs: Attribute[]; required: string[] } {
    const js = fs.readFileSync(path.join(this.modelsDir, `${model}.js`), 'utf8');
    const start = js.indexOf(`${model}.attributeTypeMap = [`);
    if (start < 0) {
      throw new Error(`client-node model ${model} has no attributeTypeMap`);
    }
    const open = js.indexOf('[', start);
    const close = js.indexOf('];', open);
    const attrs = JSON.parse(js.slice(open, close + 1)) as Attribute[];
    const dts = fs.readFileSync(path.join(this.modelsDir, `${model}.d.ts`), 'utf8');
    const required = [...dts.matchAll(/^\s+'([^']+)': /gm)].map((m) => m[1]);
    return { attrs, required };
  }

  /** Adds `model` and every model it uses to `defs`; models refer to each other with `$ref`. */
  private collect(model: string, defs: Record<string, any>): void {
    if (defs[model]) {
      return;
    }
    let schema = this.cache.get(model);
    if (!schema) {
      const { attrs, required } = this.attributes(model);
      const properties: Record<string, any> = {};
      for (const a of attrs) {
        properties[a.baseName] = this.type(a.type, a.format);
      }
      schema = { type: 'object', properties, ...(required.length ? { required } : {}) };
      this.cache.set(model, schema);
    }
    defs[model] = schema;
    for (const ref of JSON.stringify(schema).matchAll(/"#\/\$defs\/(\w+)"/g)) {
      this.collect(ref[1], defs);
    }
  }

  private type(type: string, format: string): any {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
      return { type: 'array', items: this.type(array[1], format) };
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      return { type: 'object', additionalProperties: this.type(map[1], format) };
    }
    switch (type) {
      case 'string':
        return format === 'byte' || format === 'date-time' ? { type: 'string', format } : { type: 'string' };
      case 'number':
        return format === 'int32' || format === 'int64' ? { type: 'integer', format } : { type: 'number' };
      case 'boolean':
        return { type: 'boolean' };
      case 'Date':
        return { type: 'string', format: 'date-time' };
      case 'IntOrString':
        return { 'x-kubernetes-int-or-string': true };
      case 'any':
      case 'object':
        return { 'x-kubernetes-preserve-unknown-fields': true };
      default:
        return { $ref: `#/$defs/${type}` };
    }
  }
}
