import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

const APP = join(import.meta.dirname, '..', 'fixtures', 'bundles', 'app');

export interface TestPhase {
  name: string;
  settings?: Record<string, string>;
  smoke?: boolean;
  bakeSeconds?: number;
  deadlineSeconds?: number;
  gate?: Record<string, number>;
  approve?: boolean;
  approvalTimeoutSeconds?: number;
}

/** Four phases shaped like the deployment guides’ defaults, with no bake, for fast tests. */
export function fourPhases(extra: Partial<Record<number, Partial<TestPhase>>> = {}): TestPhase[] {
  const base: TestPhase[] = [
    { name: 'minimal', settings: { ML_AVAILABLE: 'false' }, smoke: false, deadlineSeconds: 10 },
    { name: 'ml-dependencies', settings: { ML_AVAILABLE: 'true' }, deadlineSeconds: 10 },
    { name: 'faiss-scin', settings: { PRELOAD_FAISS: 'true' }, deadlineSeconds: 10 },
    { name: 'verify-metrics', deadlineSeconds: 10, gate: { errorRatePercent: 1 } },
  ];
  return base.map((p, i) => ({ ...p, ...extra[i], settings: { ...p.settings, ...extra[i]?.settings } }));
}

/** Writes a bundle directory of the test app with the given manifest fields; returns its path. */
export async function makeBundle(
  root: string,
  manifest: { version: string; environment: string; phases?: TestPhase[]; memoryMb?: number; name?: string; [k: string]: unknown },
): Promise<string> {
  const { version, environment, memoryMb, name, phases, ...rest } = manifest;
  const dir = join(root, `${environment}-${version}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(dir, { recursive: true });
  await copyFile(join(APP, 'server.js'), join(dir, 'server.js'));
  await copyFile(join(APP, 'Procfile'), join(dir, 'Procfile'));
  const doc = {
    name: name ?? 'test-app',
    version,
    target: { type: 'local', environment, ...(memoryMb ? { memoryMb } : {}) },
    smoke: [{ method: 'POST', path: '/predict', body: { embedding: [0.1, 0.2] }, expectStatus: 200 }],
    phases: phases ?? fourPhases(),
    ...rest,
  };
  await writeFile(join(dir, 'rollout.yaml'), stringify(doc));
  return dir;
}
