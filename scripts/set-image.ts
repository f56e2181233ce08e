// Records the image an environment runs (service.imageTag) in config/environments.yaml; see README "Images".
import { setImageMain } from '../lib/config/set-image';
import { findProjectDir } from '../lib/synth/project';

process.exitCode = setImageMain(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  projectDir: findProjectDir(__dirname),
  log: (l) => process.stdout.write(`${l}\n`),
  error: (l) => process.stderr.write(`${l}\n`),
});
