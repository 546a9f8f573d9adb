import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
const DOCS = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
];

/** Markdown with fenced code blocks blanked out: a `#` or `[x](y)` in a shell example is neither a heading nor a link. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m?.[1]) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Relative link targets of a Markdown text (inline code and fenced blocks left out). */
function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const line of prose(markdown)) {
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1] as string;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push(target);
    }
  }
  return links;
}

/** What is wrong with one link written in `from`, or null when it resolves. */
function brokenReason(from: string, target: string): string | null {
  const [path = '', anchor] = target.split('#');
  const file = path ? resolve(dirname(from), decodeURIComponent(path)) : from;
  if (!existsSync(file)) return `${relative(ROOT, file)} does not exist`;
  if (anchor === undefined) return null;
  if (!statSync(file).isFile() || !file.endsWith('.md')) return `#${anchor} points into ${relative(ROOT, file)}, which is not Markdown`;
  return anchors(readFileSync(file, 'utf8')).has(anchor) ? null : `${relative(ROOT, file)} has no heading #${anchor}`;
}

describe('links in README.md and docs/', () => {
  it('finds the links to check (README links into docs/)', () => {
    const readme = relativeLinks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(readme).toEqual(expect.arrayContaining(['docs/operations.md', 'docs/benchmarks.md']));
  });

  it('every relative link points to an existing file and heading', () => {
    const broken = DOCS.flatMap((from) =>
      relativeLinks(readFileSync(from, 'utf8')).flatMap((target) => {
        const reason = brokenReason(from, target);
        return reason ? [`${relative(ROOT, from)}: (${target}) ${reason}`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });

  it('reports a missing file and a missing heading', () => {
    const from = join(ROOT, 'README.md');
    expect(brokenReason(from, 'docs/nothing-here.md')).toBe('docs/nothing-here.md does not exist');
    expect(brokenReason(from, 'docs/operations.md#no-such-heading')).toBe('docs/operations.md has no heading #no-such-heading');
  });

  it('names anchors as GitHub does, headings in code blocks left out', () => {
    const md = [
      '# Packaged functions: `npm run bench:bundles`',
      "## The Serverless application's functions",
      '## On AWS',
      '## On AWS',
      '```sh',
      '# a comment',
      '```',
    ].join('\n');
    expect([...anchors(md)]).toEqual([
      'packaged-functions-npm-run-benchbundles',
      'the-serverless-applications-functions',
      'on-aws',
      'on-aws-1',
    ]);
    expect(relativeLinks('see [a](a.md) and `[b](b.md)` and [c](https://example.com)\n```\n[d](d.md)\n```')).toEqual(['a.md']);
  });
});
