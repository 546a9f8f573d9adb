#!/usr/bin/env node
/**
 * `npm run bench:bundles`: what each Lambda function costs at cold start, as packaged.
 *
 *   1. `sls package` (offline, no AWS credentials) into a scratch directory, unless
 *      --package <dir> names one already made;
 *   2. per function: the .zip Lambda downloads, the bundle it loads, and its module-init
 *      time: a fresh `node` process importing the bundle (parse + evaluate, module-scope code
 *      included), median and min of --runs runs (default 7);
 *   3. with --external: the same entry bundled with the AWS SDK left external (what using the
 *      nodejs22.x runtime's SDK would mean), loaded from node_modules, for comparison.
 *
 * A benchmark, not a test: it prints figures and asserts nothing. Module init on a laptop is not
 * Lambda's cold start (which adds the download, the runtime's own start, and a slower CPU at
 * small memory sizes), but the ratios between functions and between variants carry over.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { parse as parseYaml } from 'yaml';
import yauzl from 'yauzl';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    package: { type: 'string' },
    runs: { type: 'string', default: '7' },
    external: { type: 'boolean', default: false },
  },
});
const runs = Math.max(1, Number(args.runs));

/** What the functions see on Lambda, so module-scope code runs as it would there. */
const LAMBDA_ENV = {
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  STATE_BUCKET: 'ml-rollout-bench-123456789012-eu-west-1',
  STATE_PREFIX: 'state/',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:ml-rollout-bench-rollouts',
  ROLLOUT_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:ml-rollout-bench-rollout',
  ROLLBACK_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:ml-rollout-bench-rollback',
  SLACK_WEBHOOK_PARAMETER: '/ml-rollout/bench/slack-webhook-url',
  REDIS_URL: 'redis://127.0.0.1:1',
  POWERTOOLS_SERVICE_NAME: 'ml-rollout',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

function packageService() {
  const dir = mkdtempSync(join(tmpdir(), 'ml-rollout-bench-'));
  const env = {
    ...process.env,
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];
  const started = performance.now();
  execFileSync(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'bench', '--package', dir], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.log(`sls package: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** The one file of a function's zip, extracted to `dest`. */
async function extractBundle(zipPath, dest) {
  const zip = await yauzl.openPromise(zipPath);
  try {
    for await (const entry of zip.eachEntry()) {
      if (!/\.c?m?js$/.test(entry.fileName)) continue;
      const chunks = [];
      for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c);
      const file = join(dest, basename(entry.fileName));
      writeFileSync(file, Buffer.concat(chunks));
      return file;
    }
  } finally {
    zip.close();
  }
  throw new Error(`${zipPath} holds no bundle`);
}

const INIT = `
const t0 = performance.now();
await import(process.argv[1]);
process.stdout.write(String(performance.now() - t0));
process.exit(0);
`;

/** Module-init time of `file` in fresh processes, ms: median and min. */
function initTime(file) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', INIT, pathToFileURL(file).href], {
      env: LAMBDA_ENV,
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`importing ${file} failed: ${r.stderr}`);
    times.push(Number(r.stdout));
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0] };
}

const config = parseYaml(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'), { logLevel: 'silent' });

/** serverless.yml's custom.esbuild, as esbuild options, with the AWS SDK left external. */
function externalSdkOptions() {
  const o = config.custom.esbuild;
  return {
    bundle: true,
    minify: o.minify,
    platform: o.platform,
    target: o.target,
    format: o.format,
    mainFields: o.mainFields,
    external: ['@aws-sdk/*', '@smithy/*', '@aws-crypto/*'],
    plugins: o.plugins ? createRequire(import.meta.url)(join(ROOT, o.plugins)) : [],
    logLevel: 'silent',
  };
}

const kb = (n) => `${(n / 1024).toFixed(0)} KB`.padStart(9);
const ms = (n) => `${n.toFixed(1)} ms`.padStart(9);

const dir = args.package ? resolve(args.package) : packageService();
const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
const functions = Object.values(template.Resources)
  .filter((r) => r.Type === 'AWS::Lambda::Function')
  .map((r) => ({
    name: basename(r.Properties.Code.S3Key, '.zip'),
    handler: r.Properties.Handler,
    zip: join(dir, basename(r.Properties.Code.S3Key)),
  }));

const scratch = mkdtempSync(join(tmpdir(), 'ml-rollout-bench-init-'));
// External builds must resolve the SDK from this repository's node_modules.
const externalDir = join(ROOT, '.esbuild', 'bench-external');
if (args.external) mkdirSync(externalDir, { recursive: true });

console.log(`${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, ${runs} runs per figure\n`);
console.log(
  `${'function'.padEnd(18)}${'zip'.padStart(9)}${'bundle'.padStart(9)}${'init p50'.padStart(10)}${'init min'.padStart(10)}${args.external ? `${'ext. SDK bundle'.padStart(17)}${'ext. init p50'.padStart(15)}` : ''}`,
);
try {
  for (const fn of functions) {
    const dest = join(scratch, fn.name);
    mkdirSync(dest);
    const file = await extractBundle(fn.zip, dest);
    const init = initTime(file);
    let line = `${fn.name.padEnd(18)}${kb(statSync(fn.zip).size)}${kb(statSync(file).size)} ${ms(init.median)} ${ms(init.min)}`;
    if (args.external) {
      const entry = join(ROOT, `${fn.handler.replace(/\.[^.]+$/, '')}.ts`);
      const outfile = join(externalDir, `${fn.name}${config.custom.esbuild.outputFileExtension ?? '.js'}`);
      await esbuild.build({ ...externalSdkOptions(), entryPoints: [entry], outfile });
      line += `${kb(statSync(outfile).size).padStart(17)}${ms(initTime(outfile).median).padStart(15)}`;
    }
    console.log(line);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  if (!args.package) rmSync(dir, { recursive: true, force: true });
}
