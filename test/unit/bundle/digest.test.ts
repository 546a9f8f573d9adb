import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { digestShipped, ignoreRule, shippedFiles } from '../../../lib/bundle/digest.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ml-rollout-digest-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function files(entries: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(entries)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), content);
  }
}

describe('shippedFiles', () => {
  it('keeps every dot-file the platform reads, drops VCS and editor metadata', async () => {
    await files({
      Procfile: 'web: x\n',
      '.ebextensions/cloudwatch.config': 'files: {}\n',
      '.platform/hooks/predeploy/01-warm.sh': '#!/bin/sh\n',
      '.env.example': 'A=1\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.hg/store/x': '',
      'vendor/.svn/entries': '',
      '.DS_Store': '',
      'models/.DS_Store': '',
    });
    expect(await shippedFiles(root)).toEqual([
      '.ebextensions/cloudwatch.config',
      '.env.example',
      '.platform/hooks/predeploy/01-warm.sh',
      'Procfile',
    ]);
  });

  it('honours .ml-rollout-ignore, and does not ship the file itself', async () => {
    await files({
      Procfile: 'web: x\n',
      '.ml-rollout-ignore': '# local only\n*.log\nnotebooks/\n/data/raw\n.venv\n\n',
      'app.log': '',
      'logs/today.log': '',
      'notebooks/explore.ipynb': '',
      'src/notebooks.py': '',
      'data/raw/big.bin': '',
      'data/keep.csv': '',
      '.venv/bin/python': '',
    });
    expect(await shippedFiles(root)).toEqual(['Procfile', 'data/keep.csv', 'src/notebooks.py']);
  });

  it('a digest changes with a shipped file, not with metadata', async () => {
    await files({ Procfile: 'web: x\n', '.ebextensions/a.config': 'x' });
    const before = await digestShipped(root);
    await files({ '.git/HEAD': 'y', '.DS_Store': 'z' });
    expect(await digestShipped(root)).toBe(before);
    await files({ '.ebextensions/a.config': 'changed' });
    expect(await digestShipped(root)).not.toBe(before);
  });
});

describe('ignoreRule', () => {
  it.each([
    ['*.log', 'a/b.log', true],
    ['*.log', 'a/b.log.txt', false],
    ['build/', 'build/x.js', true],
    ['build/', 'build', false],
    ['/data/raw', 'data/raw/x', true],
    ['/data/raw', 'x/data/raw/y', false],
    ['docs/**/*.md', 'docs/a/b/c.md', true],
    ['docs/**/*.md', 'docs/c.md', true],
    ['secret?.txt', 'secret1.txt', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(ignoreRule(pattern)?.(path)).toBe(expected);
  });

  it('skips blanks and comments', () => {
    expect(ignoreRule('')).toBeNull();
    expect(ignoreRule('  # note')).toBeNull();
  });
});
