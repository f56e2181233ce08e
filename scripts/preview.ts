// Pull-request previews: `npm run preview:render` and `npm run preview:settings` (see README "Pull-request previews").
import { findProjectDir } from '../lib/synth/project';
import { previewMain } from '../lib/synth/preview';

process.exitCode = previewMain(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  // npm runs scripts in the project folder; file names on the command line are relative to where npm was run
  filesDir: process.env.INIT_CWD,
  projectDir: findProjectDir(__dirname),
});
