import * as fs from 'node:fs';
import * as path from 'node:path';
import { binary, PROJECT_DIR } from './binaries';
import type { ControlPlane } from './control-plane';
import { HARNESS_MANAGER, installCrds, packageCrds } from './crds';
import { Kube, objectRef, writeKubeconfig, type KubeObject } from './kube';
import { freePort, waitFor, type Started } from './process';

/** The Go module provider-kubernetes is built from, and the module path of the provider. */
export const PROVIDER_KUBERNETES_MODULE_DIR = path.join(PROJECT_DIR, 'test', 'cluster', 'go', 'provider-kubernetes');
export const PROVIDER_KUBERNETES_MODULE = 'github.com/crossplane-contrib/provider-kubernetes';
/** Namespace Crossplane runs providers in (the subject namespace our RBAC binds). */
export const CROSSPLANE_NAMESPACE = 'crossplane-system';
/** Field manager Argo CD's application controller applies with. */
export const ARGOCD_MANAGER = 'argocd-controller';

const RBAC_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

export interface ProviderKubernetesOptions {
  /** Extra command-line arguments (e.g. `--poll=10s`); the defaults are the provider's own. */
  readonly args?: readonly string[];
  /** @default 120000 */
  readonly readyTimeoutMs?: number;
}

export interface RunningProvider {
  readonly process: Started;
  /** The ServiceAccount the provider runs as, `namespace/name`. */
  readonly serviceAccount: string;
  /** A client that authenticates with the provider's own token (for permission checks). */
  readonly client: Kube;
  readonly kubeconfig: string;
  /** Names of the package CRDs installed beyond the locked ones. */
  readonly packageCrds: readonly string[];
}

/**
 * The ServiceAccount Crossplane runs provider-kubernetes as: the name the DeploymentRuntimeConfig of the
 * Provider whose package is provider-kubernetes sets in `serviceAccountTemplate.metadata.name`.
 */
export function providerServiceAccount(platform: readonly KubeObject[]): string {
  const provider = platform.find(
    (o) => o.kind === 'Provider' && String(o.spec?.package ?? '').includes('/provider-kubernetes:'),
  );
  if (!provider) throw new Error('cluster harness: the platform manifests hold no Provider for provider-kubernetes');
  const drcName = provider.spec?.runtimeConfigRef?.name;
  const drc = platform.find((o) => o.kind === 'DeploymentRuntimeConfig' && o.metadata.name === drcName);
  const name = drc?.spec?.serviceAccountTemplate?.metadata?.name;
  if (!name) {
    throw new Error(
      `cluster harness: ${objectRef(provider)} names DeploymentRuntimeConfig '${drcName}', which sets no serviceAccountTemplate.metadata.name; the harness needs a fixed ServiceAccount name to run the provider as`,
    );
  }
  return name;
}

/**
 * The ClusterRole Crossplane's RBAC manager binds a provider's ServiceAccount to (its "system" role):
 * get/list/watch/update/patch/create on the package's own kinds and their status, update on their
 * finalizers, everything on secrets, configmaps, events and leases, and (SafeStart capability, which
 * provider-kubernetes v1.2.1 declares in package/crossplane.yaml) read access to CRDs.
 * Mirrors crossplane v2.3.4 internal/controller/rbac/provider/roles/roles.go:97-190.
 */
export function crossplaneSystemRole(name: string, crds: readonly KubeObject[]): KubeObject {
  const byGroup = new Map<string, string[]>();
  for (const c of crds) {
    const list = byGroup.get(c.spec.group) ?? [];
    list.push(c.spec.names.plural, `${c.spec.names.plural}/status`);
    byGroup.set(c.spec.group, list);
  }
  const groups = [...byGroup.keys()].sort();
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules: [
      ...groups.map((g) => ({
        apiGroups: [g],
        resources: byGroup.get(g),
        verbs: ['get', 'list', 'watch', 'update', 'patch', 'create'],
      })),
      { apiGroups: groups, resources: ['*/finalizers'], verbs: ['update'] },
      {
        apiGroups: ['', 'coordination.k8s.io'],
        resources: ['secrets', 'configmaps', 'events', 'leases'],
        verbs: ['*'],
      },
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['get', 'list', 'watch'],
      },
    ],
  };
}

/** Our emitted RBAC (Roles, ClusterRoles and their bindings) among the platform objects. */
export function platformRbac(platform: readonly KubeObject[]): KubeObject[] {
  return platform.filter((o) => RBAC_KINDS.has(o.kind) && o.apiVersion.startsWith('rbac.authorization.k8s.io/'));
}

async function ensureNamespace(kube: Kube, name: string): Promise<void> {
  await kube.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    { fieldManager: HARNESS_MANAGER, force: true },
  );
}

/**
 * Run provider-kubernetes (built from its Go module) the way Crossplane runs it, with only the
 * permissions a real installation gives it: Crossplane's system role for its own kinds, plus our
 * emitted RBAC, applied by `argocd-controller`. It authenticates with a TokenRequest token of the
 * ServiceAccount our RBAC binds, placed where a pod's projected token is, so the `InjectedIdentity`
 * credentials of our ClusterProviderConfig resolve to that token and anything our RBAC does not
 * grant is refused with 403.
 *
 * The provider binds fixed ports on every interface (metrics :8080 and webhook :9443 are not
 * configurable in cmd/provider/main.go at v1.2.1), so the harness expects to run in a private network
 * namespace (`npm run test:cluster` starts one); the in-cluster token path is provided with a private
 * mount namespace for this process only.
 */
export async function startProviderKubernetes(
  cp: ControlPlane,
  platform: readonly KubeObject[],
  options: ProviderKubernetesOptions = {},
): Promise<RunningProvider> {
  const kube = cp.admin;
  const saName = providerServiceAccount(platform);

  // Every CRD of the package, as Crossplane's package manager installs it; conversion webhooks point
  // at the provider's webhook server (crossplane v2.3.4 internal/controller/pkg/revision/establisher.go:402-423
  // fills in a Service in front of it; there is no Service routing here, so its loopback address).
  const caBundle = fs.readFileSync(cp.pki.ca.cert).toString('base64');
  const crds = packageCrds(PROVIDER_KUBERNETES_MODULE_DIR, PROVIDER_KUBERNETES_MODULE).map((crd) => {
    if (crd.spec?.conversion?.strategy !== 'Webhook') return crd;
    const copy = structuredClone(crd);
    copy.spec.conversion.webhook.clientConfig = { url: 'https://127.0.0.1:9443/convert', caBundle };
    return copy;
  });
  const installed = await installCrds(kube, crds);

  await ensureNamespace(kube, CROSSPLANE_NAMESPACE);
  await kube.apply(
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: saName, namespace: CROSSPLANE_NAMESPACE } },
    { fieldManager: HARNESS_MANAGER, force: true },
  );
  const systemRole = crossplaneSystemRole('crossplane:provider:provider-kubernetes:system', crds);
  await kube.apply(systemRole, { fieldManager: HARNESS_MANAGER, force: true });
  await kube.apply(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: systemRole.metadata.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: systemRole.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: saName, namespace: CROSSPLANE_NAMESPACE }],
    },
    { fieldManager: HARNESS_MANAGER, force: true },
  );
  for (const o of platformRbac(platform)) await kube.apply(o, { fieldManager: ARGOCD_MANAGER });

  const token = await kube.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${CROSSPLANE_NAMESPACE}/serviceaccounts/${saName}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 6 * 3600 } },
  );
  const dir = path.join(cp.dir, 'provider-kubernetes');
  const saDir = path.join(dir, 'serviceaccount');
  fs.mkdirSync(saDir, { recursive: true });
  fs.writeFileSync(path.join(saDir, 'token'), token.status.token, { mode: 0o600 });
  fs.copyFileSync(cp.pki.ca.cert, path.join(saDir, 'ca.crt'));
  fs.writeFileSync(path.join(saDir, 'namespace'), CROSSPLANE_NAMESPACE);
  const credentials = { server: cp.server, caFile: cp.pki.ca.cert, token: token.status.token };
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, credentials, `system:serviceaccount:${CROSSPLANE_NAMESPACE}:${saName}`);

  const probePort = await freePort();
  const apiPort = new URL(cp.server).port;
  // A pod's view: the token at the in-cluster path (rest.InClusterConfig reads
  // /var/run/secrets/kubernetes.io/serviceaccount/token) and KUBERNETES_SERVICE_HOST/PORT.
  const script =
    'set -e; mount -t tmpfs tmpfs /run; mkdir -p /run/secrets/kubernetes.io/serviceaccount; ' +
    'mount --bind "$SA_DIR" /run/secrets/kubernetes.io/serviceaccount; exec "$@"';
  const proc = cp.start(
    'provider-kubernetes',
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      script,
      'sh',
      binary('provider-kubernetes'),
      '--debug',
      `--health-probe-bind-addr=127.0.0.1:${probePort}`,
      ...(options.args ?? []),
    ],
    {
      SA_DIR: saDir,
      KUBECONFIG: kubeconfig,
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: apiPort,
      TLS_SERVER_CERTS_DIR: cp.pki.webhookDir,
    },
  );
  await waitFor(
    'provider-kubernetes /readyz',
    async () => {
      const res = await fetch(`http://127.0.0.1:${probePort}/readyz`);
      return res.status === 200 ? true : undefined;
    },
    options.readyTimeoutMs ?? 120_000,
    proc,
  );
  return {
    process: proc,
    serviceAccount: `${CROSSPLANE_NAMESPACE}/${saName}`,
    client: new Kube(credentials),
    kubeconfig,
    packageCrds: installed,
  };
}
