import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_DIR } from './binaries';
import { ControlPlane, type ControlPlaneOptions } from './control-plane';
import { HARNESS_MANAGER, installCrds, lockedCrds } from './crds';
import { ApiError, objectRef, type Kube, type KubeObject } from './kube';
import { loadDist, type Dist } from './manifests';
import {
  ARGOCD_MANAGER,
  CROSSPLANE_NAMESPACE,
  startProviderKubernetes,
  type ProviderKubernetesOptions,
  type RunningProvider,
} from './provider-kubernetes';

export { ApiError, ARGOCD_MANAGER, CROSSPLANE_NAMESPACE, objectRef };
export type { Kube, KubeObject, Dist };

/** Where every scenario writes its JSON report. */
export const REPORT_DIR = path.join(PROJECT_DIR, '.cache', 'cluster', 'reports');

/** Namespaces the installations of Argo CD and Crossplane create (our manifests only use them). */
export const INSTALLATION_NAMESPACES = ['argocd', CROSSPLANE_NAMESPACE] as const;

export interface ClusterOptions extends ControlPlaneOptions {
  /** Start provider-kubernetes (with our RBAC); `false` to leave it out. @default true */
  readonly providerKubernetes?: boolean | ProviderKubernetesOptions;
  /** Manifests to run against. @default loadDist() (CLUSTER_DIST or dist/) */
  readonly dist?: Dist;
}

/** A running test cluster: control plane, pinned CRDs, provider-kubernetes; the manifests it runs against. */
export class Cluster {
  provider?: RunningProvider;

  private constructor(
    readonly cp: ControlPlane,
    readonly dist: Dist,
    readonly crds: readonly string[],
  ) {}

  get admin(): Kube {
    return this.cp.admin;
  }

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const dist = options.dist ?? loadDist();
    const cp = await ControlPlane.start(options);
    try {
      const crds = await installCrds(cp.admin, lockedCrds());
      for (const ns of INSTALLATION_NAMESPACES) {
        await cp.admin.apply(
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
          { fieldManager: HARNESS_MANAGER, force: true },
        );
      }
      const cluster = new Cluster(cp, dist, crds);
      const pk = options.providerKubernetes ?? true;
      if (pk) cluster.provider = await startProviderKubernetes(cp, dist.platform, pk === true ? {} : pk);
      return cluster;
    } catch (e) {
      const logs = cp.logTails();
      await cp.stop();
      throw new Error(`${(e as Error).message}\n${logs}`, { cause: e });
    }
  }

  /** Stop everything; when `report` names a report, the program logs are kept next to it (`<report>.logs/`). */
  async stop(report?: string): Promise<void> {
    if (report) this.cp.saveLogs(path.join(REPORT_DIR, `${report}.logs`));
    this.provider?.client.close();
    await this.cp.stop();
  }
}

/** One object that could not be applied, and the API server's reason. */
export interface ApplyFailure {
  readonly object: string;
  readonly status: number;
  readonly reason: string;
}

/** Namespaces first (Argo CD creates them before anything else), then the rest in the given order. */
export function namespacesFirst(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects.filter((o) => o.kind === 'Namespace'), ...objects.filter((o) => o.kind !== 'Namespace')];
}

/**
 * Server-side apply each object (strict field validation) as `fieldManager`; returns every refusal
 * with the object named, instead of stopping at the first.
 */
export async function applyAll(
  kube: Kube,
  objects: readonly KubeObject[],
  opts: { fieldManager: string; dryRun?: boolean },
): Promise<ApplyFailure[]> {
  const failures: ApplyFailure[] = [];
  for (const o of namespacesFirst(objects)) {
    try {
      await kube.apply(o, opts);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      failures.push({ object: objectRef(o), status: e.status, reason: e.message });
    }
  }
  return failures;
}

/** Write a scenario's report (JSON) to .cache/cluster/reports/<name>.json and return its path. */
export function writeReport(name: string, report: Record<string, unknown>): string {
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  const file = path.join(REPORT_DIR, `${name}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        scenario: name,
        dist: process.env.CLUSTER_DIST ?? 'dist',
        simulated: 'the AWS provider is simulated; everything else is the real program built from its Go module',
        writtenAt: new Date().toISOString(),
        ...report,
      },
      null,
      2,
    ),
  );
  return file;
}

/** Condition `type` of an object's status. */
export function condition(
  o: KubeObject | undefined,
  type: string,
): { status?: string; reason?: string; message?: string } {
  return (o?.status?.conditions ?? []).find((c: { type: string }) => c.type === type) ?? {};
}
