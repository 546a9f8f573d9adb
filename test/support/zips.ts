import { writeFile } from 'node:fs/promises';
import yazl from 'yazl';

export interface ZipEntry {
  name: string;
  content?: string | Buffer;
  /** Unix mode including the file type bits (0o120777 makes a symlink). */
  mode?: number;
}

/** Builds a zip in memory with yazl. */
export async function zipBuffer(entries: ZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.content ?? ''), e.name, e.mode ? { mode: e.mode } : {});
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes a zip whose entry names are rewritten after the fact: yazl (rightly) refuses to write
 * names like "../x" or "/etc/x", so the test writes a same-length safe name and swaps the bytes
 * in the local header and the central directory (the CRCs cover contents, not names).
 */
export async function writeZip(path: string, entries: ZipEntry[], rename: Record<string, string> = {}): Promise<void> {
  const buf = await zipBuffer(entries);
  for (const [from, to] of Object.entries(rename)) {
    if (from.length !== to.length) throw new Error('renames must keep the length');
    const a = Buffer.from(from);
    const b = Buffer.from(to);
    let i = buf.indexOf(a);
    while (i >= 0) {
      b.copy(buf, i);
      i = buf.indexOf(a, i + a.length);
    }
  }
  await writeFile(path, buf);
}
