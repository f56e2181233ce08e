import * as fs from 'node:fs';
import * as https from 'node:https';

// A small Kubernetes REST client on node:https. @kubernetes/client-node 2.0.1 cannot be loaded on
// Node 20: it imports undici 8, which needs Node >= 22.19 (zlib.createZstdDecompress).

/** What a client authenticates with: a client certificate or a bearer token. */
export interface Credentials {
  readonly server: string;
  readonly caFile: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly token?: string;
}

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    ownerReferences?: unknown[];
    managedFields?: { manager?: string; operation?: string; subresource?: string; fieldsV1?: unknown }[];
    [k: string]: unknown;
  };
  [k: string]: any;
}

/** An error answer of the API server, with its HTTP status and `Status.reason`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface ApplyOptions {
  readonly fieldManager: string;
  readonly dryRun?: boolean;
  /** Take over fields other managers own (what `kubectl apply --server-side --force-conflicts` does). */
  readonly force?: boolean;
}

export function objectRef(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

export class Kube {
  private readonly agent: https.Agent;
  private readonly discovery = new Map<string, Map<string, Resource>>();

  constructor(readonly credentials: Credentials) {
    this.agent = new https.Agent({
      keepAlive: true,
      ca: fs.readFileSync(credentials.caFile),
      cert: credentials.certFile ? fs.readFileSync(credentials.certFile) : undefined,
      key: credentials.keyFile ? fs.readFileSync(credentials.keyFile) : undefined,
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request; JSON in and out. Rejects with ApiError for any status >= 400. */
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    timeoutMs = 60_000,
  ): Promise<T> {
    const url = new URL(path, this.credentials.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      // Node frames a DELETE (or GET) body with neither Content-Length nor chunked encoding
      // (useChunkedEncodingByDefault is false for those methods), so the API server reads it as the
      // start of the next request on the kept-alive connection and answers that one with a bare 400.
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    if (this.credentials.token) headers.Authorization = `Bearer ${this.credentials.token}`;
    return new Promise<T>((resolve, reject) => {
      const req = https.request(url, { method, agent: this.agent, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = text;
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) {
            const message = typeof json === 'object' && json?.message ? json.message : text;
            reject(new ApiError(status, json?.reason ?? '', `${method} ${url.pathname}: ${status} ${message}`, json));
          } else resolve(json as T);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Plural and scope of `kind` in `apiVersion`, from API discovery (asked again when not found). */
  async resource(apiVersion: string, kind: string): Promise<Resource> {
    let kinds = this.discovery.get(apiVersion);
    if (!kinds || !kinds.has(kind)) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      let list: { resources: { name: string; kind: string; namespaced: boolean }[] };
      try {
        list = await this.request('GET', path);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new ApiError(404, 'NotFound', `the API server does not serve ${apiVersion} (kind ${kind})`);
        }
        throw e;
      }
      kinds = new Map();
      for (const r of list.resources) {
        if (!r.name.includes('/')) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
      }
      this.discovery.set(apiVersion, kinds);
    }
    const r = kinds.get(kind);
    if (!r) throw new ApiError(404, 'NotFound', `the API server serves no kind ${kind} in ${apiVersion}`);
    return r;
  }

  /** The REST path of a collection (`name` undefined) or an object. */
  async path(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${base}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /** Server-side apply with strict field validation, as `kubectl apply --server-side --validate=strict`. */
  async apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const q = new URLSearchParams({ fieldManager: opts.fieldManager, fieldValidation: 'Strict' });
    if (opts.force) q.set('force', 'true');
    if (opts.dryRun) q.set('dryRun', 'All');
    return this.request('PATCH', `${p}?${q}`, obj, 'application/apply-patch+yaml');
  }

  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.request('GET', await this.path(apiVersion, kind, namespace, name));
  }

  /** The object, or undefined when it does not exist. */
  async find(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.get(apiVersion, kind, namespace, name);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string): Promise<KubeObject[]> {
    const r = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const p = r.namespaced && namespace ? `${base}/namespaces/${namespace}/${r.plural}` : `${base}/${r.plural}`;
    const res = await this.request<{ items: KubeObject[] }>('GET', p);
    return res.items.map((i) => ({ ...i, apiVersion, kind }));
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    return this.request('POST', await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace), obj);
  }

  async delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    propagationPolicy: 'Foreground' | 'Background' | 'Orphan' = 'Background',
  ): Promise<void> {
    await this.request('DELETE', await this.path(apiVersion, kind, namespace, name), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy,
    });
  }

  /** JSON merge patch of the status subresource. */
  async patchStatus(obj: KubeObject, status: unknown): Promise<KubeObject> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    return this.request('PATCH', `${p}/status`, { status }, 'application/merge-patch+json');
  }

  /** JSON merge patch of the object. */
  async mergePatch(obj: KubeObject, patch: unknown): Promise<KubeObject> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    return this.request('PATCH', p, patch, 'application/merge-patch+json');
  }
}

/** Write a kubeconfig file for `credentials` (paths, not inline data, so it stays readable). */
export function writeKubeconfig(file: string, credentials: Credentials, user: string): void {
  const u: Record<string, string> = {};
  if (credentials.certFile) u['client-certificate'] = credentials.certFile;
  if (credentials.keyFile) u['client-key'] = credentials.keyFile;
  if (credentials.token) u.token = credentials.token;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'cluster-test', cluster: { server: credentials.server, 'certificate-authority': credentials.caFile } },
    ],
    users: [{ name: user, user: u }],
    contexts: [{ name: user, context: { cluster: 'cluster-test', user } }],
    'current-context': user,
  };
  // JSON is YAML: every kubeconfig reader accepts it
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}
