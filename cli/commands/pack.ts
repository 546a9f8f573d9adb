import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { shippedFiles } from '../../lib/bundle/digest.js';
import { inspectDir, parseManifest } from '../../lib/bundle/read.js';
import { BundleInvalidError } from '../../lib/errors.js';

/**
 * `ml-rollout pack DIR -o FILE [--manifest FILE]`: zips a bundle directory, optionally with
 * another rollout.yaml (the same app rolled out differently). Dot-files ship (.ebextensions/,
 * .platform/); version-control and editor metadata and what .ml-rollout-ignore names do not
 * (lib/bundle/digest.ts shippedFiles). The zip's digest equals the directory's.
 */
export async function pack(dir: string, output: string, manifestFile?: string): Promise<{ files: number; version: string }> {
  const manifestText = manifestFile ? await readFile(manifestFile, 'utf8').catch(() => null) : null;
  if (manifestFile && manifestText === null) throw new BundleInvalidError(`${manifestFile}: no such file`);
  const { manifest } = manifestText !== null ? { manifest: parseManifest(manifestText) } : await inspectDir(dir, dir);
  if (manifestText !== null)
    await inspectDir(dir, dir).catch((e: unknown) => {
      // The directory's own rollout.yaml is replaced; only its Procfile must hold.
      if (!(e instanceof BundleInvalidError) || !/rollout\.yaml/.test(e.message)) throw e;
    });
  const zip = new yazl.ZipFile();
  const files = await shippedFiles(dir);
  for (const f of files) {
    if (manifestText !== null && f === 'rollout.yaml') continue;
    zip.addFile(join(dir, f), f);
  }
  if (manifestText !== null) zip.addBuffer(Buffer.from(manifestText), 'rollout.yaml');
  zip.end();
  await mkdir(dirname(output), { recursive: true });
  await pipeline(zip.outputStream, createWriteStream(output));
  return { files: files.length + (manifestText !== null && !files.includes('rollout.yaml') ? 1 : 0), version: manifest.version };
}
