import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every regular file under `root`, as sorted paths relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** sha256 over the files' paths and contents: the same files give the same digest, however zipped. */
export async function digestDir(root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(root)) {
    hash.update(file).update('\0');
    for await (const chunk of createReadStream(join(root, file))) hash.update(chunk as Buffer);
    hash.update('\0');
  }
  return hash.digest('hex');
}
