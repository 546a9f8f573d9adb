import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';

/**
 * A deploy to an AWS target from a machine with no AWS credentials at all: one line a user can
 * act on, exit 2 (rejected before any change), no lock left behind.
 */
const NO_CREDENTIALS = 'no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO or an instance role)';
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-nocreds-'));
  await writeFile(join(home, 'empty-config'), '');
  await writeFile(join(home, 'empty-credentials'), '');
  env = {
    AWS_PROFILE: 'ml-rollout-test-no-such-profile',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'empty-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'empty-credentials'),
  };
});

afterAll(() => rm(home, { recursive: true, force: true }));

/** The child's environment without any credential or region of this machine. */
function cleanEnv(): void {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION']) {
    delete process.env[name];
  }
  for (const name of Object.keys(process.env))
    if (name.startsWith('AWS_CONTAINER_') || name.startsWith('AWS_WEB_IDENTITY')) delete process.env[name];
}

async function bundle(name: string, target: string): Promise<string> {
  const dir = join(home, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'rollout.yaml'), `name: skin\nversion: 1.0.0\ntarget:\n${target}phases: [{ name: only }]\n`);
  await writeFile(join(dir, 'Procfile'), 'web: python serve.py\n');
  await writeFile(join(dir, 'serve.py'), 'print("serve")\n');
  return dir;
}

describe('deploy without AWS credentials', () => {
  const saved = { ...process.env };
  beforeEach(cleanEnv);
  afterEach(() => {
    process.env = { ...saved };
  });

  it('to SageMaker: the snapshot is refused with the line to act on, exit 2, the lock released', async () => {
    const dir = await bundle(
      'sm',
      '  type: sagemaker\n  environment: skin-sm\n  region: eu-west-1\n  endpoint: skin\n' +
        '  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/skin:1\n' +
        '  executionRoleArn: arn:aws:iam::123456789012:role/sm\n  instanceType: ml.m5.xlarge\n',
    );
    const r = await cli(['deploy', dir], home, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`Rejected: ${NO_CREDENTIALS} — DescribeEndpoint endpoint skin`);
    expect(r.stderr).toContain(`ml-rollout: rejected: ${NO_CREDENTIALS}`);
    expect(r.stdout).not.toMatch(/access denied/);
    const envDir = await readdir(join(home, 'envs', 'skin-sm'));
    expect(envDir).not.toContain('lock.json');
  }, 90_000);

  it('to Elastic Beanstalk: the upload of the bundle is refused in one line, exit 2', async () => {
    const dir = await bundle(
      'eb',
      '  type: elastic-beanstalk\n  environment: skin-prod\n  region: eu-west-1\n  application: skin\n  bucket: skin-bundles\n',
    );
    const r = await cli(['deploy', dir], home, env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^ml-rollout: no AWS credentials found \(AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO or an instance role\) — HeadObject s3:\/\/skin-bundles\/\S+\/1\.0\.0-[0-9a-f]{12}\.zip$/,
    );
  }, 90_000);
});
