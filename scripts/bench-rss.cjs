// Preloaded into every process of a benchmark run (NODE_OPTIONS): records the process's peak RSS on exit.
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.BENCH_RSS_DIR;
if (dir) {
  process.on('exit', () => {
    fs.writeFileSync(path.join(dir, `${process.pid}.rss`), String(process.resourceUsage().maxRSS));
  });
}
