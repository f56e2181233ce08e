import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Groups imported with a class prefix, in their own `cdk8s import` run: provider-kubernetes' kind `Object` would
 * otherwise generate `class Object`, which shadows the global the generated code itself calls (`Object.entries`).
 * Every other group is listed under `imports:` in cdk8s.yaml.
 */
export const PREFIXED_IMPORTS: Readonly<Record<string, string>> = {
  'kubernetes.m.crossplane.io': 'Kubernetes',
};

/** Regenerates `imports/`-style TypeScript from the materialized CRDs into `outdir` with the project's cdk8s CLI. */
export function runImports(projectDir: string, outdir: string): void {
  const cli = path.join(projectDir, 'node_modules', '.bin', 'cdk8s');
  const opts = { cwd: projectDir, stdio: 'pipe' as const };
  execFileSync(cli, ['--no-check-upgrade', 'import', '--no-save', '--output', outdir], opts);
  for (const [group, prefix] of Object.entries(PREFIXED_IMPORTS)) {
    const spec = path.join('.crds', 'groups', `${group}.yaml`);
    execFileSync(
      cli,
      ['--no-check-upgrade', 'import', '--no-save', '--class-prefix', prefix, '--output', outdir, spec],
      opts,
    );
  }
}
