import { randomBytes } from 'node:crypto';

/** A rollout id: sortable by time, unique, valid as a Step Functions execution name. */
export function newRolloutId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
}
