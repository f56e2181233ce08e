import * as fs from 'node:fs';
import * as path from 'node:path';
import { binary } from './binaries';
import type { ControlPlane } from './control-plane';
import { waitFor, type Started } from './process';

/** One thing the SIMULATED AWS provider "did in AWS" (a line of its --record file). */
export interface AwsAction {
  readonly action?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly [k: string]: unknown;
}

export interface RunningSimulatedAws {
  readonly process: Started;
  readonly recordFile: string;
  /** Every recorded action so far. */
  readonly actions: () => AwsAction[];
}

export interface SimulatedAwsOptions {
  /** How long a simulated create, update or delete takes. @default '2s' */
  readonly delay?: string;
  readonly extraArgs?: readonly string[];
}

/**
 * Start `simulated-aws`: the one part of the stack that is SIMULATED. It stands in for
 * provider-upjet-aws (no AWS is reachable here) and records every create, update and delete it
 * would have done in AWS.
 */
export async function startSimulatedAws(
  cp: ControlPlane,
  options: SimulatedAwsOptions = {},
): Promise<RunningSimulatedAws> {
  const recordFile = path.join(cp.dir, 'simulated-aws.jsonl');
  const proc = cp.start('simulated-aws', binary('simulated-aws'), [
    '--kubeconfig',
    cp.adminKubeconfig,
    '--delay',
    options.delay ?? '2s',
    '--record',
    recordFile,
    ...(options.extraArgs ?? []),
  ]);
  await waitFor(
    'simulated-aws to start',
    async () => (fs.readFileSync(proc.logFile, 'utf8').includes('SIMULATED AWS provider') ? true : undefined),
    60_000,
    proc,
  );
  return {
    process: proc,
    recordFile,
    actions: () =>
      fs.existsSync(recordFile)
        ? fs
            .readFileSync(recordFile, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as AwsAction)
        : [],
  };
}
