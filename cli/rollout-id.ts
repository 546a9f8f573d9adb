import { randomBytes } from 'node:crypto';
import type { Clock } from '../lib/clock.js';

/** A rollout id: sortable by time, unique, valid as a Step Functions execution name. */
export function newRolloutId(clock: Clock): string {
  const now = new Date(clock.now());
  return `${now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}
