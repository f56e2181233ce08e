import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ensureSourcePaths,
  generatedApplications,
  openPullRequests,
  withApplicationEnvironments,
  writePullRequests,
  type PullRequest,
} from './applications';
import { argocd, type ArgoRun } from './argocd';
import { startCrossplane, type RunningCrossplane } from './crossplane';
import { standInForProviderKubernetes, type PackageStandIn } from './packages';
import { Cluster, REPORT_DIR, type ClusterOptions, type KubeObject } from './index';
import { distDir, loadDist } from './manifests';
import { startSimulatedAws, type RunningSimulatedAws, type SimulatedAwsOptions } from './simulated-aws';

/** The whole management cluster: control plane, Crossplane core, provider-kubernetes and the SIMULATED AWS provider. */
export class Stack {
  private constructor(
    readonly cluster: Cluster,
    readonly crossplane: RunningCrossplane,
    readonly aws: RunningSimulatedAws,
    readonly packages: PackageStandIn,
    /** Every Application: the plain ones of `<dist>/argocd` and those its ApplicationSets generate. */
    readonly apps: readonly KubeObject[],
    /** The open pull requests fed to pullRequest generators (`--pull-requests` of argocd-harness). */
    readonly pullRequestsFile: string,
  ) {}

  /**
   * Start the whole stack for a manifest folder (CLUSTER_DIST or dist/). The ApplicationSets are expanded
   * first; a generated Application whose source path is missing is rendered into a copy (applications.ts).
   */
  static async start(
    options: ClusterOptions & { aws?: SimulatedAwsOptions; pullRequests?: readonly PullRequest[] } = {},
  ): Promise<Stack> {
    const prs = options.pullRequests ?? openPullRequests();
    const given = options.dist?.dir ?? distDir();
    const temp = [fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-prs-'))];
    const removeTemp = () => temp.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    let cluster: Cluster | undefined;
    try {
      const prFile = writePullRequests(temp[0], prs);
      let dir = given;
      let generated = generatedApplications(dir, prFile);
      dir = ensureSourcePaths(
        dir,
        [...loadDist(dir).argocd.filter((o) => o.kind === 'Application'), ...generated],
        prs,
      );
      if (dir !== given) {
        temp.push(path.dirname(dir));
        generated = generatedApplications(dir, prFile);
      }
      const loaded = dir === given && options.dist ? options.dist : loadDist(dir);
      const apps = [...loaded.argocd.filter((o) => o.kind === 'Application'), ...generated];
      const dist = withApplicationEnvironments(loaded, apps);
      cluster = await Cluster.start({ ...options, dist });
      const crossplane = await startCrossplane(cluster.cp);
      const aws = await startSimulatedAws(cluster.cp, options.aws);
      const packages = standInForProviderKubernetes(cluster.admin, path.join(cluster.cp.dir, 'package-stand-in.log'));
      const stack = new Stack(cluster, crossplane, aws, packages, apps, prFile);
      stack.temp.push(...temp);
      return stack;
    } catch (e) {
      removeTemp();
      if (!cluster) throw e;
      const logs = cluster.cp.logTails();
      await cluster.stop('stack-start');
      throw new Error(`${(e as Error).message}\n${logs}`, { cause: e });
    }
  }

  /** Temporary folders removed by `stop()` (pull-request list, rendered or synthesized manifests). */
  readonly temp: string[] = [];

  /** Application name → the manifest folder it was last synced from, when not the stack's own (a rollout). */
  readonly distFor = new Map<string, string>();

  /** The Argo CD Applications of the manifests, generated ones included. */
  applications(): KubeObject[] {
    return [...this.apps];
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
  argo(
    sub: 'sync' | 'diff' | 'delete',
    app: string,
    scenario: string,
    options: { timeout?: string; dist?: string } = {},
  ): Promise<ArgoRun> {
    fs.mkdirSync(REPORT_DIR, { recursive: true });
    return argocd(sub, app, {
      kubeconfig: this.cluster.cp.adminKubeconfig,
      dist: options.dist ?? this.distFor.get(app) ?? this.cluster.dist.dir,
      timeout: options.timeout ?? '15m',
      reportFile: sub === 'sync' ? path.join(REPORT_DIR, `${scenario}.${app}.sync.json`) : undefined,
      extraArgs: ['--pull-requests', this.pullRequestsFile],
    });
  }

  async stop(report?: string): Promise<void> {
    await this.packages.stop();
    await this.cluster.stop(report);
    for (const dir of this.temp) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A failed argocd-harness run as an error naming the Application, exit code and what it printed. */
export function argoFailure(app: string, run: ArgoRun): Error {
  const out = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-40).join('\n');
  return new Error(`${run.command.split(' ')[1]} of ${app} exited ${run.code}:\n${out}`);
}
