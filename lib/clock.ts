/** The time source, injectable so that deadlines and leases can be tested without waiting. */
export interface Clock {
  /** epoch ms */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
