// Takes an environment over from the CDKTF/Terraform stack: writes config/adoption/<suffix>.yaml; see README
// "Adopting the CDKTF stack".
import { adoptMain } from '../lib/adoption/cli';
import { findProjectDir } from '../lib/synth/project';

process.exitCode = adoptMain(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  projectDir: findProjectDir(__dirname),
  log: (l) => process.stdout.write(`${l}\n`),
  error: (l) => process.stderr.write(`${l}\n`),
});
