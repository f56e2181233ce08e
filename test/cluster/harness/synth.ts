import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_DIR } from './binaries';

/**
 * Synthesize the project's manifests into a temporary `<tmp>/dist` with one environment's image tag
 * changed, through the project's own commands: `npm run set-image -- <suffix> <tag>` on a copy of the
 * configuration (CATALOG_CONFIG), then `npm run synth` with CDK8S_OUTDIR. The project's
 * `config/environments.yaml` and `dist/` are not touched. Returns the new dist folder; throws with the
 * command's own message when it fails (e.g. no environment with that suffix).
 */
export function synthesizeWithImageTag(suffix: string, tag: string, manifests?: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-synth-'));
  const config = path.join(root, 'environments.yaml');
  fs.copyFileSync(process.env.CATALOG_CONFIG ?? path.join(PROJECT_DIR, 'config', 'environments.yaml'), config);
  const dist = path.join(root, 'dist');
  const env = { ...process.env, CATALOG_CONFIG: config, CDK8S_OUTDIR: dist };
  const configured = ((parse(fs.readFileSync(config, 'utf8'))?.environments ?? []) as { suffix?: string }[]).some(
    (e) => e.suffix === suffix,
  );
  const pr = /^pr(\d+)$/.exec(suffix);
  // a pull request's preview is not in the configuration: its workflow renders it with the build's image tag,
  // beside a copy of the manifests, where its Application (source.path environments/pr<n>) reads it
  const steps =
    !configured && pr && manifests
      ? [['run', '-s', 'preview:render', '--', '--pr', pr[1], '--image-tag', tag, '--out', root]]
      : [
          ['run', '-s', 'set-image', '--', suffix, tag],
          ['run', '-s', 'synth'],
        ];
  if (!configured && pr && manifests) fs.cpSync(manifests, dist, { recursive: true });
  for (const args of steps) {
    try {
      execFileSync('npm', args, { cwd: PROJECT_DIR, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string };
      throw new Error(
        `cluster harness: npm ${args.join(' ')} failed: ${(err.stderr || err.stdout || String(e)).trim()}`,
      );
    }
  }
  return dist;
}
