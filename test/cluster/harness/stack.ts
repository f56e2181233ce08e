import * as path from 'node:path';
import { argocd, type ArgoRun } from './argocd';
import { startCrossplane, type RunningCrossplane } from './crossplane';
import { Cluster, REPORT_DIR, type ClusterOptions, type KubeObject } from './index';
import { startSimulatedAws, type RunningSimulatedAws, type SimulatedAwsOptions } from './simulated-aws';

/** The whole management cluster: control plane, Crossplane core, provider-kubernetes and the SIMULATED AWS provider. */
export class Stack {
  private constructor(
    readonly cluster: Cluster,
    readonly crossplane: RunningCrossplane,
    readonly aws: RunningSimulatedAws,
  ) {}

  static async start(options: ClusterOptions & { aws?: SimulatedAwsOptions } = {}): Promise<Stack> {
    const cluster = await Cluster.start(options);
    try {
      const crossplane = await startCrossplane(cluster.cp);
      const aws = await startSimulatedAws(cluster.cp, options.aws);
      return new Stack(cluster, crossplane, aws);
    } catch (e) {
      const logs = cluster.cp.logTails();
      await cluster.stop('stack-start');
      throw new Error(`${(e as Error).message}\n${logs}`, { cause: e });
    }
  }

  /** The Argo CD Applications of the manifests. */
  applications(): KubeObject[] {
    return this.cluster.dist.argocd.filter((o) => o.kind === 'Application');
  }

  /** The Application that syncs `dist/platform`. */
  platformApp(): KubeObject {
    const app = this.applications().find((a) => /(^|\/)platform\/?$/.test(a.spec?.source?.path ?? ''));
    if (!app) throw new Error('cluster harness: no Application syncs the platform folder');
    return app;
  }

  /** Environment name → the Application that syncs `dist/environments/<name>`. */
  environmentApps(): Map<string, KubeObject> {
    const out = new Map<string, KubeObject>();
    for (const a of this.applications()) {
      const m = /(?:^|\/)environments\/([^/]+)\/?$/.exec(a.spec?.source?.path ?? '');
      if (m) out.set(m[1], a);
    }
    return out;
  }

  /** Run argocd-harness for one Application, its sync report written next to the scenario's report. */
  argo(sub: 'sync' | 'diff' | 'delete', app: string, scenario: string, timeout = '15m'): Promise<ArgoRun> {
    return argocd(sub, app, {
      kubeconfig: this.cluster.cp.adminKubeconfig,
      dist: this.cluster.dist.dir,
      timeout,
      reportFile: sub === 'sync' ? path.join(REPORT_DIR, `${scenario}.${app}.sync.json`) : undefined,
    });
  }

  async stop(report?: string): Promise<void> {
    await this.cluster.stop(report);
  }
}

/** A failed argocd-harness run as an error naming the Application, exit code and what it printed. */
export function argoFailure(app: string, run: ArgoRun): Error {
  const out = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-40).join('\n');
  return new Error(`${run.command.split(' ')[1]} of ${app} exited ${run.code}:\n${out}`);
}
