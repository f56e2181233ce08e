import { App, Chart } from 'cdk8s';
import { dump } from 'js-yaml';
import { apiGroup } from './common/field-path';
import { Config } from './config/types';
import { GitOps } from './gitops/argocd';
import { ignoreDifferencesFor } from './gitops/drift';
import { emittedKinds, lateBoundIn, Platform } from './platform/platform';
import { ChartOutput, EnvironmentStack } from './stack/environment';

export interface BuiltApp {
  readonly app: App;
  readonly environments: readonly EnvironmentStack[];
  readonly platform: Platform;
  readonly gitops: GitOps;
  readonly outputs: readonly ChartOutput[];
}

/**
 * Builds every chart for the configuration. Pure: no files, no environment variables, no clock.
 * Each environment is an App of its own: cdk8s resolves and validates a chart's whole App when it renders the chart,
 * so one App for everything would make synth quadratic in the number of environments.
 */
export function buildApp(config: Config): BuiltApp {
  const app = new App({ outdir: 'unused' });
  const environments = config.environments.map((env) => new EnvironmentStack(new App({ outdir: 'unused' }), env));
  const envCharts = environments.flatMap((e) => e.outputs.map((o) => o.chart));
  const platformChart = new Chart(app, 'platform');
  const platform = new Platform(platformChart, 'Platform', {
    config: config.platform,
    kinds: emittedKinds(envCharts),
    lateBound: lateBoundIn(envCharts),
  });
  const gitopsChart = new Chart(app, 'argocd');
  const bootstrapChart = new Chart(app, 'bootstrap');
  const gitops = new GitOps(gitopsChart, 'GitOps', {
    config: config.platform,
    environments: environments.map((e) => ({
      suffix: e.context.config.suffix,
      namespace: e.context.namespace,
      production: e.context.isProduction,
      ignoreDifferences: ignoreDifferencesFor(e.outputs.flatMap((o) => chartJson(o.chart))),
      created: lateBoundIn(e.outputs.map((o) => o.chart)).map((l) => ({
        group: apiGroup(l.target.apiVersion),
        kind: l.target.kind,
        name: l.target.name,
      })),
    })),
    kinds: emittedKinds([platformChart, ...envCharts], { direct: true }),
    bootstrapScope: bootstrapChart,
  });
  const outputs: ChartOutput[] = [
    { file: 'argocd/argocd.k8s.yaml', chart: gitopsChart },
    { file: 'argocd/bootstrap.k8s.yaml', chart: bootstrapChart },
    { file: 'platform/platform.k8s.yaml', chart: platformChart },
    ...environments.flatMap((e) => e.outputs),
  ];
  return { app, environments, platform, gitops, outputs };
}

/** A manifest file's text and the objects in it. */
export interface RenderedFile {
  readonly file: string;
  readonly objects: readonly any[];
  readonly text: string;
}

/**
 * Environment charts are complete before the GitOps chart reads their objects, and nothing changes them afterwards:
 * their JSON is computed once in buildApp and handed to the first render (synth time matters with many
 * environments); later renders synthesize afresh, so no two renders share objects.
 */
const synthesized = new WeakMap<Chart, any[]>();
function chartJson(chart: Chart): any[] {
  const json = chart.toJson();
  synthesized.set(chart, json);
  return json;
}
function takeJson(chart: Chart): any[] {
  const json = synthesized.get(chart);
  synthesized.delete(chart);
  return json ?? chart.toJson();
}

export function render(built: BuiltApp): RenderedFile[] {
  return built.outputs
    .map(({ file, chart }) => {
      const objects = takeJson(chart);
      return { file, objects, text: toYaml(objects) };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Multi-document YAML. js-yaml writes it several times faster than the yaml library cdk8s uses, and quotes strings
 * YAML 1.1 readers would take for booleans (`yes`, `on`); no line folding, so JSON strings stay on one line.
 */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
}
