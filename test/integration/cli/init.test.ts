import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { manifestSchema } from '../../../lib/plan/schema.js';
import { cli, type CliResult } from '../../support/cli.js';

/** `ml-rollout init`: what it creates, with and without prompts, and that what it creates works. */
let home: string;

beforeAll(async () => (home = await mkdtemp(join(tmpdir(), 'ml-rollout-init-'))));
afterAll(async () => {
  await cli(['destroy', '--env', 'my-model-dev'], home);
  await rm(home, { recursive: true, force: true });
});

async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Runs a command to its end; its output goes to the result, never to the test's stdio. */
function run(cmd: string, args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The CLI with its prompts forced on (ML_ROLLOUT_INIT_INTERACTIVE=1, for tests only) and stdin a
 * pipe: each answer is typed once its question is on the screen, as a user would.
 */
function scripted(args: string[], answers: [RegExp, string][]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', '..', 'bin', 'ml-rollout.js'), ...args], {
      env: { ...process.env, ML_ROLLOUT_HOME: home, ML_ROLLOUT_INIT_INTERACTIVE: '1', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let next = 0;
    let answeredAt = 0;
    child.stdout.on('data', (d) => {
      stdout += d;
      const step = answers[next];
      // Look only past the last answer: a question is answered once.
      if (step?.[0].test(stdout.slice(answeredAt))) {
        next += 1;
        answeredAt = stdout.length;
        child.stdin.write(step[1]);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ml-rollout init', () => {
  const dir = () => join(home, 'my-model');

  it('--yes: creates the project with the defaults, a rollout.yaml the schema accepts', async () => {
    const r = await cli(['init', 'my-model', '--dir', dir(), '--yes'], home);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^created .*my-model\/ for local environment my-model-dev/);
    expect(await listAll(dir())).toEqual([
      '.github/workflows/rollout.yml',
      'Procfile',
      'README.md',
      'package.json',
      'proxy.env',
      'rollout.yaml',
      'server.js',
      'test/server.test.js',
    ]);
    const manifest = manifestSchema.parse(parse(await readFile(join(dir(), 'rollout.yaml'), 'utf8')));
    expect(manifest).toMatchObject({
      name: 'my-model',
      version: '0.1.0',
      target: { type: 'local', environment: 'my-model-dev' },
      smoke: [{ method: 'POST', path: '/predict', expectStatus: 200 }],
    });
    expect(manifest.phases.map((p) => p.name)).toEqual(['minimal', 'ml-dependencies', 'faiss-scin', 'verify-metrics']);
    expect(manifest.phases[3]?.gate).toEqual({ cpuPercent: 70, memoryPercent: 80, p95LatencyMs: 10000, errorRatePercent: 1 });
    expect(await readFile(join(dir(), 'Procfile'), 'utf8')).toBe('web: node server.js\n');
    expect(await readFile(join(dir(), 'proxy.env'), 'utf8')).toBe('PROXY_CACHE_TTL_SECONDS=3600\n');
    const workflow = await readFile(join(dir(), '.github/workflows/rollout.yml'), 'utf8');
    expect(workflow).toContain('run: npm test');
    expect(workflow).toContain('npx ml-rollout pack . -o bundle.zip');
    expect(workflow).toMatch(/aws s3 cp bundle\.zip "s3:\/\/\$\{\{ vars\.ROLLOUT_BUCKET \}\}\/bundles\/my-model\//);
    expect(JSON.parse(await readFile(join(dir(), 'package.json'), 'utf8'))).toMatchObject({
      name: 'my-model',
      scripts: { test: 'node --test' },
    });
  });

  it("the generated service's own tests pass (node --test, offline)", async () => {
    const r = await run(process.execPath, ['--test'], dir());
    expect([r.code, r.stdout.match(/# pass (\d+)/)?.[1], r.stdout.match(/# fail (\d+)/)?.[1]]).toEqual([0, '3', '0']);
  });

  it('the generated bundle deploys through the local engine, then is destroyed', async () => {
    const r = await cli(['deploy', dir()], home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Succeeded: 0\.1\.0 serves at http:\/\/127\.0\.0\.1:\d+/);
    const s = JSON.parse((await cli(['status', '--env', 'my-model-dev', '--json'], home)).stdout) as { url: string; healthy: boolean };
    expect(s.healthy).toBe(true);
    const predict = await fetch(`${s.url}/predict`, { method: 'POST', body: JSON.stringify({ input: [0.1, 0.2] }) });
    expect(((await predict.json()) as { neighbours: unknown[] }).neighbours).toHaveLength(3);
    expect((await cli(['destroy', '--env', 'my-model-dev'], home)).stdout).toMatch(/^stopped my-model-dev \(0\.1\.0/);
  }, 180_000);

  it('refuses an existing directory: exit 2, one line, nothing changed', async () => {
    const before = (await stat(join(dir(), 'rollout.yaml'))).mtimeMs;
    const r = await cli(['init', 'my-model', '--dir', dir(), '--yes'], home);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ml-rollout: init: ${dir()} already exists; init never overwrites a directory\n`);
    expect((await stat(join(dir(), 'rollout.yaml'))).mtimeMs).toBe(before);
  });

  it('refuses an unknown target in one line', async () => {
    const r = await cli(['init', 'other', '--dir', join(home, 'other'), '--target', 'k8s', '--yes'], home);
    expect([r.code, r.stderr]).toEqual([2, 'ml-rollout: init: --target k8s: one of local, elastic-beanstalk, sagemaker, ecs\n']);
  });

  it('asks in a terminal: the target, environment, region, memory, instance types with cost and fit, the cache', async () => {
    const target = join(home, 'skin');
    const r = await scripted(
      ['init', 'skin', '--dir', target],
      [
        [/Where does it roll out to\?/, '2\r'],
        [/Environment name/, 'skin-prod\r'],
        [/AWS region/, '\r'],
        [/Memory the service needs/, '6\r'],
        [/Instance type/, '\r'],
        [/Cache the proxy's answers/, 'y\r'],
        [/Cache TTL/, '600\r'],
      ],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The catalogue as the user saw it: vCPUs, memory, monthly cost, and the capacity verdict for 6 GB.
    expect(r.stdout).toContain('Instance type (cheapest fit for 6 GB under the 80 % gate: m5.large)');
    expect(r.stdout).toMatch(/m5\.large\s+2 vCPU\s+8 GB\s+~\$70\/month\s+fits \(75 %\)/);
    expect(r.stdout).toMatch(/t3\.micro\s+2 vCPU\s+1 GB\s+~\$8\/month\s+too small \(600 % > 80 %\)/);
    const manifest = manifestSchema.parse(parse(await readFile(join(target, 'rollout.yaml'), 'utf8')));
    expect(manifest.target).toEqual({
      type: 'elastic-beanstalk',
      environment: 'skin-prod',
      region: 'eu-west-1',
      application: 'skin',
      bucket: 'skin-bundles',
      instance: { instanceType: 'm5.large' },
    });
    expect(manifest.capacity).toEqual({ memoryGb: 6 });
    expect(await readFile(join(target, 'proxy.env'), 'utf8')).toBe('PROXY_CACHE_TTL_SECONDS=600\n');
  });

  it('--target ecs: a manifest `plan` shows without any AWS credential', async () => {
    const ecs = join(home, 'yolo');
    expect((await cli(['init', 'yolo', '--dir', ecs, '--target', 'ecs', '--yes'], home)).code).toBe(0);
    const offline = {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const r = await cli(['plan', ecs], home, offline);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^yolo 0\.1\.0 → ecs environment yolo-prod \(digest [0-9a-f]{12}\)/);
    expect(r.stdout).toContain('health: GET /health (2xx within 2000 ms); polls every 15 s');
    expect(r.stdout).toContain('4. verify-metrics');
    expect(r.stdout).toContain('deadline 900 s, bake 60 s (a sample every 60 s)');
  });
});
