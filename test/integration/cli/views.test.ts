import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'htmlparser2';
import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Element } from 'domhandler';
import { cli } from '../../support/cli.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { killIfAlive, outbox, startCli, waitFor, type RunningCli } from '../../support/processes.js';

/**
 * The views, as child processes beside a deploy running in another process: get (and get
 * --watch without a terminal), history, report --html and deploy --report-html, and the AWS
 * cost estimate in the JSON report and the notification.
 */
const ENV = 'views';
const FAST = ['--poll-seconds', '1', '--sample-seconds', '1'];
let home: string;
let work: string;
let deploying: RunningCli | null = null;
let watching: RunningCli | null = null;

const phases = (bakeSeconds: number, gate: Record<string, number>): TestPhase[] => [
  { name: 'start', settings: { ML_AVAILABLE: 'false' }, smoke: false, deadlineSeconds: 20 },
  { name: 'bake', deadlineSeconds: 20, bakeSeconds, gate },
];
const bundle = (version: string, bakeSeconds: number, gate: Record<string, number> = { errorRatePercent: 1, cpuPercent: 95 }) =>
  makeBundle(work, { version, environment: ENV, phases: phases(bakeSeconds, gate) });
const rolloutIdOf = (stdout: string) => /\(rollout ([\w-]+)\)/.exec(stdout)?.[1];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-views-'));
  work = join(home, 'work');
  expect((await cli(['deploy', await bundle('1.0.0', 0), ...FAST], home)).code).toBe(0);
});
afterEach(() => {
  killIfAlive(deploying?.child.pid);
  killIfAlive(watching?.child.pid);
  deploying = watching = null;
});
afterAll(async () => {
  await cli(['destroy', '--env', ENV], home);
  await rm(home, { recursive: true, force: true });
});

/** Every element of a parsed page with this tag. */
const tags = (doc: ReturnType<typeof parseDocument>, name: string) => findAll((e) => e.name === name, doc.children) as Element[];

test('get and get --watch follow a deploy running in another process, one line per change without a terminal', async () => {
  const html = join(home, 'deploy-report.html');
  const json = join(home, 'deploy-report.json');
  deploying = startCli(['deploy', await bundle('1.1.0', 4), ...FAST, '--report-html', html, '--report', json], home);
  const d = deploying;
  await waitFor('the bake phase', async () => /bake/.test(d.stdout()));
  const id = rolloutIdOf(d.stdout()) as string;

  watching = startCli(['get', '--env', ENV, '--watch'], home);
  const w = watching;
  const got = await cli(['get', '--env', ENV, '--json'], home);
  expect(got.code).toBe(0);
  const view = JSON.parse(got.stdout) as { serving: { version: string }; rollout: { id: string; phaseCount: number; abortWith: string } };
  expect(view.rollout).toMatchObject({ id, phaseCount: 2, abortWith: expect.stringMatching(/abort --env views$/) });

  const [watched, deployed] = await Promise.all([w.done, d.done]);
  expect(deployed.code).toBe(0);
  expect(watched.code).toBe(0);
  const lines = w.stdout().trim().split('\n');
  // Each line is one change, stamped; the bake's live checks show their thresholds; the last line is the outcome.
  expect(lines.length).toBeGreaterThan(1);
  expect(new Set(lines).size).toBe(lines.length);
  expect(lines.some((l) => new RegExp(`rollout ${id} of 1.1.0 \\(previous: 1.0.0\\): phase 2/2 bake; ✓ health 200`).test(l))).toBe(true);
  expect(lines.at(-1)).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d last rollout ${id} of 1.1.0: succeeded in \\d+ s`));
  expect(w.stdout()).not.toContain('\x1b[');

  // The JSON report names its AWS cost, counted from the states the execution entered.
  const report = JSON.parse(await readFile(json, 'utf8')) as { transitions: unknown[]; cost: Record<string, unknown> };
  expect(report.cost).toMatchObject({ basis: 'execution', transitions: report.transitions.length });
  expect(report.cost.totalUsd as number).toBeGreaterThan(0);
  // So does the notification (it is sent before the last states: fewer transitions).
  const n = await waitFor('the notification', async () => (await outbox(home)).find((m) => m.Message.rolloutId === id));
  expect(n.Message.cost).toMatchObject({ basis: 'execution', prices: { perTransition: 0.000025 } });

  // deploy --report-html wrote the page with the bake's charts: every sample a point.
  const doc = parseDocument(await readFile(html, 'utf8'));
  const bake = tags(doc, 'section').find((s) => getAttributeValue(s, 'data-phase') === 'bake') as Element;
  const charts = findAll((e) => e.name === 'svg', bake.children) as Element[];
  expect(charts.map((c) => getAttributeValue(c, 'data-chart'))).toEqual(['latency', 'errorRate', 'cpu', 'memory']);
  const cpu = charts[2] as Element;
  expect(findAll((e) => getAttributeValue(e, 'data-threshold') === '95', cpu.children)).toHaveLength(1);
  const record = JSON.parse(await readFile(join(home, 'envs', ENV, 'rollouts', `${id}.json`), 'utf8')) as {
    phases: { series?: unknown[] }[];
  };
  const samples = record.phases[1]?.series?.length ?? 0;
  expect(samples).toBeGreaterThanOrEqual(3);
  const cpuLine = findAll((e) => e.name === 'polyline', cpu.children)[0] as Element;
  expect((getAttributeValue(cpuLine, 'points') ?? '').trim().split(' ')).toHaveLength(samples);
});

test('history lists every rollout newest first, with the failed check of one that rolled back; report --html draws it', async () => {
  const failing = await cli(['deploy', await bundle('1.2.0', 2, { memoryPercent: 0.001 }), ...FAST], home);
  expect(failing.code).toBe(3);
  const r = await cli(['history', '--env', ENV, '--json'], home);
  expect(r.code).toBe(0);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  expect(rows.map((x) => [x.version, x.previousVersion, x.status])).toEqual([
    ['1.2.0', '1.1.0', 'rolled_back'],
    ['1.1.0', '1.0.0', 'succeeded'],
    ['1.0.0', null, 'succeeded'],
  ]);
  expect(rows[0]).toMatchObject({ failedPhase: 'bake', failedCheck: { name: 'memoryPercent', threshold: 0.001, passed: false } });
  expect(typeof rows[0]?.durationMs).toBe('number');
  expect((await cli(['history', '--env', ENV, '--json', '--limit', '1'], home)).stdout).toContain('"1.2.0"');
  expect(JSON.parse((await cli(['history', '--env', ENV, '--json', '--limit', '1'], home)).stdout)).toHaveLength(1);

  const table = await cli(['history', '--env', ENV], home);
  const [head, first] = table.stdout.split('\n');
  expect(head).toMatch(/^ROLLOUT +VERSION +PREVIOUS +STATUS +STARTED +DURATION +FAILED CHECK$/);
  expect(first).toMatch(/1\.2\.0 +1\.1\.0 +rolled_back .* bake: memoryPercent [\d.]+% > 0\.001%$/);

  const get = await cli(['get', '--env', ENV], home);
  expect(get.stdout).toMatch(/^views: 1\.1\.0 at http:\/\/127\.0\.0\.1:\d+ \(healthy\)\n {2}last rollout \S+ of 1\.2\.0: rolled_back/);

  const file = join(home, 'latest.html');
  const rep = await cli(['report', '--env', ENV, '--html', file], home);
  expect(rep.code).toBe(0);
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text);
  // Self-contained: no script, style sheet, font or image from anywhere.
  expect(tags(doc, 'script')).toHaveLength(0);
  expect(tags(doc, 'link')).toHaveLength(0);
  expect(findAll((e) => !!(getAttributeValue(e, 'src') ?? getAttributeValue(e, 'href')), doc.children)).toHaveLength(0);
  expect(text).not.toMatch(/@import|url\(/);
  expect(textContent(tags(doc, 'h1')[0] as Element)).toContain('rolled_back');
  const failed = tags(doc, 'tr').filter((t) => (getAttributeValue(t, 'class') ?? '').includes('check failed'));
  expect(failed.map((t) => textContent(t))).toEqual([expect.stringMatching(/^memoryPercent[\d.]+%0\.001%✗ failed$/)]);
  // Charts for the phase that failed its gate; the one judged on a single sample shows its checks alone.
  const sections = tags(doc, 'section').map((s) => getAttributeValue(s, 'data-phase'));
  expect(sections).toEqual(['start', 'bake']);
  const bake = tags(doc, 'section')[1] as Element;
  const bakeCharts = findAll((e) => e.name === 'svg', bake.children) as Element[];
  expect(bakeCharts.map((s) => getAttributeValue(s, 'data-chart'))).toEqual(['latency', 'errorRate', 'cpu', 'memory']);
  expect(tags(doc, 'svg')).toHaveLength(4);
  expect(textContent(findAll((e) => getAttributeValue(e, 'class') === 'cost', doc.children)[0] as Element)).toMatch(
    /AWS cost: ≈ \$[\d.]+ on AWS \(\d+ state transitions/,
  );
});

test('get --watch on a terminal redraws in place until the rollout ends', async () => {
  deploying = startCli(['deploy', await bundle('1.3.0', 3), ...FAST], home);
  const d = deploying;
  await waitFor('the bake phase', async () => /bake/.test(d.stdout()));
  // script(1) gives the command a pseudo-terminal, as a person's shell would.
  const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'ml-rollout.js');
  watching = startCli([], home, { shell: `script -qefc "${process.execPath} ${bin} get --env ${ENV} --watch" /dev/null` });
  const w = watching;
  const [watched] = await Promise.all([w.done, d.done]);
  expect(watched.code).toBe(0);
  const screen = w.stdout();
  // Each redraw moves up over the lines drawn before and clears them: no stamped change lines.
  expect(screen).toMatch(/\x1b\[\d+F\x1b\[J/);
  expect(screen).not.toMatch(/^\d\d:\d\d:\d\d /m);
  expect(screen).toMatch(/phase 2\/2 bake\r?\n {4}✓ health 200/);
  expect(screen.trimEnd()).toMatch(/last rollout \S+ of 1\.3\.0: succeeded in \d+ s .*$/);
});

test('bad input: one line, exit 2, nothing written', async () => {
  const none = await cli(['history', '--env', 'nowhere'], home);
  expect([none.code, none.stderr]).toEqual([2, 'ml-rollout: no environment nowhere here (nothing was ever deployed to it)\n']);
  const limit = await cli(['history', '--env', ENV, '--limit', '0'], home);
  expect([limit.code, limit.stderr]).toEqual([2, "ml-rollout: --limit takes a whole number ≥ 1, not '0'\n"]);
  const file = join(home, 'none.html');
  const rep = await cli(['report', '--env', ENV, '--rollout', 'r-nope', '--html', file], home);
  expect([rep.code, rep.stderr]).toEqual([2, `ml-rollout: no rollout r-nope in ${ENV}\n`]);
  await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  const get = await cli(['get', '--env', 'nowhere', '--json'], home);
  expect(get.code).toBe(2);
});
