// Loaded with `node --import` into a CLI child: records the URL of every module it loads (ES
// modules and the CommonJS ones they require) in $ML_ROLLOUT_TRACE_FILE, one per line.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
const file = ${JSON.stringify(process.env.ML_ROLLOUT_TRACE_FILE ?? '')};
export async function load(url, context, next) {
  if (file) appendFileSync(file, url + '\\n');
  return next(url, context);
}`)}`,
);
