import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LOG_CAP, logCapFromEnv } from '../../../lib/targets/local/log-writer.js';
import { isRunning, startProcess, stopProcess } from '../../../lib/targets/local/process.js';

/**
 * Issue 14, case 10: a service that logs without end (800 MB in 12 s) filled the disk. Its log
 * is capped per file and rotated, keeping a few files: the newest lines are always there.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logcap-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('the cap comes from the environment when set, else 10 MiB and 3 files', () => {
  expect(logCapFromEnv({})).toEqual(DEFAULT_LOG_CAP);
  expect(DEFAULT_LOG_CAP).toEqual({ maxBytes: 10 * 1024 * 1024, keep: 3 });
  expect(logCapFromEnv({ ML_ROLLOUT_LOG_MAX_MB: '2', ML_ROLLOUT_LOG_KEEP: '1' })).toEqual({ maxBytes: 2 * 1024 * 1024, keep: 1 });
  expect(logCapFromEnv({ ML_ROLLOUT_LOG_MAX_MB: 'lots' })).toEqual(DEFAULT_LOG_CAP);
});

it('a service writing 20 MiB leaves at most (1 + keep) × maxBytes on disk, its last line in the log', async () => {
  const logFile = join(dir, 'logs', 'v.log');
  const script =
    "const b = 'x'.repeat(1023) + '\\n'; for (let i = 0; i < 20480; i++) process.stdout.write(b); console.log('the last line')";
  const pid = await startProcess({
    command: `node -e "${script}"`,
    cwd: dir,
    port: 1,
    env: {},
    logFile,
    logCap: { maxBytes: 1024 * 1024, keep: 2 },
  });
  const until = Date.now() + 30_000;
  while ((await isRunning(pid)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  await stopProcess(pid, 1_000);
  // The writer ends once the service has: its last write lands just after.
  let text = '';
  while (!text.endsWith('the last line\n') && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    text = await readFile(logFile, 'utf8');
  }
  expect(text.endsWith('the last line\n')).toBe(true);
  const files = (await readdir(join(dir, 'logs'))).sort();
  expect(files).toEqual(['v.log', 'v.log.1', 'v.log.2']);
  for (const f of files) expect((await stat(join(dir, 'logs', f))).size).toBeLessThanOrEqual(1024 * 1024);
}, 60_000);
