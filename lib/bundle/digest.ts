import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every regular file under `root`, as sorted paths relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** The optional file of a bundle directory naming what `pack` leaves out (gitignore-like lines). */
export const IGNORE_FILE = '.ml-rollout-ignore';

/** Version-control and editor metadata: never part of a bundle. */
const METADATA_DIRS = new Set(['.git', '.hg', '.svn']);
const METADATA_FILES = new Set(['.DS_Store', IGNORE_FILE]);

/**
 * One line of .ml-rollout-ignore as a test on a relative path: `*` matches within a path part,
 * `**` across parts, a trailing `/` names a directory, a line without `/` matches a file or
 * directory of that name anywhere; `#` starts a comment.
 */
export function ignoreRule(line: string): ((path: string) => boolean) | null {
  const pattern = line.trim();
  if (!pattern || pattern.startsWith('#')) return null;
  const dirOnly = pattern.endsWith('/');
  const body = pattern.replace(/^\/+|\/+$/g, '');
  if (!body) return null;
  const anywhere = !pattern.replace(/\/+$/, '').includes('/');
  const source = body
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => {
      if (part === '**/' || part === '**') return '(?:.*/)?'.concat(part === '**' ? '.*' : '');
      if (part === '*') return '[^/]*';
      if (part === '?') return '[^/]';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  // A match of a directory covers everything under it; a file pattern only the file itself.
  const re = new RegExp(`^${anywhere ? '(?:.*/)?' : ''}${source}${dirOnly ? '/' : '(?:/|$)'}`);
  return (path) => re.test(path);
}

/**
 * The files of a bundle directory that `pack` ships, sorted: every file, dot-files included
 * (.ebextensions/ and .platform/ are where Elastic Beanstalk reads configuration files and
 * platform hooks from), except version-control and editor metadata (.git/, .hg/, .svn/,
 * .DS_Store) and what .ml-rollout-ignore names.
 */
export async function shippedFiles(root: string): Promise<string[]> {
  const ignoreText = await readFile(join(root, IGNORE_FILE), 'utf8').catch(() => '');
  const rules = ignoreText.split(/\r?\n/).flatMap((l) => ignoreRule(l) ?? []);
  return (await listFiles(root)).filter((file) => {
    const parts = file.split('/');
    if (parts.slice(0, -1).some((p) => METADATA_DIRS.has(p))) return false;
    if (METADATA_FILES.has(parts.at(-1) ?? '')) return false;
    return !rules.some((matches) => matches(file));
  });
}

/** sha256 over the files' paths and contents: the same files give the same digest, however zipped. */
export async function digestFiles(root: string, files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    for await (const chunk of createReadStream(join(root, file))) hash.update(chunk as Buffer);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The digest of every file under `root` (an unpacked zip: all of it ships). */
export async function digestDir(root: string): Promise<string> {
  return digestFiles(root, await listFiles(root));
}

/** The digest of what `pack` would ship from a bundle directory: equal to the digest of its zip. */
export async function digestShipped(root: string): Promise<string> {
  return digestFiles(root, await shippedFiles(root));
}
