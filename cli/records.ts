import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson } from '../lib/state/files.js';
import { environmentDir } from '../lib/state/local-store.js';
import type { RolloutRecord } from '../lib/state/types.js';
import { readRunEnd, runDir, type RunEnd } from './runs.js';

/* Reading what the local state store holds across rollouts and environments (the views only read). */

/** Every rollout record of an environment, in no order. A file that is not a record is left out. */
export async function rolloutRecords(home: string, environment: string): Promise<RolloutRecord[]> {
  const dir = join(environmentDir(home, environment), 'rollouts');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const records = await Promise.all(names.map((n) => readJson<RolloutRecord>(join(dir, n)).catch(() => null)));
  return records.filter((r): r is RolloutRecord => !!r && typeof r.id === 'string' && Array.isArray(r.phases));
}

/** The newest rollout record of an environment (by start), or null. */
export async function latestRecord(home: string, environment: string): Promise<RolloutRecord | null> {
  const records = await rolloutRecords(home, environment);
  return records.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0] ?? null;
}

/** The environments the state home has seen, sorted. */
export async function environments(home: string): Promise<string[]> {
  const names = await readdir(join(home, 'envs')).catch(() => [] as string[]);
  return names.filter((n) => !n.startsWith('.')).sort();
}

/** Has the state home ever seen this environment? */
export function environmentExists(home: string, environment: string): boolean {
  const dir = environmentDir(home, environment);
  return ['known-good.json', 'serving.json', 'rollouts', 'process.json'].some((f) => existsSync(join(dir, f)));
}

/** The end the local engine wrote for a rollout (its report and transitions), where it ran here. */
export function runEndOf(home: string, environment: string, rolloutId: string): Promise<RunEnd | null> {
  return readRunEnd(runDir(home, environment, rolloutId)).catch(() => null);
}
