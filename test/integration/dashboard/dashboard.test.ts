import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { cli } from '../../support/cli.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { killIfAlive, startCli, waitFor, type RunningCli } from '../../support/processes.js';

/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core): it
 * shows the environments, a live rollout's progress and its charts, and its abort button runs
 * `ml-rollout abort` for the environment. On failure a screenshot is left in the test's temp dir.
 */
const ENV = 'dash';
const FAST = ['--poll-seconds', '1', '--sample-seconds', '1'];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
let home: string;
let work: string;
let dashboard: RunningCli | null = null;
let deploying: RunningCli | null = null;
let context: BrowserContext | null = null;
let page: Page | null = null;
/** A failed test keeps the temp dir, with its screenshot. */
let failed = false;

const phases = (bakeSeconds: number): TestPhase[] => [
  { name: 'start', settings: { ML_AVAILABLE: 'false' }, smoke: false, deadlineSeconds: 20 },
  { name: 'bake', deadlineSeconds: 20, bakeSeconds, gate: { errorRatePercent: 1, memoryPercent: 90 } },
];
const bundle = (version: string, bakeSeconds: number) => makeBundle(work, { version, environment: ENV, phases: phases(bakeSeconds) });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-dashboard-'));
  work = join(home, 'work');
  expect((await cli(['deploy', await bundle('1.0.0', 0), ...FAST], home)).code).toBe(0);
  dashboard = startCli(['dashboard', '--port', '0'], home);
  const d = dashboard;
  const url = await waitFor('the dashboard', async () => /dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(d.stdout())?.[1]);
  context = await chromium.launchPersistentContext(join(home, 'browser-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 1000 },
  });
  page = await context.newPage();
  await page.goto(url);
}, 120_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  killIfAlive(deploying?.child.pid);
  if (dashboard?.child.pid) {
    process.kill(-dashboard.child.pid, 'SIGTERM');
    await dashboard.done;
  }
  await cli(['destroy', '--env', ENV], home);
  // Kept when a test failed, for its screenshot.
  if (!failed) await rm(home, { recursive: true, force: true });
}, 60_000);

async function shot<T>(what: () => Promise<T>): Promise<T> {
  try {
    return await what();
  } catch (err) {
    const file = join(home, `failure-${Date.now()}.png`);
    await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    failed = true;
    throw new Error(`${(err as Error).message}\n(screenshot: ${file})`);
  }
}

test('shows every environment with what serves and its last outcome', () =>
  shot(async () => {
    const p = page as Page;
    const row = p.locator(`#envs tr[data-env="${ENV}"]`);
    await row.waitFor();
    await expect(row.locator('td').allTextContents()).resolves.toEqual([
      ENV,
      '1.0.0',
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      'healthy',
      expect.stringMatching(/^succeeded 1\.0\.0/),
    ]);
    await p.locator('#history tbody tr').first().waitFor();
    expect(await p.locator('#history tbody tr td:nth-child(4)').allTextContents()).toEqual(['succeeded']);
  }));

test(
  "shows a live rollout's progress and charts; its abort button runs the abort for that environment",
  () =>
    shot(async () => {
      const p = page as Page;
      deploying = startCli(['deploy', await bundle('1.1.0', 30), ...FAST], home);
      await p.locator('#progress', { hasText: /phase 2\/2 bake/ }).waitFor({ timeout: 40_000 });
      expect(await p.locator('#progress').textContent()).toMatch(/^rollout \S+ of 1\.1\.0: phase 2\/2 bake$/);
      await p.locator('#checks li', { hasText: 'health' }).first().waitFor();
      // The charts of the bake, redrawn as samples come: each sample a point, the threshold drawn.
      await p.locator('#charts [data-phase="bake"] svg[data-chart="memory"] polyline').waitFor({ timeout: 20_000 });
      expect(await p.locator('#charts [data-phase="bake"] svg').evaluateAll((s) => s.map((e) => e.getAttribute('data-chart')))).toEqual([
        'latency',
        'errorRate',
        'cpu',
        'memory',
      ]);
      expect(await p.locator('#charts [data-phase="bake"] svg[data-chart="memory"] [data-threshold="90"]').count()).toBe(1);
      // DASHBOARD_SCREENSHOT=docs/dashboard.png keeps the picture the docs show.
      await p.screenshot({ path: process.env.DASHBOARD_SCREENSHOT ?? join(home, 'dashboard.png'), fullPage: true });

      expect(await p.locator('#abort').isEnabled()).toBe(true);
      await p.fill('#reason', 'latency looks wrong');
      const posted = p.waitForResponse((r) => r.url().endsWith(`/api/environments/${ENV}/abort`) && r.request().method() === 'POST');
      await p.click('#abort');
      const res = await posted;
      const body = (await res.json()) as { command: string[]; code: number; stdout: string; stderr: string };
      expect(body.command.slice(1)).toEqual(['abort', '--env', ENV, '--reason', 'latency looks wrong']);
      const d = deploying;
      if (/^ {2}abort /m.test((await cli(['--help'], home)).stdout)) {
        // The abort command exists: the rollout rolls back now and its deploy exits 3.
        expect(body.code).toBe(0);
        expect((await d.done).code).toBe(3);
        await p.locator(`#envs tr[data-env="${ENV}"] td`, { hasText: /^rolled_back 1\.1\.0/ }).waitFor({ timeout: 30_000 });
        const history = JSON.parse((await cli(['history', '--env', ENV, '--json'], home)).stdout) as { status: string }[];
        expect(history[0]?.status).toBe('rolled_back');
      } else {
        // Without the abort command the page says what ran and how it ended, and the rollout goes on.
        expect(body.code).toBe(2);
        await p.locator('#result', { hasText: `✗ ml-rollout abort --env ${ENV} --reason latency looks wrong` }).waitFor();
        expect(await waitFor('the deploy', async () => (await d.done).code === 0)).toBe(true);
      }
    }),
  120_000,
);
