// Takes an environment over from the CDKTF/Terraform stack: writes config/adoption/<suffix>.yaml; see README
// "Adopting the CDKTF stack".
import { adoptMain } from '../lib/adoption/cli';
import { findProjectDir } from '../lib/synth/project';

process.exitCode = adoptMain(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  // npm runs scripts in the project folder; file names on the command line are relative to where npm was run
  filesDir: process.env.INIT_CWD,
  projectDir: findProjectDir(__dirname),
  log: (l) => process.stdout.write(`${l}\n`),
  error: (l) => process.stderr.write(`${l}\n`),
});
