import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import { PhaseFailedError, StateFileInvalidError, TargetError } from '../../errors.js';
import { DEFAULTS } from '../../plan/defaults.js';
import type { Plan, PlanPhase } from '../../plan/plan.js';
import type { LocalTargetSpec } from '../../plan/target-schema.js';
import { readJson, readState, removeFile, writeJsonAtomic } from '../../state/files.js';
import { environmentDir } from '../../state/local-store.js';
import type { Release } from '../../state/types.js';
import { checkHealth, describeResult, sendRequest } from '../http.js';
import type { Sample } from '../../gates/sample.js';
import { gateRequests } from '../../gates/gate-requests.js';
import { ProbeState, type Deployment, type Probe, type Target, type TrafficShift } from '../types.js';
import { listenerOwnedBy } from './listener.js';
import { cpuPercentBetween, readProcessGroup } from './proc-stats.js';
import { webCommand } from './procfile.js';
import { freePort, isRunning, lastLogLine, startProcess, stopProcess, stopTagged, type LocalProcess } from './process.js';
import { RouterClient } from './router-client.js';
import type { Route } from './router-types.js';
import { versionWindows } from './version-stats.js';

/** A version process of an environment, as the environment keeps them (processes.json). */
export interface VersionProcess extends LocalProcess {
  /** The release that served when the rollout began: kept running until the rollout succeeds. */
  knownGood?: boolean;
}

/**
 * An environment on this machine: a router (its own detached process) owns the environment's
 * port, which stays the same for the environment's life, and forwards to version processes (the
 * bundle's Procfile `web:` command, detached, each on a private port) by weight. Each phase starts
 * its process beside the one serving, waits until it is healthy, then takes traffic step by step
 * (ShiftTraffic); the known-good process keeps running until the rollout succeeds, so a rollback
 * is a switch back, then the other processes stop.
 */
export class LocalTarget implements Target {
  readonly type = 'local' as const;

  constructor(private readonly deps: { home: string; clock: Clock }) {}

  private dir(environment: string): string {
    return environmentDir(this.deps.home, environment);
  }

  private router(environment: string): RouterClient {
    return new RouterClient(this.dir(environment));
  }

  /** The process the environment's probes look at: the phase's new one during a rollout, else the one serving. */
  async record(environment: string): Promise<LocalProcess | null> {
    return readState<LocalProcess>(join(this.dir(environment), 'process.json'), 'localProcess');
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
      await stopTagged(`${this.dir(environment)}/`);
      await removeFile(join(this.dir(environment), 'process.json'));
      await removeFile(join(this.dir(environment), 'processes.json'));
      return null;
    }
  }

  /** Stops one version process and everything it started (its tag marks daemons that left its group). */
  private async stopOne(environment: string, p: LocalProcess): Promise<void> {
    await stopProcess(p.pid, undefined, processTag(this.dir(environment), p));
  }

  /** Every version process of the environment, running or not. */
  async processes(environment: string): Promise<VersionProcess[]> {
    const file = await readState<{ processes: VersionProcess[] }>(join(this.dir(environment), 'processes.json'), 'localProcesses');
    return file?.processes ?? [];
  }

  private async save(environment: string, processes: VersionProcess[], current: LocalProcess | null): Promise<void> {
    await writeJsonAtomic(join(this.dir(environment), 'processes.json'), { processes });
    if (current) await writeJsonAtomic(join(this.dir(environment), 'process.json'), current);
    else await removeFile(join(this.dir(environment), 'process.json'));
  }

  async current(plan: Plan): Promise<Deployment | null> {
    const rec = await this.record(plan.environment);
    const router = await this.router(plan.environment).info();
    if (!rec || !router || !(await isRunning(rec.pid))) return null;
    return {
      version: rec.version,
      digest: rec.digest,
      url: router.url,
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
      firstPhase: phase.index === 0,
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
    if (!health.ok) return { state: ProbeState.Pending, detail: describeResult(health) };
    // Ports are bound by the process, not reserved: make sure the answer came from the process started.
    if ((await listenerOwnedBy(rec.port, rec.pid)) === 'no') {
      return {
        state: ProbeState.Pending,
        detail: `port ${rec.port} is answered by another process than ${rec.version}'s (pid ${rec.pid})`,
      };
    }
    return { state: ProbeState.Stable, detail: `${describeResult(health)} in ${health.latencyMs} ms` };
  }

  async sample(plan: Plan, phase: PlanPhase, cursor: Record<string, unknown> | null): Promise<Sample> {
    const spec = plan.target as LocalTargetSpec;
    const rec = await this.record(plan.environment);
    if (!rec || !(await isRunning(rec.pid))) {
      const last = rec ? await lastLogLine(rec.logFile) : null;
      throw new PhaseFailedError(`${phase.name}: the process exited${last ? ` (last log line: ${last})` : ''}`);
    }
    const windowStart = isReading(cursor) ? cursor : await readProcessGroup(rec.pid, this.deps.clock);
    // The gate's own requests go to the new version directly, not through the router.
    const health = await checkHealth(rec.url, plan.health.path, plan.health.timeoutMs);
    const requests = [];
    if (phase.smoke) {
      // A request that takes far longer than the gate allows is already a failure: do not wait on it forever.
      const timeoutMs = Math.max(phase.gate.inferenceMs * 2, 1_000);
      const rounds = phase.bakeSeconds > 0 ? DEFAULTS.bakeRoundsPerSample : 1;
      for (let round = 0; round < rounds; round++) {
        for (const { request: s, ref } of gateRequests(plan, round)) requests.push(await sendRequest(rec.url, s, timeoutMs, ref));
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
    const since = windowStart?.at ?? this.deps.clock.now();
    const versions = await versionWindows(this.router(plan.environment), routeId(rec), since);
    return {
      at: this.deps.clock.now(),
      health,
      requests,
      cpuPercent,
      memoryPercent,
      cursor: windowStart ? { at: windowStart.at, cpuTicks: windowStart.cpuTicks } : null,
      ...(versions ? { versions } : {}),
    };
  }

  /** Gives the phase's new process `percent` % of user requests, the one it replaces the rest. */
  async shift(plan: Plan, phase: PlanPhase, percent: number): Promise<TrafficShift> {
    const router = this.router(plan.environment);
    const rec = await this.record(plan.environment);
    if (!rec || !(await isRunning(rec.pid))) throw new PhaseFailedError(`${phase.name}: the process exited before taking traffic`);
    const newId = routeId(rec);
    const routes = await router.routes();
    const others = routes.filter((r) => r.id !== newId && r.weight > 0);
    const rest = 100 - percent;
    const otherTotal = others.reduce((s, r) => s + r.weight, 0);
    const next: Route[] = routes.map((r) => {
      if (r.id === newId) return { ...r, weight: percent };
      const was = others.find((o) => o.id === r.id);
      return { ...r, weight: was && otherTotal > 0 ? Math.round((was.weight / otherTotal) * rest) : 0 };
    });
    if (!next.some((r) => r.id === newId)) next.push({ id: newId, version: rec.version, url: rec.url, weight: percent });
    await router.setRoutes(next);
    const from = others[0]?.version ?? null;
    if (percent === 100) await this.stopUnrouted(plan.environment, (p) => !!p.knownGood);
    return { percent, from, detail: `${rec.version} takes ${percent} %${from && rest > 0 ? ` (${from} ${rest} %)` : ''}` };
  }

  /** The rollout succeeded: the process serving is the new known-good; every other one stops. */
  async retire(plan: Plan): Promise<void> {
    const rec = await this.record(plan.environment);
    await this.stopUnrouted(plan.environment, () => false);
    const processes = (await this.processes(plan.environment)).map((p) => ({ ...p, knownGood: !!rec && p.pid === rec.pid }));
    await this.save(plan.environment, processes, rec);
  }

  async restore(plan: Plan, release: Release | null): Promise<Deployment | null> {
    if (!release) {
      await this.stop(plan.environment);
      return null;
    }
    if (release.source.kind !== 'dir') throw new TargetError(`cannot restore ${release.version}: its files are not on this machine`);
    const processes = await this.processes(plan.environment);
    const kept = await findRunning(processes, release);
    const router = await this.router(plan.environment).ensure(await this.publicPort(plan.environment));
    if (kept) {
      // The known-good still runs: a rollback is a switch back, then the others stop.
      await this.switchTo(plan.environment, kept);
      return { version: kept.version, digest: kept.digest, url: router.url, settings: kept.settings };
    }
    // Not running (a manual rollback to an older release, or it died): start it beside what serves; probeRestored switches.
    return this.run(plan.environment, {
      version: release.version,
      digest: release.digest,
      releaseDir: release.source.path,
      settings: release.settings,
      firstPhase: false,
    });
  }

  /** Local probes only look. */
  health(plan: Plan): Promise<Probe> {
    return this.probe(plan);
  }

  async probeRestored(plan: Plan, release: Release | null): Promise<Probe> {
    if (!release) {
      const rec = await this.record(plan.environment);
      return rec && (await isRunning(rec.pid))
        ? { state: ProbeState.Pending, detail: 'the process is still running' }
        : { state: ProbeState.Stable, detail: 'the environment is stopped' };
    }
    const probe = await this.probe(plan);
    if (probe.state !== ProbeState.Stable) return probe;
    const rec = await this.record(plan.environment);
    const routes = await this.router(plan.environment).routes();
    const route = rec ? routes.find((r) => r.id === routeId(rec)) : null;
    if (rec && route?.weight !== 100) await this.switchTo(plan.environment, rec);
    return probe;
  }

  /** Stops the environment: its router first (nothing answers on the URL), then every process. */
  async stop(environment: string): Promise<LocalProcess | null> {
    const rec = await this.recordOrStopAll(environment);
    await this.router(environment).stop();
    for (const p of await this.processes(environment)) await this.stopOne(environment, p);
    if (rec) await this.stopOne(environment, rec);
    // What no record names (a record lost or never written) stops too: nothing of the environment is left.
    await stopTagged(`${this.dir(environment)}/`);
    await this.save(environment, [], null);
    await removeFile(join(this.dir(environment), 'processes.json'));
    return rec;
  }

  /** All traffic to `to`, then every other process stops. */
  private async switchTo(environment: string, to: LocalProcess): Promise<void> {
    const router = this.router(environment);
    const id = routeId(to);
    const routes = (await router.routes()).map((r) => ({ ...r, weight: r.id === id ? 100 : 0 }));
    if (!routes.some((r) => r.id === id)) routes.push({ id, version: to.version, url: to.url, weight: 100 });
    await router.setRoutes(routes.filter((r) => r.id === id));
    const processes = await this.processes(environment);
    for (const p of processes) if (p.pid !== to.pid) await this.stopOne(environment, p);
    await this.save(environment, [{ ...to, knownGood: true }], to);
  }

  /** Stops the processes that take no traffic (except those `keep` says) and drops their routes. */
  private async stopUnrouted(environment: string, keep: (p: VersionProcess) => boolean): Promise<void> {
    const router = this.router(environment);
    const routes = await router.routes();
    const processes = await this.processes(environment);
    const rec = await this.record(environment);
    const stays = (p: VersionProcess) =>
      keep(p) || (rec && p.pid === rec.pid) || (routes.find((r) => r.id === routeId(p))?.weight ?? 0) > 0;
    const leaving = processes.filter((p) => !stays(p));
    if (leaving.length === 0) return;
    await router.setRoutes(routes.filter((r) => !leaving.some((p) => routeId(p) === r.id)));
    for (const p of leaving) await this.stopOne(environment, p);
    await this.save(
      environment,
      processes.filter((p) => stays(p)),
      rec,
    );
  }

  /** The port the environment's URL has had (router, or the single process of an older layout). */
  private async publicPort(environment: string): Promise<number | undefined> {
    const info = await readJson<{ port: number }>(join(this.dir(environment), 'router.json')).catch(() => null);
    return info?.port;
  }

  private async run(
    environment: string,
    what: { version: string; digest: string; releaseDir: string; settings: Record<string, string>; firstPhase: boolean },
  ): Promise<Deployment> {
    const procfile = await readFile(join(what.releaseDir, 'Procfile'), 'utf8').catch(() => null);
    const command = procfile ? webCommand(procfile) : null;
    if (!command) throw new TargetError(`${what.releaseDir}: no Procfile with a web: line`);
    const routerClient = this.router(environment);
    const router = await routerClient.ensure(await this.publicPort(environment));
    let processes = await this.processes(environment);
    let routes = await routerClient.routes();
    const legacy = processes.length === 0 ? await this.recordOrStopAll(environment) : null;
    if (legacy && (await isRunning(legacy.pid))) {
      // An environment started before it had a router: its process keeps serving, now behind the router.
      processes = [legacy];
      routes = [{ id: routeId(legacy), version: legacy.version, url: legacy.url, weight: 100 }];
      await routerClient.setRoutes(routes);
    }
    if (what.firstPhase) {
      // A rollout begins: what serves is the known-good; anything else (left by an interrupted run) stops.
      const serving = (p: VersionProcess) => (routes.find((r) => r.id === routeId(p))?.weight ?? 0) > 0;
      for (const p of processes.filter((p) => !serving(p))) await this.stopOne(environment, p);
      processes = processes.filter(serving).map((p) => ({ ...p, knownGood: true }));
      await routerClient.setRoutes(routes.filter((r) => processes.some((p) => routeId(p) === r.id)));
    } else {
      // A later phase: the previous phase's process keeps serving until this one takes over; one that never took traffic stops.
      const rec = await this.recordOrStopAll(environment);
      const idle = processes.filter((p) => !p.knownGood && p.pid === rec?.pid && !(routes.find((r) => r.id === routeId(p))?.weight ?? 0));
      for (const p of idle) await this.stopOne(environment, p);
      processes = processes.filter((p) => !idle.includes(p));
    }
    const port = await freePort();
    const logFile = join(this.dir(environment), 'logs', `${what.version}.log`);
    const pid = await startProcess({
      command,
      cwd: what.releaseDir,
      port,
      env: { ...what.settings, ML_ROLLOUT_ENVIRONMENT: environment, ML_ROLLOUT_VERSION: what.version },
      logFile,
      tag: processTag(this.dir(environment), { version: what.version, port }),
    });
    const rec: LocalProcess = {
      pid,
      port,
      url: `http://127.0.0.1:${port}`,
      version: what.version,
      digest: what.digest,
      releaseDir: what.releaseDir,
      settings: what.settings,
      logFile,
      startedAt: new Date(this.deps.clock.now()).toISOString(),
    };
    await this.save(environment, [...processes, rec], rec);
    const current = await routerClient.routes();
    await routerClient.setRoutes([...current, { id: routeId(rec), version: rec.version, url: rec.url, weight: 0 }]);
    return { version: what.version, digest: what.digest, url: router.url, settings: what.settings };
  }
}

/** The tag every process of one version process carries (under the environment's directory, for stopTagged). */
function processTag(dir: string, p: { version: string; port: number }): string {
  return `${dir}/${routeId(p)}`;
}

/** The router's name for a process. */
export function routeId(p: { version: string; port: number }): string {
  return `${p.version}@${p.port}`;
}

async function findRunning(processes: VersionProcess[], release: Release): Promise<VersionProcess | null> {
  const same = (p: VersionProcess) =>
    p.digest === release.digest && p.version === release.version && JSON.stringify(p.settings) === JSON.stringify(release.settings);
  for (const p of [...processes].reverse()) if (same(p) && (await isRunning(p.pid))) return p;
  return null;
}

function isReading(c: Record<string, unknown> | null): c is { at: number; cpuTicks: number } {
  return !!c && typeof c.at === 'number' && typeof c.cpuTicks === 'number';
}
