import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BundleInvalidError } from '../errors.js';
import type { BundleLimits } from './limits.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The path an entry may be written to inside the bundle root, or why it may not. */
export function entryProblem(name: string, externalAttributes: number): string | null {
  const mode = (externalAttributes >>> 16) & 0xffff;
  if ((mode & S_IFMT) === S_IFLNK) return `entry ${name} is a symlink`;
  if (name.includes('\\')) return `entry ${name} has a backslash in its path`;
  if (isAbsolute(name) || /^[A-Za-z]:/.test(name)) return `entry ${name} has an absolute path`;
  const norm = normalize(name);
  if (norm === '..' || norm.startsWith(`..${sep}`) || name.split('/').includes('..')) return `entry ${name} points outside the bundle root`;
  return null;
}

/**
 * Tracks entry names: a zip may hold two entries of the same name, and readers disagree on which
 * one counts (an extractor keeps the last, a reader of one entry takes the first), so a bundle
 * with a name twice is refused. Names compare as the paths they extract to (`a//b` is `a/b`).
 */
export class EntryNames {
  private readonly seen = new Set<string>();

  /** The problem with `name`, when an entry of that path was already seen. */
  add(name: string): string | null {
    const key = normalize(name).replace(/\/+$/, '');
    if (this.seen.has(key)) return `entry ${name} appears more than once`;
    this.seen.add(key);
    return null;
  }
}

function open(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // validateEntrySizes makes yauzl check every entry's real size against its header.
    yauzl.open(path, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, zip) =>
      err || !zip ? reject(err ?? new BundleInvalidError(`${path}: not a readable zip`)) : resolve(zip),
    );
  });
}

/**
 * Extracts a zip into `dest`, refusing unsafe entries (outside the root, absolute, symlinks) and
 * stopping as soon as the bytes actually written pass the limit (headers can lie).
 */
export async function extractZip(zipPath: string, dest: string, limits: BundleLimits): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await open(zipPath);
  } catch (err) {
    throw new BundleInvalidError(`${zipPath} is not a zip file (${(err as Error).message})`, { cause: err });
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new BundleInvalidError(`${zipPath} has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
  }
  let written = 0;
  const tooBig = () => new BundleInvalidError(`${zipPath} expands past the size limit of ${limits.maxTotalBytes} bytes`);

  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.close();
      reject(err);
    };
    zip.on('error', (err) => fail(new BundleInvalidError(`${zipPath}: ${yauzlProblem((err as Error).message)}`, { cause: err })));
    zip.on('end', () => resolve());
    const names = new EntryNames();
    zip.on('entry', (entry: Entry) => {
      const problem = entryProblem(entry.fileName, entry.externalFileAttributes) ?? names.add(entry.fileName);
      if (problem) return fail(new BundleInvalidError(`${zipPath}: ${problem}`));
      if (written + entry.uncompressedSize > limits.maxTotalBytes) return fail(tooBig());
      const target = join(dest, entry.fileName);
      if (entry.fileName.endsWith('/')) {
        mkdir(target, { recursive: true }).then(() => zip.readEntry(), fail);
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(new BundleInvalidError(`${zipPath}: ${entry.fileName}: ${err?.message}`, { cause: err }));
        const counter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            written += chunk.length;
            cb(written > limits.maxTotalBytes ? tooBig() : null, chunk);
          },
        });
        mkdir(dirname(target), { recursive: true })
          .then(() => pipeline(stream, counter, createWriteStream(target, { mode: 0o644 })))
          .then(
            () => zip.readEntry(),
            (e: unknown) =>
              fail(
                e instanceof BundleInvalidError
                  ? e
                  : new BundleInvalidError(`${zipPath}: ${entry.fileName}: ${(e as Error).message}`, { cause: e }),
              ),
          );
      });
    });
    zip.readEntry();
  });
}

/** yauzl checks names itself before we see them; say it in the same words as entryProblem. */
function yauzlProblem(message: string): string {
  const outside = /^invalid relative path: (.*)$/.exec(message);
  if (outside) return `entry ${outside[1]} points outside the bundle root`;
  const absolute = /^absolute path: (.*)$/.exec(message);
  if (absolute) return `entry ${absolute[1]} has an absolute path`;
  return message;
}
