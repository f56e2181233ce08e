/**
 * Crossplane core v2.3.4, built from its Go module (test/cluster/go/crossplane), run as a local process
 * against the test control plane: first `crossplane core init`, then `crossplane core start`, the two
 * containers of the upstream Helm chart (cluster/charts/crossplane/templates/deployment.yaml:66-68 and
 * 142-144 at v2.3.4), with what the pod would get from Kubernetes supplied by hand:
 *
 * - the environment the chart sets (deployment.yaml:104-130 and 184-221): namespace, service account and
 *   the names of the TLS Secrets `init` fills;
 * - `init` reads core CRDs and webhook configurations from the image's /crds and /webhookconfigurations
 *   (cmd/crossplane/core/init.go:45-46); the same files ship in the Go module's cluster/crds and
 *   cluster/webhookconfigurations, so they come from the module cache (`go list -m`);
 * - the kubelet mounts Secrets crossplane-tls-server and crossplane-tls-client as files for `start`
 *   (deployment.yaml:238-241, 275-280): we copy their data into files the same way;
 * - the API server reaches the webhook through a Service in a pod network. Here it must dial loopback,
 *   so the ValidatingWebhookConfiguration `init` wrote (service reference plus caBundle,
 *   internal/initializer/webhook_configurations.go:117-123) is rewritten to a `url`. The serving
 *   certificate `init` makes only carries DNS names derived from the webhook Service name
 *   (internal/initializer/tls.go:273-283, 379-385), so the Service name given to `init` is `localhost`
 *   and the url is https://localhost:<port> (localhost is 127.0.0.1 here).
 *
 * `start` runs every core controller (cmd/crossplane/core/core.go:539-659): XRDs and compositions,
 * managed resource definitions and activation policies, the package manager and Usages with the
 * deletion webhook. The package manager only acts on Provider/Configuration/Function objects; none are
 * created here (there is no registry), so it stays idle. It binds its webhook, metrics and health ports
 * on all interfaces (core.go:218, 230, 248 take a port only), which test/cluster/run.cjs confines to a
 * private network namespace with loopback only.
 * It runs with the cluster-admin kubeconfig: the chart's ClusterRole is a Helm template, not a file
 * the API server could take as is.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MATERIALIZED_DIR, readLock } from '../../../lib/crds/lock';
import { binary, PROJECT_DIR } from './binaries';
import { packageCrds } from './crds';
import { ApiError, type Kube, type KubeObject } from './kube';
import { readObjects } from './manifests';
import { freePort, tail, waitFor, type Started } from './process';
import {
  CROSSPLANE_NAMESPACE,
  PROVIDER_KUBERNETES_MODULE,
  PROVIDER_KUBERNETES_MODULE_DIR,
} from './provider-kubernetes';

const moduleDir = path.join(PROJECT_DIR, 'test', 'cluster', 'go', 'crossplane');

/** The Go module of Crossplane core; its version is pinned in test/cluster/go/crossplane/go.mod. */
export const CROSSPLANE_MODULE = 'github.com/crossplane/crossplane/v2';

/** What `startCrossplane` needs of a running control plane (a `ControlPlane` has all of it). */
export interface CrossplaneHost {
  /** Temporary folder of the cluster. */
  readonly dir: string;
  /** Kubeconfig of the cluster administrator. */
  readonly adminKubeconfig: string;
  readonly admin: Kube;
  /** Start a program whose log lives in the cluster folder and which stops with the cluster. */
  start(name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Started;
}

export interface StartCrossplaneOptions {
  /** Pass `--debug` (verbose controller logs). @default false */
  readonly debug?: boolean;
  /** How long init and the webhook may take, in milliseconds. @default 120000 */
  readonly timeoutMs?: number;
  /** `--activation` entries for init's default MRAP, as the chart's `provider.defaultActivations`. @default [] */
  readonly activations?: readonly string[];
}

export interface RunningCrossplane {
  /** Where the API server calls Crossplane's webhooks. */
  readonly webhookUrl: string;
  /** The `core start` process (stopped with the cluster, or earlier by `stop`). */
  readonly process: Started;
  /** The version of the Crossplane module the binary was built from. */
  readonly version: string;
  /** Run `crossplane core init` again (as a chart upgrade would), with these `--activation` entries. */
  init(activations: readonly string[]): Promise<void>;
}

/** The pinned Crossplane module: its version and its folder in the Go module cache (holds cluster/crds etc.). */
export function crossplaneModule(): { version: string; dir: string } {
  try {
    const [version, dir] = execFileSync('go', ['list', '-m', '-f', '{{.Version}} {{.Dir}}', CROSSPLANE_MODULE], {
      cwd: moduleDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
    })
      .trim()
      .split(' ');
    return { version, dir };
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? (e as Error).message;
    throw new Error(`cannot find ${CROSSPLANE_MODULE} in the Go module cache (run npm run cluster:build): ${stderr}`);
  }
}

/** Names of the webhook configurations Crossplane ships (cluster/webhookconfigurations/*.yaml). */
function shippedWebhookConfigurations(dir: string): { kind: string; name: string }[] {
  const out: { kind: string; name: string }[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(file)) continue;
    for (const doc of readObjects(path.join(dir, file))) out.push({ kind: doc.kind, name: doc.metadata.name });
  }
  return out;
}

async function ensureNamespace(kube: Kube, name: string): Promise<void> {
  try {
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 409)) throw e;
  }
}

/** Write a Secret's data as files, as the kubelet does for a secret volume. */
async function mountSecret(kube: Kube, name: string, dir: string): Promise<void> {
  const secret = await kube.get('v1', 'Secret', CROSSPLANE_NAMESPACE, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [key, value] of Object.entries<string>(secret.data ?? {})) {
    fs.writeFileSync(path.join(dir, key), Buffer.from(value, 'base64'), { mode: 0o600 });
  }
}

/** Point every webhook of a configuration `init` wrote at `baseUrl` plus the path of its Service reference. */
async function pointWebhooksAt(kube: Kube, kind: string, name: string, baseUrl: string): Promise<void> {
  const conf: KubeObject = await kube.get('admissionregistration.k8s.io/v1', kind, undefined, name);
  for (const hook of conf.webhooks ?? []) {
    const service = hook.clientConfig?.service;
    if (service) hook.clientConfig = { caBundle: hook.clientConfig.caBundle, url: `${baseUrl}${service.path ?? ''}` };
  }
  const p = await kube.path(conf.apiVersion, conf.kind, undefined, name);
  await kube.request('PUT', p, conf);
}

/** Run a program to completion; reject naming it with the end of its log unless it exits 0. */
async function runToCompletion(proc: Started, timeoutMs: number): Promise<void> {
  const exit = await waitFor(`${proc.name} to finish`, async () => proc.exit(), timeoutMs);
  if (exit !== 'exit code 0') {
    throw new Error(`${proc.name} failed (${exit}); log:\n${tail(proc.logFile)}`);
  }
}

/**
 * Run `crossplane core init` then `crossplane core start` against the cluster and wait until Crossplane
 * is ready, which includes its webhook server answering TLS (the `webhook` readiness check,
 * core.go:680-690). Logs: `crossplane-init.log` and `crossplane.log` in the cluster folder.
 */
export async function startCrossplane(
  cluster: CrossplaneHost,
  options: StartCrossplaneOptions = {},
): Promise<RunningCrossplane> {
  const program = binary('crossplane');
  const timeoutMs = options.timeoutMs ?? 120_000;
  // the binary's --version is empty: upstream sets it with -ldflags at release time
  const { version, dir: source } = crossplaneModule();
  const dir = path.join(cluster.dir, 'crossplane');
  const serverCerts = path.join(dir, 'tls', 'server');
  const clientCerts = path.join(dir, 'tls', 'client');
  fs.mkdirSync(path.join(dir, 'cache', 'xpkg'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'cache', 'xfn'), { recursive: true });
  const kube = cluster.admin;
  await ensureNamespace(kube, CROSSPLANE_NAMESPACE);

  const [webhookPort, metricsPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  const webhookHost = 'localhost';
  const common = {
    KUBECONFIG: cluster.adminKubeconfig,
    POD_NAMESPACE: CROSSPLANE_NAMESPACE,
    POD_SERVICE_ACCOUNT: 'crossplane',
    TLS_SERVER_SECRET_NAME: 'crossplane-tls-server',
    TLS_CLIENT_SECRET_NAME: 'crossplane-tls-client',
  };

  // init: core CRDs, TLS Secrets, webhook configuration, lock, default DeploymentRuntimeConfig. No
  // --activation unless asked: the chart's default `["*"]` (values.yaml:61) makes init create an MRAP
  // that activates every MRD (internal/initializer/managed_resource_activation_policy.go:34-49).
  let runs = 0;
  const init = async (activations: readonly string[]) => {
    const proc = cluster.start(
      `crossplane-init${runs++ ? `-${runs}` : ''}`,
      program,
      ['core', 'init', ...activations.flatMap((a) => ['--activation', a])],
      {
        ...common,
        CRDS_PATH: path.join(source, 'cluster', 'crds'),
        WEBHOOK_CONFIGS_PATH: path.join(source, 'cluster', 'webhookconfigurations'),
        WEBHOOK_SERVICE_NAME: webhookHost,
        WEBHOOK_SERVICE_NAMESPACE: CROSSPLANE_NAMESPACE,
        WEBHOOK_SERVICE_PORT: String(webhookPort),
        TLS_CA_SECRET_NAME: 'crossplane-root-ca',
      },
    );
    await runToCompletion(proc, timeoutMs);
    for (const conf of shippedWebhookConfigurations(path.join(source, 'cluster', 'webhookconfigurations'))) {
      await pointWebhooksAt(kube, conf.kind, conf.name, webhookUrl);
    }
  };
  const webhookUrl = `https://${webhookHost}:${webhookPort}`;
  await init(options.activations ?? []);
  await mountSecret(kube, common.TLS_SERVER_SECRET_NAME, serverCerts);
  await mountSecret(kube, common.TLS_CLIENT_SECRET_NAME, clientCerts);

  const core = cluster.start('crossplane', program, [...(options.debug ? ['--debug'] : []), 'core', 'start'], {
    ...common,
    TLS_SERVER_CERTS_DIR: serverCerts,
    TLS_CLIENT_CERTS_DIR: clientCerts,
    WEBHOOK_PORT: String(webhookPort),
    METRICS_PORT: String(metricsPort),
    HEALTH_PROBE_PORT: String(healthPort),
    XPKG_CACHE_DIR: path.join(dir, 'cache', 'xpkg'),
    XFN_CACHE_DIR: path.join(dir, 'cache', 'xfn'),
  });
  await waitFor(
    'crossplane /readyz (controllers and webhook server started)',
    async () => ((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200 ? true : undefined),
    timeoutMs,
    core,
  );
  return { webhookUrl, process: core, version, init };
}

// ---------------------------------------------------------------------------------------------
// Managed resource definitions, as the package manager would create them from a provider package.

// Kinds the package manager keeps as plain CRDs (internal/converter/custom_to_managed.go:43-48, 107-121).
const NOT_MANAGED = new Set([
  'ProviderConfig',
  'ClusterProviderConfig',
  'ProviderConfigUsage',
  'ClusterProviderConfigUsage',
]);

/**
 * What Crossplane's package manager installs for one CRD of a provider package: with the beta
 * feature CustomToManagedResourceConversion (on by default, core.go:149) every managed resource CRD
 * becomes a ManagedResourceDefinition of the same name and spec, Inactive when the provider declares
 * the SafeStart capability and Active otherwise (internal/controller/pkg/revision/reconciler.go:650-660,
 * internal/converter/custom_to_managed.go:123-135); provider configuration kinds stay CRDs.
 */
export function asPackageManagerInstalls(crd: KubeObject, safeStart: boolean): KubeObject {
  if (crd.kind !== 'CustomResourceDefinition') throw new Error(`not a CustomResourceDefinition: ${crd.kind}`);
  if (NOT_MANAGED.has(crd.spec?.names?.kind)) return crd;
  return {
    ...crd,
    apiVersion: 'apiextensions.crossplane.io/v1alpha1',
    kind: 'ManagedResourceDefinition',
    spec: { ...crd.spec, state: safeStart ? 'Inactive' : 'Active' },
  };
}

/**
 * What the package manager would install for the two providers our manifests use. It cannot run
 * here (it pulls each provider's OCI image from a registry), so the harness does its CRD-to-MRD step
 * on the same CRDs: provider-upjet-aws v2.6.0's CRDs pinned in crds.lock.json (its Go module is not
 * built here) and every CRD of provider-kubernetes v1.2.1's package from its pinned Go module. Both
 * packages declare SafeStart: provider-upjet-aws package/crossplane.yaml.tmpl:33-34 and
 * provider-kubernetes package/crossplane.yaml:21-22, so their MRDs start Inactive.
 */
export function providerPackagesAsInstalled(): KubeObject[] {
  const aws = readLock(PROJECT_DIR)
    .files.filter((f) => f.path.startsWith('provider-upjet-aws-v2.6.0/'))
    .flatMap((f) => readObjects(path.join(PROJECT_DIR, MATERIALIZED_DIR, 'files', f.path)));
  const kubernetes = packageCrds(PROVIDER_KUBERNETES_MODULE_DIR, PROVIDER_KUBERNETES_MODULE);
  return [...aws, ...kubernetes].map((crd) => asPackageManagerInstalls(crd, true));
}
