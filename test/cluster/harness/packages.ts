/**
 * SIMULATED package installation of provider-kubernetes, which the harness runs itself as a process
 * (provider-kubernetes.ts) built from its Go module.
 *
 * Crossplane's package manager (Crossplane v2.3.4, running for real here) resolves a Provider's
 * package to a digest and pulls its OCI image before anything else
 * (internal/controller/pkg/manager/reconciler.go:314-329); the test cluster has no registry, so it
 * marks the Provider Unpacking/Unhealthy, which Argo CD judges Degraded. For the Provider whose
 * package is provider-kubernetes at the version the harness runs, this stand-in pauses the real
 * manager on it (annotation crossplane.io/paused, honoured first thing, reconciler.go:288-296) and
 * writes the conditions the manager writes for an active, healthy revision (apis/pkg/v1/conditions.go:
 * types Installed and Healthy, reasons ActivePackageRevision and HealthyPackageRevision), which
 * Argo CD v3.5.1's pkg.crossplane.io/Provider health check reads. Another version is left to the
 * real manager: the harness does not run it, so it must not look installed.
 * The provider-upjet-aws family's Providers get the same treatment from simulated-aws, which runs in
 * their place.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { ApiError, type Kube, type KubeObject } from './kube';
import { sleep } from './process';
import { PROVIDER_KUBERNETES_MODULE, PROVIDER_KUBERNETES_MODULE_DIR } from './provider-kubernetes';

const PAUSED = 'crossplane.io/paused';
const PROVIDER_API = 'pkg.crossplane.io/v1';

/** The version of provider-kubernetes the harness builds and runs (test/cluster/go/provider-kubernetes/go.mod). */
export function providerKubernetesVersion(): string {
  return execFileSync('go', ['list', '-m', '-f', '{{.Version}}', PROVIDER_KUBERNETES_MODULE], {
    cwd: PROVIDER_KUBERNETES_MODULE_DIR,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
  }).trim();
}

/** Whether `pkg` (a Provider's spec.package) is provider-kubernetes at `version`. */
export function isRunProviderKubernetes(pkg: string | undefined, version: string): boolean {
  const m = /^xpkg\.(?:crossplane|upbound)\.io\/crossplane-contrib\/provider-kubernetes:(.+)$/.exec(pkg ?? '');
  return m !== null && m[1] === version;
}

/** The status a stand-in writes: `conditions` with Installed and Healthy True, other conditions kept. */
export function simulatedInstalledStatus(live: KubeObject, now: Date): { changed: boolean; status: any } {
  const pkg = live.spec?.package;
  const message = `SIMULATED: ${pkg} is not pulled (no registry in the test cluster); the harness runs it as a process`;
  const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const conditions: any[] = [...(live.status?.conditions ?? [])];
  let changed = false;
  for (const [type, reason] of [
    ['Installed', 'ActivePackageRevision'],
    ['Healthy', 'HealthyPackageRevision'],
  ]) {
    const i = conditions.findIndex((c) => c.type === type);
    const c = conditions[i];
    if (c && c.status === 'True' && c.reason === reason && c.message === message) continue;
    const next = { type, status: 'True', reason, message, lastTransitionTime: at };
    if (i >= 0) conditions[i] = next;
    else conditions.push(next);
    changed = true;
  }
  return { changed, status: { ...(live.status ?? {}), conditions } };
}

/** A running stand-in; `stop()` ends its loop. */
export interface PackageStandIn {
  stop(): Promise<void>;
  /** Providers it marked installed (by name). */
  readonly installed: ReadonlySet<string>;
}

/** Watch (poll every 500 ms) the Providers and stand in for the package manager on provider-kubernetes. */
export function standInForProviderKubernetes(
  kube: Kube,
  logFile: string,
  version = providerKubernetesVersion(),
): PackageStandIn {
  const log = (line: string) =>
    fs.appendFileSync(logFile, `${new Date().toISOString()} SIMULATED package manager: ${line}\n`);
  log(`standing in for Crossplane's package manager on provider-kubernetes ${version} (run by the harness)`);
  let running = true;
  const installed = new Set<string>();
  const once = async () => {
    let providers: KubeObject[];
    try {
      providers = await kube.list(PROVIDER_API, 'Provider');
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return; // Crossplane core not installed
      throw e;
    }
    for (const p of providers) {
      if (p.metadata.deletionTimestamp || !isRunProviderKubernetes(p.spec?.package, version)) continue;
      const path = await kube.path(PROVIDER_API, 'Provider', undefined, p.metadata.name);
      try {
        let live = p;
        if (live.metadata.annotations?.[PAUSED] !== 'true') {
          live = await kube.request(
            'PATCH',
            path,
            { metadata: { annotations: { [PAUSED]: 'true' } } },
            'application/merge-patch+json',
          );
          log(`paused Crossplane's package manager on Provider ${p.metadata.name} (${p.spec.package})`);
        }
        const { changed, status } = simulatedInstalledStatus(live, new Date());
        if (changed) {
          // optimistic concurrency: a conflict means the manager wrote in between; the next round retries
          await kube.request('PUT', `${path}/status`, { ...live, status });
          installed.add(p.metadata.name);
          log(`Provider ${p.metadata.name} marked Installed and Healthy`);
        }
      } catch (e) {
        if (!(e instanceof ApiError && (e.status === 409 || e.status === 404))) throw e;
      }
    }
  };
  const loop = (async () => {
    while (running) {
      await once().catch((e: Error) => log(`error: ${e.message}`));
      await sleep(500);
    }
  })();
  return {
    installed,
    async stop() {
      running = false;
      await loop;
    },
  };
}
