// Type check, lint and format check, side by side (each is mostly single-threaded); fails if any fails.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const bin = (name) => path.join(__dirname, '..', 'node_modules', '.bin', name);
const checks = [
  ['typecheck', bin('tsc'), ['-p', '.']],
  ['lint', bin('eslint'), ['.', '--cache', '--cache-location', '.cache/eslint']],
  ['format', bin('prettier'), ['--check', '.', '--cache', '--log-level', 'warn']],
];

Promise.all(
  checks.map(
    ([name, cmd, args]) =>
      new Promise((resolve) => {
        const child = spawn(cmd, args, { cwd: path.join(__dirname, '..'), stdio: 'inherit' });
        child.on('close', (code) => {
          if (code !== 0) console.error(`check: ${name} failed`);
          resolve(code === 0);
        });
      }),
  ),
).then((ok) => {
  process.exitCode = ok.every(Boolean) ? 0 : 1;
});
