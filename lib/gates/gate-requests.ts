import type { Plan } from '../plan/plan.js';
import type { SmokeRequest } from '../plan/schema.js';
import type { RequestRef } from './sample.js';

/** One request a gate sends, with the ref that asks the target to keep its answer. */
export interface GateRequest {
  request: Omit<SmokeRequest, 'expect'>;
  ref?: RequestRef;
}

/**
 * What one round of a gate that sends smoke requests sends: the smoke requests, then (in the
 * first round of a sample only: their answers do not change with load) the golden requests.
 * A request carries a ref when the gate reads its answer: a smoke request with `expect`, every
 * golden request.
 */
export function gateRequests(plan: Pick<Plan, 'smoke' | 'golden'>, round = 0): GateRequest[] {
  const smoke = plan.smoke.map(
    (request, index): GateRequest => (request.expect?.length ? { request, ref: { kind: 'smoke', index } } : { request }),
  );
  if (round > 0 || !plan.golden?.length) return smoke;
  return [...smoke, ...plan.golden.map((request, index): GateRequest => ({ request, ref: { kind: 'golden', index } }))];
}

/** Largest answer body the gate reads, bytes; a longer one is judged on its first MiB. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** The answer as the gate reads it: JSON when it parses, else its text. */
export function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
