import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { formats } from './formats';
import { FieldError, joinPath, pointerToPath } from './violation';

/**
 * The API server's handling of a custom resource, reproduced offline (apiextensions-apiserver):
 *   1. defaults applied inside parents that exist; non-nullable nulls without default dropped;
 *   2. OpenAPI validation, where any field the structural schema does not declare is an error (kubectl's default
 *      `--validate=strict` turns pruning into `unknown field` errors) unless preserve-unknown-fields allows it;
 *   3. x-kubernetes-list-type set/map uniqueness;
 *   4. x-kubernetes-validations (CEL), skipped when an earlier error blocks it, as the server does.
 * ajv checks the JSON Schema; this file is only the glue from the CRD dialect to it.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const AJV_VERSION: string = require('ajv/package.json').version;

const FORMATS_KEPT = new Set([
  'byte',
  'date',
  'date-time',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uuid',
  'int32',
  'int64',
  'float',
  'double',
]);

/* eslint-disable @typescript-eslint/no-require-imports -- ajv's compiler is loaded only when a schema is compiled */
function makeAjv(formatsModule: string): Ajv {
  const { default: AjvClass, _ } = require('ajv') as typeof import('ajv');
  const ajv = new AjvClass({
    allErrors: true,
    strict: false,
    validateFormats: true,
    code: { source: true, formats: _`require(${formatsModule}).formats` },
  });
  for (const [name, format] of Object.entries(formats)) {
    ajv.addFormat(name, format as any);
  }
  return ajv;
}

function standaloneCode(ajv: Ajv, validate: ValidateFunction): string {
  return (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default(ajv, validate);
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** The formats module compiled validators load, by its path in the project. */
export function formatsModule(projectDir: string): string {
  return path.join(projectDir, 'lib', 'validate', 'formats.js');
}
/** Bump when the conversion to JSON Schema changes, so cached validators are rebuilt. */
const CACHE_FORMAT = 3;

/** A module's code as a function of its `module` and `exports` (the pack's entries). */
type PackedModule = (module: { exports: any }, exports: any) => void;

/**
 * Compiled validators on disk, keyed by a digest of the JSON Schema, ajv's version and this converter's format:
 * compiling the provider's large schemas takes seconds, loading the generated code takes milliseconds. The validators
 * a run used are also kept together in `pack.js`, which the next run loads as one file with V8's code cache
 * (lib/common/code-cache.cjs) instead of compiling dozens of files; an entry is looked up by the same key.
 */
export class CompiledSchemaCache {
  private ajvInstance?: Ajv;
  private pack?: Record<string, PackedModule>;
  private readonly used = new Set<string>();

  /**
   * @param dir where compiled validators are kept
   * @param formats path of formats.js, which the cached code requires (so it is part of the key)
   */
  constructor(
    private readonly dir: string,
    private readonly formats: string,
  ) {}

  /** Made on the first cache miss only: a warm run needs none of ajv's compiler. */
  private get ajv(): Ajv {
    this.ajvInstance ??= makeAjv(this.formats);
    return this.ajvInstance;
  }

  private get packFile(): string {
    return path.join(this.dir, 'pack.js');
  }

  private packed(): Record<string, PackedModule> {
    if (this.pack === undefined) {
      this.pack = {};
      if (fs.existsSync(this.packFile)) {
        try {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { runCached } = require('../common/code-cache.cjs') as {
            runCached: (file: string, opts: { wrapped: boolean }) => any;
          };
          this.pack = runCached(this.packFile, { wrapped: true });
        } catch {
          // an unreadable pack is rewritten by persist(); the files it was made from are used meanwhile
        }
      }
    }
    return this.pack!;
  }

  compile(jsonSchema: any): ValidateFunction {
    const key = createHash('sha256')
      .update(`${AJV_VERSION}|${CACHE_FORMAT}|${this.formats}|${JSON.stringify(jsonSchema)}`)
      .digest('hex')
      .slice(0, 32);
    this.used.add(key);
    const packed = this.packed()[key];
    if (typeof packed === 'function') {
      const mod = { exports: {} as any };
      packed(mod, mod.exports);
      return mod.exports as ValidateFunction;
    }
    const file = path.join(this.dir, `${key}.js`);
    if (fs.existsSync(file)) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(file) as ValidateFunction;
      } catch {
        // an unreadable cache entry is rebuilt below
      }
    }
    const validate = this.ajv.compile(jsonSchema);
    const code = standaloneCode(this.ajv, validate);
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
    return validate;
  }

  /** Rewrites the pack when this run used a validator it lacks; a cache that cannot be written is skipped. */
  persist(): void {
    const pack = this.packed();
    if ([...this.used].every((k) => typeof pack[k] === 'function')) {
      return;
    }
    const tmp = `${this.packFile}.${process.pid}.tmp`;
    try {
      const entries = [...this.used]
        .sort()
        .map(
          (k) =>
            `exports[${JSON.stringify(k)}] = function (module, exports) {\n${fs.readFileSync(path.join(this.dir, `${k}.js`), 'utf8')}\n};\n`,
        );
      // written as the module function Node would wrap it in, so V8 compiles the file's own text (code-cache.cjs)
      fs.writeFileSync(tmp, Module.wrap(`'use strict';\n${entries.join('')}`));
      fs.renameSync(tmp, this.packFile);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

/** Converts one CRD schema node to JSON Schema for ajv. `root` and embedded resources get ObjectMeta room. */
export function toJsonSchema(node: any, opts: { root?: boolean } = {}): any {
  if (!node || typeof node !== 'object') {
    return {};
  }
  const out: any = {};
  if (node.$ref) {
    return { $ref: node.$ref };
  }
  if (node.$defs) {
    out.$defs = Object.fromEntries(Object.entries<any>(node.$defs).map(([k, v]) => [k, toJsonSchema(v)]));
  }
  if (node['x-kubernetes-int-or-string']) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  } else if (node.type) {
    out.type = node.nullable ? [node.type, 'null'] : node.type;
  }
  for (const k of [
    'pattern',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'minProperties',
    'maxProperties',
    'multipleOf',
    'uniqueItems',
    'required',
  ]) {
    if (node[k] !== undefined) {
      out[k] = node[k];
    }
  }
  if (node.enum) {
    out.enum = node.nullable ? [...node.enum, null] : node.enum;
  }
  for (const [bound, exclusive] of [
    ['minimum', 'exclusiveMinimum'],
    ['maximum', 'exclusiveMaximum'],
  ] as const) {
    if (node[bound] !== undefined) {
      out[node[exclusive] === true ? exclusive : bound] = node[bound];
    }
  }
  if (node.format && FORMATS_KEPT.has(node.format)) {
    out.format = node.format;
  }
  const embedded = node['x-kubernetes-embedded-resource'] === true;
  if (node.properties || embedded || opts.root) {
    out.properties = {};
    for (const [k, v] of Object.entries<any>(node.properties ?? {})) {
      out.properties[k] = toJsonSchema(v);
    }
    if (embedded || opts.root) {
      // ObjectMeta is validated by validateMetadata, as the server does, not by the CRD's schema
      out.properties.metadata = { type: 'object' };
      out.properties.apiVersion = { type: 'string' };
      out.properties.kind = { type: 'string' };
    }
    if (embedded) {
      out.required = [...new Set([...(out.required ?? []), 'apiVersion', 'kind'])];
    }
  }
  if (node.items) {
    out.items = Array.isArray(node.items) ? node.items.map((i: any) => toJsonSchema(i)) : toJsonSchema(node.items);
  }
  if (node.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof node.additionalProperties === 'object'
        ? toJsonSchema(node.additionalProperties)
        : node.additionalProperties;
  }
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (node[k]) {
      out[k] = [...(out[k] ?? []), ...node[k].map((n: any) => toJsonSchema(n))];
    }
  }
  if (node.not) {
    out.not = toJsonSchema(node.not);
  }
  const isObject = node.type === 'object' || node.properties !== undefined || embedded || opts.root;
  if (isObject && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Structural defaulting (apiextensions defaulting/algorithm.go), on a copy. */
export function applyDefaults(value: any, schema: any): any {
  if (Array.isArray(value)) {
    return schema?.items ? value.map((v) => applyDefaults(v, schema.items)) : value;
  }
  if (!isObj(value) || !schema) {
    return value;
  }
  const out: Record<string, any> = { ...value };
  const props = schema.properties ?? {};
  for (const [k, s] of Object.entries<any>(props)) {
    if (out[k] === null && !s.nullable) {
      if (s.default !== undefined) {
        out[k] = structuredClone(s.default);
      } else {
        delete out[k];
      }
    } else if (out[k] === undefined && s.default !== undefined) {
      out[k] = structuredClone(s.default);
    }
    if (out[k] !== undefined) {
      out[k] = applyDefaults(out[k], s);
    }
  }
  if (isObj(schema.additionalProperties)) {
    for (const k of Object.keys(out)) {
      if (!(k in props)) {
        out[k] = applyDefaults(out[k], schema.additionalProperties);
      }
    }
  }
  return out;
}

/** x-kubernetes-list-type set/map uniqueness (apiextensions schema/listtype). */
export function listTypeErrors(value: any, schema: any, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  if (!schema) {
    return errs;
  }
  if (Array.isArray(value)) {
    const type = schema['x-kubernetes-list-type'];
    if (type === 'set' || type === 'map') {
      const keys: string[] = schema['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const key = type === 'set' ? JSON.stringify(item) : JSON.stringify(keys.map((k) => item?.[k]));
        if (seen.has(key)) {
          const shown =
            type === 'set' ? JSON.stringify(item) : `map[${keys.map((k) => `${k}:${item?.[k]}`).join(' ')}]`;
          errs.push({
            path: joinPath(path, i),
            rule: 'list-type',
            message: `Duplicate value: ${shown}`,
            type: 'Duplicate',
          });
        }
        seen.add(key);
      });
    }
  }
  return [...errs, ...eachChild(value, schema, path, listTypeErrors)];
}

/** The schema of a child: a declared property, or the value schema of a map. */
function childSchema(schema: any, key: string): any {
  return schema?.properties?.[key] ?? (isObj(schema?.additionalProperties) ? schema.additionalProperties : undefined);
}

/** `visit` applied to every list item and object field of `value`, each with the schema that governs it. */
function eachChild(
  value: any,
  schema: any,
  path: string,
  visit: (v: any, s: any, p: string) => FieldError[],
): FieldError[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => visit(v, schema?.items, joinPath(path, i)));
  }
  if (isObj(value)) {
    return Object.entries(value).flatMap(([k, v]) => visit(v, childSchema(schema, k), joinPath(path, k)));
  }
  return [];
}

const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** Property-name escaping of the Kubernetes CEL environment (`namespace` → `__namespace__`, `a-b` → `a__dash__b`). */
export function escapeCelName(name: string): string {
  if (CEL_RESERVED.has(name)) {
    return `__${name}__`;
  }
  return name
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
}

/** JSON → CEL value, typed by the schema: integers become int (BigInt); declared properties are escaped. */
function toCel(value: any, schema: any): any {
  if (Array.isArray(value)) {
    return value.map((v) => toCel(v, schema?.items));
  }
  if (isObj(value)) {
    const declared = schema?.properties ?? {};
    const m = new Map<string, any>();
    for (const [k, v] of Object.entries(value)) {
      if (v === null) {
        continue;
      }
      const s = declared[k] ?? (isObj(schema?.additionalProperties) ? schema.additionalProperties : undefined);
      m.set(k in declared ? escapeCelName(k) : k, toCel(v, s));
    }
    return m;
  }
  if (typeof value === 'number' && (schema?.type === 'integer' || (schema === undefined && Number.isInteger(value)))) {
    return BigInt(value);
  }
  return value;
}

const celEnvironment = celEnv({ funcs: strings });
const planCache = new Map<string, ReturnType<typeof plan>>();
function celPlan(rule: string) {
  let p = planCache.get(rule);
  if (!p) {
    p = plan(celEnvironment, parse(rule));
    planCache.set(rule, p);
  }
  return p;
}

/** Evaluates every x-kubernetes-validations rule at nodes that are present and not null (cel/validation.go). */
export function celErrors(value: any, schema: any, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  if (!schema || value === undefined || value === null) {
    return errs;
  }
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(rule.rule) && !rule.optionalOldSelf) {
      continue; // transition rules run only on update
    }
    const at = rule.fieldPath
      ? `${path}${rule.fieldPath.startsWith('.') ? '' : '.'}${rule.fieldPath}`
      : path || '(object)';
    const typeName = Array.isArray(value) ? 'array' : isObj(value) ? 'object' : typeof value;
    let result: unknown;
    try {
      result = celPlan(rule.rule)({ self: toCel(value, schema) });
    } catch (e) {
      result = e;
    }
    if (isCelError(result) || result instanceof Error) {
      errs.push({
        path: at,
        rule: 'cel',
        message: `Invalid value: "${typeName}": evaluating rule: ${rule.rule}: ${(result as Error).message}`,
      });
    } else if (result !== true) {
      let message = rule.message ?? `failed rule: ${rule.rule}`;
      if (rule.messageExpression) {
        try {
          const m = celPlan(rule.messageExpression)({ self: toCel(value, schema) });
          if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) {
            message = m;
          }
        } catch {
          // the server falls back to `message`
        }
      }
      const type =
        rule.reason === 'FieldValueRequired'
          ? 'Required'
          : rule.reason === 'FieldValueForbidden'
            ? 'Forbidden'
            : rule.reason === 'FieldValueDuplicate'
              ? 'Duplicate'
              : 'Invalid';
      errs.push({ path: at, rule: 'cel', message: `Invalid value: "${typeName}": ${message}`, type });
    }
  }
  return [...errs, ...eachChild(value, schema, path, celErrors)];
}

const BLOCKING = new Set<FieldError['type']>(['NotSupported', 'Required', 'TooLong', 'TooMany', 'TypeInvalid']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function valueAt(root: any, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce((node, seg) => (node == null ? undefined : node[seg.replace(/~1/g, '/').replace(/~0/g, '~')]), root);
}

/** ajv errors → the API server's wording. */
function fromAjv(errors: ErrorObject[], data: unknown): FieldError[] {
  const out: FieldError[] = [];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const value = valueAt(data, e.instancePath);
    const shown = JSON.stringify(value);
    switch (e.keyword) {
      case 'additionalProperties': {
        const full = joinPath(path === '(object)' ? '' : path, e.params.additionalProperty);
        out.push({ path: full, rule: 'unknown-field', message: `unknown field "${full}"` });
        break;
      }
      case 'type':
        if (anyOfPaths.has(e.instancePath)) break;
        out.push({
          path,
          rule: 'schema',
          message: `Invalid value: "${typeOf(value)}": ${path} in body must be of type ${e.params.type}: "${typeOf(value)}"`,
          type: 'TypeInvalid',
        });
        break;
      case 'anyOf':
        out.push({
          path,
          rule: 'schema',
          message: `Invalid value: ${shown}: ${path} in body must be of type integer or string`,
          type: 'TypeInvalid',
        });
        break;
      case 'enum':
        out.push({
          path,
          rule: 'schema',
          message: `Unsupported value: ${shown}: supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
          type: 'NotSupported',
        });
        break;
      case 'required': {
        const full = joinPath(path === '(object)' ? '' : path, e.params.missingProperty);
        out.push({ path: full, rule: 'schema', message: 'Required value', type: 'Required' });
        break;
      }
      case 'maxLength':
      case 'maxItems':
      case 'maxProperties':
        out.push({
          path,
          rule: 'schema',
          message: `Too ${e.keyword === 'maxLength' ? 'long' : 'many'}: ${e.message}`,
          type: e.keyword === 'maxLength' ? 'TooLong' : 'TooMany',
        });
        break;
      default:
        out.push({ path, rule: 'schema', message: `Invalid value: ${shown}: ${path} in body ${e.message}` });
    }
  }
  return out;
}

/** A compiled validator for one kind's schema. */
/**
 * The part of a schema a value's shape reaches: at every object node only the properties the value has (plus the
 * keywords that judge missing or extra ones: required, additionalProperties, preserve-unknown-fields), at every
 * array one schema per item, with `$ref`s resolved along the way. Validating the value against it gives exactly
 * the errors the whole schema gives; the provider's schemas run to thousands of fields, an object uses dozens, and
 * compiling and loading the validator is what costs.
 */
export function specialize(node: any, value: unknown, defs?: Record<string, any>): any {
  if (!node || typeof node !== 'object') {
    return node;
  }
  if (node.$ref && defs) {
    return specialize(defs[String(node.$ref).replace('#/$defs/', '')], value, defs);
  }
  const { properties, additionalProperties, items, $defs: _defs, ...rest } = node;
  void _defs;
  if (isObj(value) && (properties || isObj(additionalProperties))) {
    const props: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) {
      const s = properties?.[k] ?? (isObj(additionalProperties) ? additionalProperties : undefined);
      if (s !== undefined) {
        props[k] = specialize(s, v, defs);
      }
    }
    // a map's keys all became properties above; nothing else is present to be judged
    return { ...rest, properties: props, ...(isObj(additionalProperties) ? { additionalProperties: true } : {}) };
  }
  if (Array.isArray(value) && items) {
    // an empty tuple is not a schema; an empty array meets only this node's own keywords (minItems and the like)
    return value.length ? { ...rest, items: value.map((v) => specialize(items, v, defs)) } : rest;
  }
  if (isObj(value) || Array.isArray(value)) {
    return { ...rest, ...(additionalProperties !== undefined ? { additionalProperties } : {}) };
  }
  // a scalar (or null) meets only this node's own keywords
  return properties ? { ...rest, properties: {} } : rest;
}

/** What specialize depends on: the tree of keys and array lengths, not the scalar values. */
function shapeOf(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(shapeOf).join(',')}]`;
  }
  if (isObj(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${shapeOf(value[k])}`)
      .join(',')}}`;
  }
  return value === null ? 'n' : 's';
}

/** A validator for one kind's schema, specialized per object shape and cached. */
export class KindSchema {
  private readonly byShape = new Map<string, ValidateFunction>();

  constructor(
    readonly schema: any,
    private readonly cache: CompiledSchemaCache,
  ) {}

  private validatorFor(value: any): ValidateFunction {
    const shape = shapeOf(value);
    let fn = this.byShape.get(shape);
    if (!fn) {
      fn = this.cache.compile(toJsonSchema(specialize(this.schema, value, this.schema.$defs), { root: true }));
      this.byShape.set(shape, fn);
    }
    return fn;
  }

  /** Defaults, schema, list types and CEL, in the server's order. Paths are relative to the object root. */
  validate(object: any): FieldError[] {
    const defaulted = applyDefaults(object, this.schema);
    // the API server drops status on create (status subresource), so it is never validated
    delete defaulted.status;
    const errs: FieldError[] = [];
    const validateFn = this.validatorFor(defaulted);
    if (!validateFn(defaulted)) {
      errs.push(...fromAjv(validateFn.errors ?? [], defaulted));
    }
    errs.push(...listTypeErrors(defaulted, this.schema));
    if (errs.some((e) => BLOCKING.has(e.type))) {
      if (hasRules(this.schema)) {
        errs.push({
          path: '(object)',
          rule: 'cel',
          message:
            'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
        });
      }
      return errs;
    }
    errs.push(...celErrors(defaulted, this.schema));
    return errs;
  }
}

function hasRules(schema: any): boolean {
  return JSON.stringify(schema).includes('"x-kubernetes-validations"');
}
