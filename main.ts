import { synthesizeToDist } from './lib/synth/run';

process.exitCode = synthesizeToDist({ env: process.env, cwd: process.cwd(), projectDir: __dirname });
