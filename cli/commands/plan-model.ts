import { cutJson } from '../../lib/gates/canonical.js';
import { expected } from '../../lib/gates/expect.js';
import type { Plan } from '../../lib/plan/plan.js';

/** `plan`'s lines on the model's checks: each smoke `expect`, the golden requests, the agreement rule. */
export function modelLines(plan: Plan): string[] {
  const lines: string[] = [];
  for (const s of plan.smoke) {
    if (!s.expect?.length) continue;
    lines.push(`  expect ${s.method} ${s.path}: ${s.expect.map((e) => `${e.path} ${operator(e)} ${expected(e)}`).join(', ')}`);
  }
  const golden = plan.golden ?? [];
  lines.push(
    `golden: ${golden.length ? golden.map((g) => `${g.method} ${g.path}${g.body !== undefined ? ` ${cutJson(g.body, 60)}` : ''}`).join(', ') : 'none'}`,
  );
  const a = plan.agreement;
  if (a) {
    const overlap =
      a.overlapAtK !== undefined ? `, a request agreeing when its top ${a.overlapAtK} overlap ≥ ${a.minOverlapPercent ?? 100}%` : '';
    const tolerance = a.tolerance !== undefined ? `, numbers within ${a.tolerance}` : '';
    lines.push(
      `agreement: agreementPercent ≥ ${a.minPercent}% of golden requests answer ${a.path} as the known-good did${overlap}${tolerance} (at each gate that sends smoke requests)`,
    );
  } else if (golden.length) lines.push('agreement: none (golden answers are recorded, not judged)');
  return lines;
}

function operator(e: { equals?: unknown; approx?: number; minItems?: number; maxItems?: number; exists?: boolean }): string {
  if (e.exists !== undefined) return 'is';
  if (e.approx !== undefined) return '≈';
  if (e.minItems !== undefined || e.maxItems !== undefined) return 'has';
  return '=';
}
