/** npm run prices: pins the plan's regional prices to AWS's price list files (see lib/plan/prices-cli.ts). */
import { runPrices } from '../lib/plan/prices-cli';
import { findProjectDir } from '../lib/synth/project';

process.exitCode = runPrices({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  // npm runs scripts in the project folder; file names on the command line are relative to where npm was run
  filesDir: process.env.INIT_CWD,
  projectDir: findProjectDir(__dirname),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
