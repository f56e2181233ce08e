import { App, Chart } from 'cdk8s';
import { DEFAULT_SCALAR_STYLE_RULES, dump, SCALAR_STYLE, ScalarLayout, ScalarStyleRule } from 'js-yaml';
import { apiGroup } from './common/field-path';
import { adoptEnvironment } from './adoption/apply';
import { type Adoption, keptDatabaseSecretArn } from './config/adoption';
import { Config } from './config/types';
import { diagramFiles } from './diagram/diagram';
import { GitOps } from './gitops/argocd';
import { ignoreDifferencesFor } from './gitops/drift';
import { PullRequestPreviews } from './gitops/previews';
import { CROSSPLANE_NAMESPACE, emittedKinds, lateBoundIn, Platform } from './platform/platform';
import { SharedRegistry } from './registry/registry';
import { ChartOutput, EnvironmentStack } from './stack/environment';
import { GENERATED_HEADER, prettyJsonDocuments } from './synth/readable';
import { needsQuotes } from './validate/go-yaml';

export interface BuiltApp {
  readonly app: App;
  readonly environments: readonly EnvironmentStack[];
  readonly platform: Platform;
  readonly registry: SharedRegistry;
  readonly gitops: GitOps;
  readonly previews: PullRequestPreviews;
  readonly outputs: readonly ChartOutput[];
}

export interface BuildOptions {
  /** Environments taken over from Terraform, by suffix (`config/adoption/<suffix>.yaml`). @default - none */
  readonly adoptions?: ReadonlyMap<string, Adoption>;
}

/**
 * Builds every chart for the configuration. Pure: no files, no environment variables, no clock.
 * Each environment is an App of its own: cdk8s resolves and validates a chart's whole App when it renders the chart,
 * so one App for everything would make synth quadratic in the number of environments.
 */
export function buildApp(config: Config, opts: BuildOptions = {}): BuiltApp {
  const app = new App({ outdir: 'unused' });
  const environments = config.environments.map((env) => {
    const adoption = opts.adoptions?.get(env.suffix);
    const stack = new EnvironmentStack(new App({ outdir: 'unused' }), env, {
      keptDatabaseSecretArn: adoption && keptDatabaseSecretArn(adoption),
    });
    if (adoption) adoptEnvironment(stack, adoption);
    return stack;
  });
  // what every pull-request preview will be: the platform and Argo CD must be ready for it, dist/ never holds it
  const prototype = new EnvironmentStack(new App({ outdir: 'unused' }), config.previews.prototype);
  const prototypeCharts = prototype.outputs.map((o) => o.chart);
  const envCharts = [...environments, prototype].flatMap((e) => e.outputs.map((o) => o.chart));
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
  const bootstrapChart = new Chart(app, 'bootstrap');
  const gitops = new GitOps(gitopsChart, 'GitOps', {
    config: config.platform,
    environments: environments.map(environmentApp),
    kinds: emittedKinds([platformChart, registryChart, ...envCharts], { direct: true }),
    bootstrapScope: bootstrapChart,
  });
  const previews = new PullRequestPreviews(gitopsChart, 'PullRequestPreviews', {
    platform: config.platform,
    previews: config.previews,
    prototype: environmentApp(prototype),
    kinds: emittedKinds(prototypeCharts, { direct: true }),
  });
  const outputs: ChartOutput[] = [
    { file: 'argocd/argocd.k8s.yaml', chart: gitopsChart },
    { file: 'argocd/bootstrap.k8s.yaml', chart: bootstrapChart },
    { file: 'platform/platform.k8s.yaml', chart: platformChart },
    { file: 'platform/registry.k8s.yaml', chart: registryChart },
    ...environments.flatMap((e) => e.outputs),
  ];
  return { app, environments, platform, registry, gitops, previews, outputs };
}

function environmentApp(e: EnvironmentStack) {
  return {
    suffix: e.context.config.suffix,
    namespace: e.context.namespace,
    production: e.context.isProduction,
    ignoreDifferences: ignoreDifferencesFor(e.outputs.flatMap((o) => chartJson(o.chart))),
    created: lateBoundIn(e.outputs.map((o) => o.chart)).map((l) => ({
      group: apiGroup(l.target.apiVersion),
      kind: l.target.kind,
      name: l.target.name,
    })),
  };
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

/**
 * Every file of `dist/`: the manifests (readable JSON documents, a header naming their source) and, beside each
 * folder of them, its diagram (lib/diagram). A diagram file has no objects.
 */
export function render(built: BuiltApp): RenderedFile[] {
  return renderTexts(renderObjects(built));
}

/**
 * Every manifest file with its objects, in chart order, without text: what synth validates before it writes any
 * (renderTexts).
 */
export function renderObjects(built: BuiltApp): Array<Omit<RenderedFile, 'text'>> {
  return built.outputs.map(({ file, chart }) => ({ file, objects: prettyJsonDocuments(takeJson(chart)) }));
}

/** render's files from renderObjects' manifests: their texts, and the diagrams drawn from them. */
export function renderTexts(manifests: ReadonlyArray<Omit<RenderedFile, 'text'>>): RenderedFile[] {
  const withText = manifests.map((m) => ({ ...m, text: GENERATED_HEADER + toYaml(m.objects) }));
  return [...withText, ...diagramFiles(withText)].sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Quotes a string kubectl and Argo CD would read as something else when written plain: their YAML 1.1 reader
 * (go-yaml.ts) takes `on`, `y`, `0777`, `0b-1`, `0x1F_` or `.5e3_0` for booleans and numbers, where js-yaml's own
 * YAML 1.1 rules leave some of them plain; and a string a YAML 1.2 reader would misread (`1e400`).
 */
/** YAML 1.2 core schema non-strings (spec 1.2.2 §10.3.2); `1e400` is one of them but a string to go-yaml. */
const CORE_NON_STRING =
  /^(null|Null|NULL|~|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const quoteForKubectl: ScalarStyleRule = (layout: ScalarLayout) => {
  if (
    layout.style === SCALAR_STYLE.PLAIN &&
    layout.node.tag === layout.presenterOptions.schema.defaultScalarTag.tagName &&
    (needsQuotes(layout.node.value) || CORE_NON_STRING.test(layout.node.value))
  ) {
    layout.style = SCALAR_STYLE.SINGLE_QUOTED;
  }
};
const { quoteInvalidPlain, fallbackToDoubleQuoted, ...earlierRules } = DEFAULT_SCALAR_STYLE_RULES;
const SCALAR_STYLE_RULES = [...Object.values(earlierRules), quoteForKubectl, quoteInvalidPlain, fallbackToDoubleQuoted];

/**
 * Multi-document YAML. js-yaml writes it several times faster than the yaml library cdk8s uses; every string reads
 * back as the same string in kubectl and Argo CD (quoteForKubectl); no line folding, so a line of a JSON document stays one line.
 */
export function toYaml(objects: readonly unknown[]): string {
  return objects
    .map((o) => dump(o, { lineWidth: -1, noRefs: true, scalarStyleRules: SCALAR_STYLE_RULES }))
    .join('---\n');
}
