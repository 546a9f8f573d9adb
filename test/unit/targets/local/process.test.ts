import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { isRunning } from '../../../../lib/targets/local/process.js';

describe('isRunning', () => {
  it('a detached group whose leader runs, then has exited', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { detached: true, stdio: 'ignore' });
    const pid = child.pid as number;
    try {
      expect(await isRunning(pid)).toBe(true);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-pid, 'SIGKILL');
      await exited;
    }
    expect(await isRunning(pid)).toBe(false);
  });

  it('a group that does not exist', async () => {
    expect(await isRunning(2 ** 22 + 12345)).toBe(false);
  });

  it('a group whose leader has gone while another of its processes runs', async () => {
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const pid = child.pid as number;
    try {
      const leaderGone = new Promise((resolve) => child.once('exit', resolve));
      // Wait for sleep to be in the group, then stop only the shell that leads it.
      while (!readdirSync('/proc').some((p) => /^\d+$/.test(p) && pgidOf(p) === pid && p !== String(pid)))
        await new Promise((r) => setTimeout(r, 20));
      process.kill(pid, 'SIGKILL');
      await leaderGone;
      expect(await isRunning(pid)).toBe(true);
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
  });
});

function pgidOf(pid: string): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[2]);
  } catch {
    return null;
  }
}
