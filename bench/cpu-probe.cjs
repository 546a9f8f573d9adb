// Preloaded (node --require) into each child of `npm run bench:cli`: at exit it writes the CPU
// time the process used since it started (user + system, µs) to $ML_ROLLOUT_CPU_FILE, since
// spawnSync reports no resource usage of its child. CommonJS, so that it adds no ESM loader to
// the bare `node -e 0` it is compared with.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.ML_ROLLOUT_CPU_FILE;
  if (file) writeFileSync(file, JSON.stringify(process.cpuUsage()));
});
