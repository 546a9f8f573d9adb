import { isoAt } from '../clock.js';
import { agreementCheck, goldenAnswers, type GoldenAnswer } from '../gates/agreement.js';
import { expectChecks } from '../gates/expect.js';
import type { RequestResult, Sample } from '../gates/sample.js';
import type { Check } from '../gates/verdict.js';
import type { PlanPhase } from '../plan/plan.js';
import type { Runtime } from '../runtime.js';
import type { PlannedState } from './state.js';

/** What a gate judged of the model itself in one sample: expect checks, agreement, the golden answers. */
export interface ModelJudgement {
  checks: Check[];
  /** The golden answers of this sample (empty when the phase sends no smoke requests or there are none). */
  answers: GoldenAnswer[];
}

/**
 * The model's checks for one sample: each smoke `expect` against its answer, and the golden
 * answers against the known-good release's recorded answers for the same phase (a phase's
 * settings shape its answers). The known-good's answers are read from the answers store, so the
 * old version need not run: a canary or blue/green step is not asked directly.
 */
export async function judgeModel(
  rt: Runtime,
  state: PlannedState,
  phase: PlanPhase,
  requests: readonly RequestResult[],
): Promise<ModelJudgement> {
  const { plan } = state;
  if (!phase.smoke) return { checks: [], answers: [] };
  const checks = expectChecks(plan.smoke, requests);
  const answers = plan.golden ? goldenAnswers(plan.golden, requests) : [];
  const golden = requests.filter((r) => r.ref?.kind === 'golden');
  if (golden.length) {
    const ok = golden.filter((r) => r.ok).length;
    const failed = golden.find((r) => !r.ok);
    checks.push({
      name: 'golden requests answered',
      value: ok,
      threshold: golden.length,
      passed: ok === golden.length,
      min: true,
      ...(failed ? { detail: `${failed.label}: ${failed.status ?? failed.error ?? 'no answer'} (expected ${failed.expectStatus})` } : {}),
    });
  }
  if (plan.agreement && answers.length) {
    const known = await knownAnswers(rt, state, phase.name);
    if (typeof known === 'string') {
      // A gate never passes on answers it could not read.
      checks.push({
        name: 'agreementPercent',
        value: null,
        threshold: plan.agreement.minPercent,
        passed: false,
        inconclusive: true,
        unit: '%',
        detail: known,
      });
    } else checks.push(agreementCheck(plan.agreement, answers, known));
  }
  return { checks, answers };
}

/** The known-good release's answers for a phase; null when there are none; a string when they cannot be read. */
async function knownAnswers(rt: Runtime, state: PlannedState, phaseName: string): Promise<GoldenAnswer[] | null | string> {
  const previous = state.snapshot?.previous;
  if (!previous || !rt.answers || previous.digest === state.plan.digest) return null;
  const read = await rt.answers.get(state.plan.environment, previous.digest);
  if (!read) return null;
  if ('problem' in read) return read.problem;
  return read.answers.phases[phaseName] ?? null;
}

/** The sample as it travels on through the state machine: answers are judged, then dropped. */
export function withoutAnswers(sample: Sample): Sample {
  if (!sample.requests.some((r) => r.answer !== undefined)) return sample;
  return { ...sample, requests: sample.requests.map(({ answer: _answer, ...r }) => r) };
}

/**
 * RecordKnownGood's part: the golden answers each phase's gate got, recorded with the release
 * (one document per digest), so later rollouts compare with them. Nothing when there are none.
 */
export async function recordAnswers(rt: Runtime, state: PlannedState): Promise<void> {
  const { plan } = state;
  if (!rt.answers || !plan.golden?.length) return;
  const record = await rt.state.getRollout(plan.environment, state.rolloutId);
  const phases = record?.answers;
  if (!phases || Object.keys(phases).length === 0) return;
  await rt.answers.put({ environment: plan.environment, version: plan.version, digest: plan.digest, recordedAt: isoAt(rt.clock), phases });
}
