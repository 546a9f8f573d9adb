import yazl from 'yazl';

/** A zip in memory: `files` by name; `compress` false stores them (method 0). */
export function makeZip(files: Record<string, string | Buffer>, compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { compress, mtime: new Date(0) });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** rollout.yaml of a valid bundle for `environment` at `version`. */
export function manifest(environment: string, version: string): string {
  return ['name: skin-similarity', `version: ${version}`, 'target:', '  type: local', `  environment: ${environment}`, ''].join('\n');
}

/** A valid bundle: rollout.yaml and a Procfile at the root. */
export function bundle(environment: string, version: string, extra: Record<string, string | Buffer> = {}): Promise<Buffer> {
  return makeZip({ 'rollout.yaml': manifest(environment, version), Procfile: 'web: node server.js\n', ...extra });
}
