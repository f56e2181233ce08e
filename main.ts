import { findProjectDir } from './lib/synth/project';
import { synthesizeToDist } from './lib/synth/run';

process.exitCode = synthesizeToDist({ env: process.env, cwd: process.cwd(), projectDir: findProjectDir(__dirname) });
