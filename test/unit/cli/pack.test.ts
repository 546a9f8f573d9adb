import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import yauzl from 'yauzl';
import { pack } from '../../../cli/commands/pack.js';
import { readBundle } from '../../../lib/bundle/read.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ml-rollout-pack-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function bundleDir(entries: Record<string, string>): Promise<string> {
  const dir = join(root, 'bundle');
  for (const [name, content] of Object.entries(entries)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names.sort()));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const BASE = {
  'rollout.yaml': 'name: skin\nversion: 1.0.0\ntarget: { environment: skin-dev }\nphases: [{ name: only }]\n',
  Procfile: 'web: python serve.py\n',
  'serve.py': 'print(1)\n',
};

describe('pack', () => {
  it('ships .ebextensions and .platform, leaves out VCS metadata and what .ml-rollout-ignore names', async () => {
    const dir = await bundleDir({
      ...BASE,
      '.ebextensions/cloudwatch.config': 'files: {}\n',
      '.platform/hooks/prebuild/01-deps.sh': '#!/bin/sh\n',
      '.platform/nginx/conf.d/timeout.conf': 'proxy_read_timeout 120;\n',
      '.git/config': '[core]\n',
      '.DS_Store': '',
      '.ml-rollout-ignore': 'scratch/\n*.tmp\n',
      'scratch/notes.txt': '',
      'out.tmp': '',
    });
    const zip = join(root, 'out', 'skin.zip');
    const packed = await pack(dir, zip);
    expect(await zipEntries(zip)).toEqual([
      '.ebextensions/cloudwatch.config',
      '.platform/hooks/prebuild/01-deps.sh',
      '.platform/nginx/conf.d/timeout.conf',
      'Procfile',
      'rollout.yaml',
      'serve.py',
    ]);
    expect(packed).toEqual({ files: 6, version: '1.0.0' });
  });

  it('the digest of a directory is the digest of its packed zip', async () => {
    const dir = await bundleDir({ ...BASE, '.ebextensions/a.config': 'x: 1\n', '.git/HEAD': 'ref\n', '.DS_Store': '' });
    const zip = join(root, 'skin.zip');
    await pack(dir, zip);
    const home = join(root, 'home');
    const fromDir = await readBundle(dir, home);
    const fromZip = await readBundle(zip, home);
    expect(fromZip.digest).toBe(fromDir.digest);
    expect(fromDir.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('plan', () => {
  it('lists the configuration files and platform hooks the bundle carries', async () => {
    const { planBundle, planLines } = await import('../../../cli/commands/plan.js');
    const dir = await bundleDir({
      ...BASE,
      '.ebextensions/cloudwatch.config': 'files: {}\n',
      '.ebextensions/README.md': 'not read by the platform\n',
      '.platform/hooks/predeploy/01-warm.sh': '#!/bin/sh\n',
      '.platform/confighooks/postdeploy/02-reload.sh': '#!/bin/sh\n',
    });
    const planned = await planBundle(dir);
    expect(planned.platformFiles).toEqual([
      { path: '.ebextensions/cloudwatch.config', kind: 'configuration file' },
      { path: '.platform/confighooks/postdeploy/02-reload.sh', kind: 'configuration deployment hook' },
      { path: '.platform/hooks/predeploy/01-warm.sh', kind: 'platform hook' },
    ]);
    expect(planLines(planned)[1]).toBe(
      'platform files: .ebextensions/cloudwatch.config (configuration file), ' +
        '.platform/confighooks/postdeploy/02-reload.sh (configuration deployment hook), .platform/hooks/predeploy/01-warm.sh (platform hook)',
    );
  });

  it('warns when a gated bake on an AWS target is too short for a fresh one-minute datapoint', async () => {
    const { planBundle, planLines } = await import('../../../cli/commands/plan.js');
    const dir = await bundleDir({
      ...BASE,
      'rollout.yaml':
        'name: skin\nversion: 1.0.0\ntarget: { type: sagemaker, environment: skin-sm, region: eu-west-1, endpoint: skin, ' +
        'image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/skin:1, executionRoleArn: "arn:aws:iam::123456789012:role/sm", instanceType: ml.m5.xlarge }\n' +
        'phases: [{ name: verify-metrics, bakeSeconds: 60, gate: { memoryPercent: 80 } }]\n',
    });
    expect(planLines(await planBundle(dir))).toContain(
      'note: verify-metrics bakes 60 s; one-minute CloudWatch metrics need bakeSeconds ≥ 240 to have a datapoint from after the phase became stable (else its gate fails: "no datapoint since …")',
    );
  });
});
