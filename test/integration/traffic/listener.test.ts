import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenerOwnedBy } from '../../../lib/targets/local/listener.js';
import { freePort, stopProcess } from '../../../lib/targets/local/process.js';

/** Ports are bound by the process started, not reserved: the probe checks who answers on one. */
describe('listenerOwnedBy', () => {
  let stranger: Server | null = null;
  let pid = 0;
  afterEach(async () => {
    stranger?.close();
    stranger = null;
    if (pid) await stopProcess(pid, 1_000);
    pid = 0;
  });

  it('yes for the process group that listens, no for a port another process took, no for a port nobody listens on', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`], {
      detached: true,
      stdio: 'ignore',
    });
    pid = child.pid ?? 0;
    child.unref();
    for (let i = 0; i < 100 && (await listenerOwnedBy(port, pid)) !== 'yes'; i++) await sleep(20);
    expect(await listenerOwnedBy(port, pid)).toBe('yes');

    const taken = await freePort();
    stranger = createServer();
    await new Promise<void>((resolve) => stranger?.listen(taken, '127.0.0.1', resolve));
    expect(await listenerOwnedBy(taken, pid)).toBe('no');
    expect(await listenerOwnedBy(await freePort(), pid)).toBe('no');
  });
});
