import { randomUUID } from 'node:crypto';
import { cp, lstat, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { BundleInvalidError } from '../errors.js';
import { describeIssues, manifestSchema, type Manifest } from '../plan/schema.js';
import { webCommand } from '../targets/local/procfile.js';
import { digestDir, digestShipped } from './digest.js';
import { DEFAULT_LIMITS, type BundleLimits } from './limits.js';
import { extractZip } from './zip.js';

/** A bundle that passed validation, its files in the release store. */
export interface ReadBundle {
  manifest: Manifest;
  /** sha256 of the files, hex */
  digest: string;
  /** Directory holding the bundle's files, kept for as long as a rollback may need them. */
  dir: string;
  webCommand: string;
}

/** Parses and validates rollout.yaml text; one-line BundleInvalidError naming the field otherwise. */
export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}` : '';
    throw new BundleInvalidError(`rollout.yaml:${where} is not valid YAML (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new BundleInvalidError('rollout.yaml: expected a mapping of fields');
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new BundleInvalidError(`rollout.yaml: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Checks the layout of an extracted bundle and reads its manifest. */
export async function inspectDir(dir: string, label: string): Promise<{ manifest: Manifest; webCommand: string }> {
  const manifestText = await readFile(join(dir, 'rollout.yaml'), 'utf8').catch(() => null);
  if (manifestText === null) throw new BundleInvalidError(`${label} has no rollout.yaml at its root`);
  const procfile = await readFile(join(dir, 'Procfile'), 'utf8').catch(() => null);
  if (procfile === null) throw new BundleInvalidError(`${label} has no Procfile at its root`);
  const command = webCommand(procfile);
  if (!command) throw new BundleInvalidError(`${label}: the Procfile has no web: line`);
  return { manifest: parseManifest(manifestText), webCommand: command };
}

/** Copies a directory bundle, refusing symlinks as a zip bundle would. */
async function copyDir(src: string, dest: string, limits: BundleLimits): Promise<void> {
  let total = 0;
  let count = 0;
  for (const e of await readdir(src, { recursive: true, withFileTypes: true })) {
    if (e.isSymbolicLink()) throw new BundleInvalidError(`${src}: ${join(e.parentPath, e.name)} is a symlink`);
    if (!e.isFile()) continue;
    count += 1;
    total += (await lstat(join(e.parentPath, e.name))).size;
    if (count > limits.maxEntries) throw new BundleInvalidError(`${src} has more than ${limits.maxEntries} files`);
    if (total > limits.maxTotalBytes) throw new BundleInvalidError(`${src} is larger than the size limit of ${limits.maxTotalBytes} bytes`);
  }
  await cp(src, dest, { recursive: true, verbatimSymlinks: true });
}

/**
 * Reads a bundle (a .zip or a directory) into the release store under `home`/releases, validating
 * it on the way. Nothing outside a scratch directory is written until the bundle is known good,
 * and the scratch directory is removed whatever happens.
 */
export async function readBundle(location: string, home: string, limits: BundleLimits = DEFAULT_LIMITS): Promise<ReadBundle> {
  const info = await stat(location).catch(() => null);
  if (!info) throw new BundleInvalidError(`${location}: no such file or directory`);
  const scratch = join(home, 'tmp', randomUUID());
  await mkdir(scratch, { recursive: true });
  try {
    if (info.isDirectory()) await copyDir(location, scratch, limits);
    else await extractZip(location, scratch, limits);
    const { manifest, webCommand: command } = await inspectDir(scratch, location);
    // Over exactly what ships: a directory's files as `pack` zips them, a zip's as they are.
    const digest = info.isDirectory() ? await digestShipped(scratch) : await digestDir(scratch);
    const dir = join(home, 'releases', `${manifest.name}-${manifest.version}-${digest.slice(0, 12)}`);
    if (await stat(dir).catch(() => null)) {
      await rm(scratch, { recursive: true, force: true });
    } else {
      await mkdir(join(home, 'releases'), { recursive: true });
      await rename(scratch, dir);
    }
    return { manifest, digest, dir, webCommand: command };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}
