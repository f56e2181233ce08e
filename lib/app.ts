import { App, Chart } from 'cdk8s';
import { dump } from 'js-yaml';
import { Config } from './config/types';
import { GitOps } from './gitops/argocd';
import { CROSSPLANE_NAMESPACE, emittedKinds, lateBoundIn, Platform } from './platform/platform';
import { SharedRegistry } from './registry/registry';
import { ChartOutput, EnvironmentStack } from './stack/environment';

export interface BuiltApp {
  readonly app: App;
  readonly environments: readonly EnvironmentStack[];
  readonly platform: Platform;
  readonly registry: SharedRegistry;
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
  // synced with the platform, before any environment: environments pull from it
  const registryChart = new Chart(app, 'registry');
  const registry = new SharedRegistry(registryChart, 'Registry', {
    registry: config.registry,
    namespace: CROSSPLANE_NAMESPACE,
  });
  const platformChart = new Chart(app, 'platform');
  const platform = new Platform(platformChart, 'Platform', {
    config: config.platform,
    kinds: emittedKinds([registryChart, ...envCharts]),
    lateBound: lateBoundIn(envCharts),
  });
  const gitopsChart = new Chart(app, 'argocd');
  const gitops = new GitOps(gitopsChart, 'GitOps', {
    config: config.platform,
    environments: environments.map((e) => ({
      suffix: e.context.config.suffix,
      namespace: e.context.namespace,
      production: e.context.isProduction,
    })),
    kinds: emittedKinds([platformChart, registryChart, ...envCharts], { direct: true }),
  });
  const outputs: ChartOutput[] = [
    { file: 'argocd/argocd.k8s.yaml', chart: gitopsChart },
    { file: 'platform/platform.k8s.yaml', chart: platformChart },
    { file: 'platform/registry.k8s.yaml', chart: registryChart },
    ...environments.flatMap((e) => e.outputs),
  ];
  return { app, environments, platform, registry, gitops, outputs };
}

/** A manifest file's text and the objects in it. */
export interface RenderedFile {
  readonly file: string;
  readonly objects: readonly any[];
  readonly text: string;
}

export function render(built: BuiltApp): RenderedFile[] {
  return built.outputs
    .map(({ file, chart }) => {
      const objects = chart.toJson();
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
