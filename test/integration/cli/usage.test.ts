import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { makeBundle } from '../../support/bundles.js';

/** The CLI's own surface, as a new user meets it: help, version, mistakes, scripts, colour. */
let home: string;
let work: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-usage-'));
  work = join(home, 'work');
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** A usage error: exit 2, exactly one line on stderr, nothing on stdout. */
async function usageError(args: string[]): Promise<string> {
  const r = await cli(args, home);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

const ESCAPE = '\u001b[';

describe('ml-rollout usage', () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const r = await cli([flag], home);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it('--help lists every command, with the rollout flags', async () => {
    const r = await cli(['--help'], home);
    expect(r.code).toBe(0);
    for (const command of [
      'deploy <bundle>',
      'plan <bundle>',
      'status --env NAME',
      'rollback --env NAME',
      'destroy',
      'unlock',
      'pack',
      'proxy',
      'demo',
    ])
      expect(r.stdout).toContain(command);
    expect(r.stdout).toContain('--poll-seconds N');
    expect(r.stdout).toContain('--sample-seconds N');
  });

  it('no command: the help on stderr, exit 2', async () => {
    const r = await cli([], home);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: ml-rollout <command>');
  });

  it('deploy --help prints its options and exit codes', async () => {
    const r = await cli(['deploy', '--help'], home);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Usage: ml-rollout deploy <bundle>');
    expect(r.stdout).toMatch(/--poll-seconds <n>\s+seconds between health polls/);
    expect(r.stdout).toMatch(/--sample-seconds <n>\s+seconds between gate samples/);
    expect(r.stdout).toMatch(/Exit codes:\n\s+0 {2}succeeded.*\n\s+1 {2}failed.*\n\s+2 {2}rejected.*\n\s+3 {2}rolled back/);
  });

  it('help rollback prints its exit codes', async () => {
    const r = await cli(['help', 'rollback'], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:\n\s+0 {2}the previous known-good version serves again.*\n\s+1 {2}failed\n\s+2 {2}refused/);
  });

  it('a misspelt command names it and suggests the closest one', async () => {
    expect(await usageError(['deplyo'])).toBe("ml-rollout: unknown command 'deplyo': did you mean deploy?");
  });

  it('a command with nothing close lists the commands', async () => {
    expect(await usageError(['frobnicate'])).toMatch(
      /^ml-rollout: unknown command 'frobnicate': the commands are deploy, plan, demo, status/,
    );
  });

  it('a misspelt flag names it and suggests the closest one', async () => {
    expect(await usageError(['status', '--env', 'x', '--jsno'])).toBe("ml-rollout: unknown option '--jsno': did you mean --json?");
  });

  it('deploy without a bundle names the missing argument and the usage', async () => {
    expect(await usageError(['deploy'])).toMatch(/^ml-rollout: missing bundle: (npx )?ml-rollout deploy <bundle> \[--report FILE\]/);
  });

  it('status without --env names the missing option', async () => {
    expect(await usageError(['status'])).toMatch(/^ml-rollout: missing --env: (npx )?ml-rollout status --env NAME/);
  });

  it('plan --json prints the plan as JSON, touching nothing', async () => {
    const bundle = await makeBundle(work, { version: '4.0.0', environment: 'usage' });
    const r = await cli(['plan', bundle, '--json'], home);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ name: 'test-app', version: '4.0.0', environment: 'usage', target: { type: 'local' } });
    expect(plan.phases.map((p: { name: string }) => p.name)).toEqual(['minimal', 'ml-dependencies', 'faiss-scin', 'verify-metrics']);
    expect(await readdir(home)).toEqual(['work']);
  });

  it('piped output has no escape codes, and NO_COLOR keeps a forced terminal plain', async () => {
    const bundle = await makeBundle(work, { version: '4.0.1', environment: 'usage', phases: [{ name: 'only', deadlineSeconds: 10 }] });
    const piped = await cli(['deploy', bundle], home);
    try {
      expect(piped.code).toBe(0);
      expect(piped.stdout).toContain('✓');
      expect(piped.stdout + piped.stderr).not.toContain(ESCAPE);
      const plain = await cli(['deploy', bundle], home, { FORCE_COLOR: '1', NO_COLOR: '1' });
      expect(plain.stdout).toContain('Unchanged: 4.0.1 already serves');
      expect(plain.stdout + plain.stderr).not.toContain(ESCAPE);
      const coloured = await cli(['deploy', bundle], home, { FORCE_COLOR: '1' });
      expect(coloured.stdout).toContain(`${ESCAPE}32m✓`);
    } finally {
      await cli(['destroy', '--env', 'usage'], home);
    }
  });

  it('deploy --json prints the report on stdout and the progress on stderr', async () => {
    const bundle = await makeBundle(work, { version: '4.0.2', environment: 'usage', phases: [{ name: 'only', deadlineSeconds: 10 }] });
    const r = await cli(['deploy', bundle, '--json'], home);
    try {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded', environment: 'usage', version: '4.0.2' });
      expect(r.stderr).toMatch(/✓ bundle test-app 4\.0\.2 is valid/);
      expect(r.stderr).toContain('Succeeded: 4.0.2 serves');
    } finally {
      await cli(['destroy', '--env', 'usage'], home);
    }
  });

  it('deploy --quiet prints neither progress nor summary', async () => {
    const bundle = await makeBundle(work, { version: '4.0.3', environment: 'usage', phases: [{ name: 'only', deadlineSeconds: 10 }] });
    const r = await cli(['deploy', bundle, '--quiet'], home);
    try {
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('');
    } finally {
      await cli(['destroy', '--env', 'usage'], home);
    }
  });
});
