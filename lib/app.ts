import { App, Yaml } from 'cdk8s';
import { Config } from './config/types';
import { ChartOutput, EnvironmentStack } from './stack/environment';

export interface BuiltApp {
  readonly app: App;
  readonly environments: readonly EnvironmentStack[];
  readonly outputs: readonly ChartOutput[];
}

/** Builds every chart for the configuration. Pure: no files, no environment variables, no clock. */
export function buildApp(config: Config): BuiltApp {
  const app = new App({ outdir: 'unused' });
  const environments = config.environments.map((env) => new EnvironmentStack(app, env));
  return { app, environments, outputs: environments.flatMap((e) => e.outputs) };
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
      return { file, objects, text: Yaml.stringify(...objects) };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}
