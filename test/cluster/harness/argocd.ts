import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { binary, PROJECT_DIR } from './binaries';

/** What one `argocd-harness` run printed and its exit code. */
export interface ArgoRun {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON report of `sync --report`, when one was written. */
  readonly report?: any;
}

export interface ArgoOptions {
  readonly kubeconfig: string;
  /** The folder laid out like dist/ (the Application paths are taken relative to its parent). */
  readonly dist: string;
  /** @default '15m' */
  readonly timeout?: string;
  /** Where to write the sync report. */
  readonly reportFile?: string;
  readonly extraArgs?: readonly string[];
}

/** Our Argo CD settings (resource customizations, health checks) that the harness judges health with. */
export const ARGOCD_CM_PATCH = path.join(PROJECT_DIR, 'docs', 'argocd', 'argocd-cm-patch.yaml');

/**
 * Run `argocd-harness <sub> --application <app>` (our program built against Argo CD v3.5.1's sync,
 * health and diff code) and collect its output. Never throws for a non-zero exit: the caller asserts.
 */
export function argocd(sub: 'sync' | 'diff' | 'delete', application: string, opts: ArgoOptions): Promise<ArgoRun> {
  const args = [
    sub,
    '--kubeconfig',
    opts.kubeconfig,
    '--application',
    application,
    '--dist',
    opts.dist,
    '--argocd-cm',
    ARGOCD_CM_PATCH,
    ...(sub === 'sync' ? ['--timeout', opts.timeout ?? '15m'] : []),
    ...(sub === 'sync' && opts.reportFile ? ['--report', opts.reportFile] : []),
    ...(opts.extraArgs ?? []),
  ];
  const program = binary('argocd-harness');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let report: any;
      if (opts.reportFile && fs.existsSync(opts.reportFile)) {
        report = JSON.parse(fs.readFileSync(opts.reportFile, 'utf8'));
      } else if (opts.reportFile && code === 0) {
        // a sync that says it succeeded but left no report cannot be judged: the health checks would pass vacuously
        reject(new Error(`argocd-harness ${sub} ${application} exited 0 but wrote no report at ${opts.reportFile}`));
        return;
      }
      resolve({ command: `argocd-harness ${args.join(' ')}`, code: code ?? 1, stdout, stderr, report });
    });
  });
}
