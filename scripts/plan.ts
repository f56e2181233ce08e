/** npm run plan: what the working tree does to AWS compared with a base revision (see lib/plan/run.ts). */
import { runPlan } from '../lib/plan/run';
import { findProjectDir } from '../lib/synth/project';

runPlan({
  argv: process.argv.slice(2),
  env: process.env,
  projectDir: findProjectDir(__dirname),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
}).then((code) => {
  process.exitCode = code;
});
