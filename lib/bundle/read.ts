import { randomUUID } from 'node:crypto';
import { cp, lstat, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, YAMLParseError } from 'yaml';
import { MAX } from '../plan/limits.js';
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
  if (Buffer.byteLength(text) > MAX.manifestBytes)
    throw new BundleInvalidError(`rollout.yaml is larger than ${MAX.manifestBytes} bytes (1 MiB)`);
  let raw: unknown;
  try {
    raw = settingsAsWritten(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}` : '';
    throw new BundleInvalidError(`rollout.yaml:${where} is not valid YAML (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new BundleInvalidError('rollout.yaml: expected a mapping of fields');
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new BundleInvalidError(`rollout.yaml: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * The YAML as plain values, with every setting kept as the text written: a YAML number would
 * otherwise reach the service rewritten (`1.10` → `1.1`, `0x10` → `16`, `007` → `7`, a big
 * integer with digits lost). Throws the parser's error as parseYaml does.
 */
function settingsAsWritten(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors[0]) throw doc.errors[0];
  const phases = doc.get('phases', true);
  if (isSeq(phases)) {
    for (const phase of phases.items) {
      const settings = isMap(phase) ? phase.get('settings', true) : null;
      if (!isMap(settings)) continue;
      for (const pair of settings.items) {
        const v = pair.value;
        if (isScalar(v) && (typeof v.value === 'number' || typeof v.value === 'bigint') && v.range) {
          v.value = text.slice(v.range[0], v.range[1]);
        }
      }
    }
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** Checks the layout of an extracted bundle and reads its manifest. */
export async function inspectDir(dir: string, label: string): Promise<{ manifest: Manifest; webCommand: string }> {
  const size = (await stat(join(dir, 'rollout.yaml')).catch(() => null))?.size ?? 0;
  if (size > MAX.manifestBytes) throw new BundleInvalidError(`${label}: rollout.yaml is larger than ${MAX.manifestBytes} bytes (1 MiB)`);
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
