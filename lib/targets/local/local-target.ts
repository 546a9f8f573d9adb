import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import { PhaseFailedError, StateFileInvalidError, TargetError } from '../../errors.js';
import { DEFAULTS } from '../../plan/defaults.js';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import type { LocalTargetSpec } from '../../plan/target-schema.js';
import { readState, removeFile, writeJsonAtomic } from '../../state/files.js';
import { environmentDir } from '../../state/local-store.js';
import type { Release } from '../../state/types.js';
import { checkHealth, describeResult, sendRequest } from '../http.js';
import type { Sample } from '../../gates/sample.js';
import { ProbeState, type Deployment, type Probe, type Target } from '../types.js';
import { cpuPercentBetween, readProcessGroup } from './proc-stats.js';
import { webCommand } from './procfile.js';
import { freePort, isRunning, lastLogLine, startProcess, stopProcess, stopTagged, type LocalProcess } from './process.js';

/**
 * An environment on this machine: the bundle's Procfile `web:` command as a detached process on a
 * port that the environment keeps from one deployment to the next. Each phase restarts the
 * process with the phase's settings (as Elastic Beanstalk restarts the app on a configuration
 * change); a rollback restarts the known-good release from its files, which stay on disk.
 */
export class LocalTarget implements Target {
  readonly type = 'local' as const;

  constructor(private readonly deps: { home: string; clock: Clock }) {}

  private processFile(environment: string): string {
    return join(environmentDir(this.deps.home, environment), 'process.json');
  }

  /** The process record of an environment, whether or not it still runs. */
  async record(environment: string): Promise<LocalProcess | null> {
    return readState<LocalProcess>(this.processFile(environment), 'localProcess');
  }

  async current(plan: Plan): Promise<Deployment | null> {
    const rec = await this.record(plan.environment);
    if (!rec || !(await isRunning(rec.pid))) return null;
    return {
      version: rec.version,
      digest: rec.digest,
      url: rec.url,
      settings: rec.settings,
      source: { kind: 'dir', path: rec.releaseDir },
    };
  }

  async apply(plan: Plan, phase: PlanPhase): Promise<Deployment> {
    if (plan.release.kind !== 'dir') throw new TargetError(`the local target needs the bundle's files on disk, got ${plan.release.kind}`);
    return this.run(plan.environment, {
      version: plan.version,
      digest: plan.digest,
      releaseDir: plan.release.path,
      settings: phase.settings,
    });
  }

  async probe(plan: Plan): Promise<Probe> {
    const rec = await this.record(plan.environment);
    if (!rec) return { state: ProbeState.Failed, detail: 'no process was started' };
    if (!(await isRunning(rec.pid))) {
      const last = await lastLogLine(rec.logFile);
      return { state: ProbeState.Failed, detail: `the process exited${last ? ` (last log line: ${last})` : ''}; log: ${rec.logFile}` };
    }
    const health = await checkHealth(rec.url, plan.health.path, plan.health.timeoutMs);
    return health.ok
      ? { state: ProbeState.Stable, detail: `${describeResult(health)} in ${health.latencyMs} ms` }
      : { state: ProbeState.Pending, detail: describeResult(health) };
  }

  async sample(plan: Plan, phase: PlanPhase, cursor: Record<string, unknown> | null): Promise<Sample> {
    const spec = plan.target as LocalTargetSpec;
    const rec = await this.record(plan.environment);
    if (!rec || !(await isRunning(rec.pid))) {
      const last = rec ? await lastLogLine(rec.logFile) : null;
      throw new PhaseFailedError(`${phase.name}: the process exited${last ? ` (last log line: ${last})` : ''}`);
    }
    const windowStart = isReading(cursor) ? cursor : await readProcessGroup(rec.pid, this.deps.clock);
    const health = await checkHealth(rec.url, plan.health.path, plan.health.timeoutMs);
    const requests = [];
    if (phase.smoke) {
      // A request that takes far longer than the gate allows is already a failure: do not wait on it forever.
      const timeoutMs = Math.max(phase.gate.inferenceMs * 2, 1_000);
      const rounds = phase.bakeSeconds > 0 ? DEFAULTS.bakeRoundsPerSample : 1;
      for (let round = 0; round < rounds; round++) {
        for (const s of plan.smoke) requests.push(await sendRequest(rec.url, s, timeoutMs));
      }
    }
    const now = await readProcessGroup(rec.pid, this.deps.clock);
    // A process that died while it was sampled failed the phase as such, not as failed requests.
    if (!now) {
      const last = await lastLogLine(rec.logFile);
      throw new PhaseFailedError(`${phase.name}: the process exited while the gate sampled it${last ? ` (last log line: ${last})` : ''}`);
    }
    const cpuPercent = windowStart && now ? cpuPercentBetween(windowStart, now) : null;
    const memoryPercent = now ? Math.round((now.rssBytes / (spec.memoryMb * 1024 * 1024)) * 1000) / 10 : null;
    return {
      at: this.deps.clock.now(),
      health,
      requests,
      cpuPercent,
      memoryPercent,
      cursor: windowStart ? { at: windowStart.at, cpuTicks: windowStart.cpuTicks } : null,
    };
  }

  async restore(plan: Plan, release: Release | null): Promise<Deployment | null> {
    if (!release) {
      await this.stop(plan.environment);
      return null;
    }
    if (release.source.kind !== 'dir') throw new TargetError(`cannot restore ${release.version}: its files are not on this machine`);
    return this.run(plan.environment, {
      version: release.version,
      digest: release.digest,
      releaseDir: release.source.path,
      settings: release.settings,
    });
  }

  /** Local probes only look. */
  health(plan: Plan): Promise<Probe> {
    return this.probe(plan);
  }

  async probeRestored(plan: Plan, release: Release | null): Promise<Probe> {
    if (release) return this.probe(plan);
    const rec = await this.record(plan.environment);
    return rec && (await isRunning(rec.pid))
      ? { state: ProbeState.Pending, detail: 'the process is still running' }
      : { state: ProbeState.Stable, detail: 'the environment is stopped' };
  }

  /** Stops the environment's process, if any, and forgets it. */
  async stop(environment: string): Promise<LocalProcess | null> {
    const rec = await this.recordOrStopAll(environment);
    if (rec) await stopProcess(rec.pid, undefined, rec.logFile);
    await removeFile(this.processFile(environment));
    return rec;
  }

  /**
   * The process record; when process.json is not valid, every process tagged as this
   * environment's is stopped instead (the record is what says which one runs) and null returned.
   */
  private async recordOrStopAll(environment: string): Promise<LocalProcess | null> {
    try {
      return await this.record(environment);
    } catch (err) {
      if (!(err instanceof StateFileInvalidError)) throw err;
      await stopTagged(`${environmentDir(this.deps.home, environment)}/`);
      await removeFile(this.processFile(environment));
      return null;
    }
  }

  private async run(
    environment: string,
    what: { version: string; digest: string; releaseDir: string; settings: Record<string, string> },
  ): Promise<Deployment> {
    const procfile = await readFile(join(what.releaseDir, 'Procfile'), 'utf8').catch(() => null);
    const command = procfile ? webCommand(procfile) : null;
    if (!command) throw new TargetError(`${what.releaseDir}: no Procfile with a web: line`);
    const previous = await this.recordOrStopAll(environment);
    if (previous) await stopProcess(previous.pid, undefined, previous.logFile);
    const port = await freePort(previous?.port);
    const logFile = join(environmentDir(this.deps.home, environment), 'logs', `${what.version}.log`);
    const pid = await startProcess({
      command,
      cwd: what.releaseDir,
      port,
      env: { ...what.settings, ML_ROLLOUT_ENVIRONMENT: environment, ML_ROLLOUT_VERSION: what.version },
      logFile,
    });
    const url = `http://127.0.0.1:${port}`;
    const rec: LocalProcess = {
      pid,
      port,
      url,
      version: what.version,
      digest: what.digest,
      releaseDir: what.releaseDir,
      settings: what.settings,
      logFile,
      startedAt: new Date(this.deps.clock.now()).toISOString(),
    };
    await writeJsonAtomic(this.processFile(environment), rec);
    return { version: what.version, digest: what.digest, url, settings: what.settings };
  }
}

function isReading(c: Record<string, unknown> | null): c is { at: number; cpuTicks: number } {
  return !!c && typeof c.at === 'number' && typeof c.cpuTicks === 'number';
}
