import { measurementsOf, type BakeWindow } from '../lib/gates/bake.js';
import { describeCheck } from '../lib/gates/verdict.js';
import type { Plan } from '../lib/plan/plan.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { EngineEvent } from './engine.js';

/**
 * Live progress of a local run, one line per step that matters: which phase, what it waits for,
 * how the gate measures. Repeated polls print only when what they report changes.
 */
export class Progress {
  private plan: Plan | null = null;
  private lastDetail = '';
  private lastBakePrint = 0;

  /** @param clock paces the bake lines (one every 5 s at most); the runtime's clock. */
  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  private phaseTag(index: number | undefined): string {
    const p = this.plan;
    if (!p || index === undefined) return '';
    return `[${index + 1}/${p.phases.length} ${p.phases[index]?.name ?? '?'}]`;
  }

  on(e: EngineEvent): void {
    if (e.type === 'StateRetried') return this.write(`  ↻ ${e.state}: retrying (attempt ${e.attempt})`);
    // A Fail state's failure is the outcome, which the summary states.
    if (e.type === 'StateFailed') return e.stateType === 'Fail' ? undefined : this.write(`  ✗ ${e.state}: ${e.cause}`);
    if (e.type === 'StateEntered') return this.entered(e.state, e.input);
    if (e.type === 'StateExited') return this.exited(e.state, e.output);
  }

  private entered(state: string, input: unknown): void {
    const s = input as { cursor?: { index: number }; snapshot?: { previous?: { version: string } | null } };
    if (state === 'ApplyPhase') {
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

  private exited(state: string, output: unknown): void {
    const o = output as Record<string, unknown> & {
      plan?: Plan;
      cursor?: { index: number };
      probe?: { stable: boolean; detail: string };
      phaseRun?: { bake?: BakeWindow; url?: string | null };
      snapshot?: { previous: { version: string } | null; unchanged: boolean };
      restoreProbe?: { stable: boolean; detail: string };
    };
    const tag = this.phaseTag(o.cursor?.index);
    switch (state) {
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
      case 'SampleGate':
        return this.gate(tag, o.phaseRun?.bake);
      case 'VerifyRestore':
        if (o.restoreProbe?.stable) this.write(`✓ restored and healthy: ${o.restoreProbe.detail}`);
        return;
      case 'RecordKnownGood':
        return this.write(`✓ ${this.plan?.version ?? ''} is the new known-good`);
    }
  }

  private gate(tag: string, bake: BakeWindow | undefined): void {
    if (!bake) return;
    const now = this.clock.now();
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
