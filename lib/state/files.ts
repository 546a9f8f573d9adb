import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StateFileInvalidError } from '../errors.js';
import type { StateSchemaName } from './schemas.js';

/** Reads a JSON file; null when it does not exist. Not for state files: see readState. */
export async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Parses a state file's text through its schema; StateFileInvalidError naming `path` and the problem. */
export async function parseState<T>(path: string, text: string, schema: StateSchemaName): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StateFileInvalidError(path, text.trim() === '' ? 'the file is empty' : `not JSON: ${(err as Error).message}`);
  }
  // Loaded on first use: a command that finds no state file to read (--help, status of nothing) loads no zod.
  const { describeStateIssue, stateSchemas } = await import('./schemas.js');
  const parsed = stateSchemas[schema].safeParse(value);
  if (!parsed.success) throw new StateFileInvalidError(path, describeStateIssue(parsed.error));
  return parsed.data as T;
}

/** Reads a state file through its schema: null when it does not exist, StateFileInvalidError when it is not valid. */
export async function readState<T>(path: string, schema: StateSchemaName): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseState<T>(path, text, schema);
}

/** A unique temporary name beside `path` (same directory: same file system, so a rename is atomic). */
export function tempPath(path: string): string {
  return `${path}.${randomUUID()}.tmp`;
}

/**
 * Writes `text` to a new temporary file beside `path`, flushed to disk, and returns its name. A
 * write that fails (a full disk) removes the temporary file: none is left behind.
 */
export async function writeTemp(path: string, text: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPath(path);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(text);
      // Flushed before the rename: after a crash the file is the old one or the whole new one.
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return tmp;
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = await writeTemp(path, `${JSON.stringify(value, null, 2)}\n`);
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * What a read found, null for a state file that is not valid: for readers that only report
 * (status, reconciling a run), which must not be wedged by a file the next write repairs.
 */
export async function unlessInvalid<T>(read: Promise<T | null>): Promise<T | null> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof StateFileInvalidError) return null;
    throw err;
  }
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
