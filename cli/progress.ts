import { measurementsOf, type BakeWindow } from '../lib/gates/bake.js';
import { describeCheck } from '../lib/gates/verdict.js';
import type { Plan } from '../lib/plan/plan.js';
import { ErrorName, StatesErrorName } from '../lib/errors.js';
import type { EngineEvent } from './engine.js';

/**
 * Live progress of a local run, one line per step that matters: which phase, what it waits for,
 * how the gate measures. Repeated polls print only when what they report changes.
 */
export class Progress {
  private plan: Plan | null = null;
  private lastDetail = '';
  private lastBakePrint = 0;
  private phaseIndex: number | undefined;
  /** The failure of the state running now, until it is retried or caught. */
  private failure: { state: string; error: string; cause: string } | null = null;
  /** A state whose failure was caught: its exit (with the caught error as output) is not a success. */
  private caught: string | null = null;

  /** Bake lines are paced by the time each sample was taken, so a follower reading late prints the same lines. */
  constructor(
    private readonly write: (line: string) => void,
    /** How the user runs the CLI, for the approve/abort hints of a pause. */
    private readonly bin = 'ml-rollout',
  ) {}

  private phaseTag(index: number | undefined): string {
    const p = this.plan;
    if (!p || index === undefined) return '';
    return `[${index + 1}/${p.phases.length} ${p.phases[index]?.name ?? '?'}]`;
  }

  on(e: EngineEvent): void {
    switch (e.type) {
      case 'StateFailed':
        // A Fail state's failure is the outcome, which the summary states. A task's failure is
        // shown once it is known whether it is retried or caught, as what it means.
        if (e.stateType !== 'Fail') this.failure = { state: e.state, error: e.error, cause: e.cause };
        return;
      case 'StateRetried': {
        const why = this.failure?.state === e.state ? `${this.failure.cause}; ` : '';
        this.failure = null;
        return this.write(`  ↻ ${e.state}: ${why}retrying (attempt ${e.attempt})`);
      }
      case 'StateCaught':
        this.caught = e.state;
        if (this.failure?.state === e.state) this.write(this.meaning(this.failure));
        this.failure = null;
        return;
      case 'StateEntered':
        this.caught = null;
        return this.entered(e.state, e.input, e.at);
      case 'StateExited':
        if (this.caught === e.state) return;
        return this.exited(e.state, e.output, e.at);
    }
  }

  /** A caught failure, as what it means for the rollout. */
  private meaning(f: { state: string; error: string; cause: string }): string {
    switch (f.state) {
      case 'ValidateBundle':
      case 'PrepareRollback':
        return `✗ rejected: ${f.cause}`;
      case 'AcquireLock':
        return f.error === ErrorName.LockHeld ? `✗ rejected: ${f.cause}` : `✗ failed: cannot take the lock: ${f.cause}`;
      case 'TakeSnapshot':
        return `✗ failed: cannot take the snapshot: ${f.cause}`;
      case 'ApplyPhase':
      case 'CheckStable':
      case 'ShiftTraffic':
      case 'SampleGate':
        return `${this.phaseTag(this.phaseIndex)} ✗ failed: ${f.cause}`;
      case 'RestoreSnapshot':
      case 'VerifyRestore':
        return `✗ rollback failed: ${f.cause}`;
      case 'WaitForApproval':
        return `${this.phaseTag(this.phaseIndex)} ✗ ${f.error === StatesErrorName.Timeout ? 'nobody approved in time' : f.cause}`;
      default:
        return `  ✗ ${f.state}: ${f.cause}`;
    }
  }

  private entered(state: string, input: unknown, at: number): void {
    const s = input as {
      cursor?: { index: number };
      snapshot?: { previous?: { version: string } | null };
      phaseRun?: { approvalTimeoutSeconds?: number };
    };
    if (state === 'WaitForApproval') {
      const env = this.plan?.environment ?? 'NAME';
      const until = new Date(at + (s.phaseRun?.approvalTimeoutSeconds ?? 0) * 1000).toISOString();
      this.write(
        `${this.phaseTag(s.cursor?.index)} ⏸ waiting for approval until ${until} (then it rolls back): ` +
          `approve with: ${this.bin} approve --env ${env} · abort with: ${this.bin} abort --env ${env} --reason "…"`,
      );
      return;
    }
    if (state === 'ApplyPhase') {
      this.phaseIndex = s.cursor?.index;
      const phase = this.plan?.phases[s.cursor?.index ?? 0];
      const changes = phase
        ? Object.entries(phase.changes)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : '';
      this.lastDetail = '';
      this.write(`${this.phaseTag(s.cursor?.index)} applying${changes ? ` ${changes}` : ''}`);
    } else if (state === 'RestoreSnapshot') {
      const prev = s.snapshot?.previous?.version;
      this.write(prev ? `↩ rolling back to ${prev}` : '↩ first deployment failed: stopping the environment');
    }
  }

  private exited(state: string, output: unknown, at: number): void {
    const o = output as Record<string, unknown> & {
      plan?: Plan;
      cursor?: { index: number };
      probe?: { stable: boolean; detail: string };
      phaseRun?: { bake?: BakeWindow; url?: string | null };
      snapshot?: { previous: { version: string } | null; unchanged: boolean; repaired?: string };
      restoreProbe?: { stable: boolean; detail: string; unrecorded?: string };
      restore?: { unrecorded?: string };
      approval?: { approvedBy: string };
      error?: { Error: string; Cause: string };
    };
    const tag = this.phaseTag(o.cursor?.index);
    switch (state) {
      case 'PrepareRollback':
        // A manual rollback's plan is the release it goes back to.
        this.plan = o.plan ?? null;
        return;
      case 'ValidateBundle':
        this.plan = o.plan ?? null;
        if (this.plan) {
          const p = this.plan;
          this.write(`✓ bundle ${p.name} ${p.version} is valid (${p.phases.length} phases, ${p.target.type} environment ${p.environment})`);
        }
        return;
      case 'AcquireLock':
        return this.write(`✓ locked ${this.plan?.environment ?? ''}`);
      case 'TakeSnapshot':
        if (o.snapshot?.unchanged) return this.write('✓ this bundle already serves and is healthy: nothing to do');
        if (o.snapshot?.repaired) this.write(`! ${o.snapshot.repaired}`);
        return this.write(
          `✓ snapshot: ${o.snapshot?.previous ? `known-good ${o.snapshot.previous.version}` : 'first deployment, nothing to roll back to'}`,
        );
      case 'CheckStable':
        if (o.probe?.stable) return this.write(`${tag} healthy: ${o.probe.detail}${o.phaseRun?.url ? ` at ${o.phaseRun.url}` : ''}`);
        if (o.probe && o.probe.detail !== this.lastDetail) {
          this.lastDetail = o.probe.detail;
          this.write(`${tag} waiting: ${o.probe.detail}`);
        }
        return;
      case 'ShiftTraffic': {
        // The live step and weight: "traffic step 1/3: 2.0.0 takes 10 % (1.0.0 90 %), measured 30 s".
        const t = o.traffic as { index: number; count: number; detail: string; seconds: number } | undefined;
        if (t) this.write(`${tag} traffic step ${t.index + 1}/${t.count}: ${t.detail}${t.seconds ? `, measured ${t.seconds} s` : ''}`);
        return;
      }
      case 'SampleGate':
        return this.gate(tag, o.phaseRun?.bake, at);
      case 'VerifyRestore':
        if (o.restoreProbe?.stable) this.write(`✓ restored and healthy: ${o.restoreProbe.detail}`);
        if (o.restoreProbe?.unrecorded) this.write(`! ${o.restoreProbe.unrecorded}`);
        return;
      case 'RestoreSnapshot':
        if (o.restore?.unrecorded) this.write(`! ${o.restore.unrecorded}`);
        return;
      case 'WaitForApproval':
        return this.write(`${tag} ✓ approved by ${o.approval?.approvedBy ?? 'someone'}`);
      case 'ApprovalTimedOut':
        return this.write(`${tag} ✗ ${o.error?.Cause ?? 'nobody approved in time'}`);
      case 'RecordKnownGood':
        return this.write(`✓ ${this.plan?.version ?? ''} is the new known-good`);
    }
  }

  /** `at`: when the sample was taken (epoch ms), so that a follower reading late prints the same lines. */
  private gate(tag: string, bake: BakeWindow | undefined, at: number): void {
    if (!bake) return;
    const now = at;
    if (bake.done) {
      this.write(`${tag} gate passed: ${bake.checks.map((c) => describeCheck(c)).join(', ')}`);
      return;
    }
    if (now - this.lastBakePrint < 5_000) return;
    this.lastBakePrint = now;
    const elapsed = Math.round((now - bake.startedAt) / 1000);
    const total = Math.round((bake.until - bake.startedAt) / 1000);
    const m = measurementsOf(bake);
    const pct = (v: number | null) => (v === null ? '?' : `${v}%`);
    this.write(
      `${tag} baking ${elapsed}/${total} s: ${m.requests} requests, ${m.failures} failed, ` +
        `p50/p95/p99 ${m.p50LatencyMs}/${m.p95LatencyMs}/${m.p99LatencyMs} ms, cpu ${pct(m.cpuPercent)}, memory ${pct(m.memoryPercent)}`,
    );
  }
}
