import { cpuPercentBetween, parseStat, readProcessGroup } from '../../../../lib/targets/local/proc-stats.js';

describe('/proc readings', () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const line = '4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 1000000 2560 18446744073709551615';
    expect(parseStat(line)).toEqual({ state: 'S', pgid: 4242, utime: 250, stime: 50, rssPages: 2560 });
  });

  it('CPU % of one core between two readings', () => {
    expect(cpuPercentBetween({ at: 0, cpuTicks: 0 }, { at: 2000, cpuTicks: 100 })).toBe(50);
    expect(cpuPercentBetween({ at: 0, cpuTicks: 0 }, { at: 0, cpuTicks: 5 })).toBeNull();
  });

  it('reads a live process group (this one) and nothing for a group that does not exist', async () => {
    const pgid = Number((await import('node:fs')).readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[2]);
    const r = await readProcessGroup(pgid);
    expect(r?.processes).toBeGreaterThan(0);
    expect(r?.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(await readProcessGroup(2 ** 22 + 12345)).toBeNull();
  });
});
