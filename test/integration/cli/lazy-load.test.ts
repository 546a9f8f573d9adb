import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundle } from '../../support/bundles.js';

/**
 * Each command loads only what it needs: the help, the version, `status` of a local environment
 * and `plan` load no AWS SDK client and not the local engine (aws-local-stepfunctions). Read from
 * the modules the real CLI loads, recorded by a module hook in the child.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const TRACE = join(ROOT, 'test', 'support', 'trace-imports.mjs');
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-lazy-'));
  // An environment that exists (it has a rollout history) and serves nothing: status exits 0.
  await mkdir(join(home, 'envs', 'lazy', 'rollouts'), { recursive: true });
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const file = join(home, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TRACE, join(ROOT, 'bin', 'ml-rollout.js'), ...args], {
      env: { ...process.env, ML_ROLLOUT_HOME: home, ML_ROLLOUT_TRACE_FILE: file },
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
  expect(code).toBe(0);
  return (await readFile(file, 'utf8')).trim().split('\n');
}

const heavy = (modules: string[]) => modules.filter((m) => /@aws-sdk|@smithy|aws-local-stepfunctions|\/cli\/engine\.js/.test(m));

describe('what each command loads', () => {
  it.each([
    ['--help', ['--help']],
    ['--version', ['--version']],
    ['status of a local environment', ['status', '--env', 'lazy', '--json']],
  ])('%s: no AWS SDK client, no engine, no zod', async (_, args) => {
    const modules = await modulesLoadedBy(args);
    expect(modules.some((m) => m.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(heavy(modules)).toEqual([]);
    expect(modules.filter((m) => m.includes('/zod/'))).toEqual([]);
  });

  it('plan of a local bundle: no AWS SDK client, no engine', async () => {
    const bundle = await makeBundle(join(home, 'work'), { version: '1.0.0', environment: 'lazy' });
    const modules = await modulesLoadedBy(['plan', bundle]);
    expect(modules.some((m) => m.endsWith('/dist/cli/commands/plan.js'))).toBe(true);
    expect(heavy(modules)).toEqual([]);
  });
});
