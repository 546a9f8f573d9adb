import { readFile, readdir } from 'node:fs/promises';
import { systemClock, type Clock } from '../../clock.js';

/** CPU time and resident memory of a process group, read from /proc. */
export interface ProcReading {
  /** epoch ms when read */
  at: number;
  /** utime + stime of every process in the group, clock ticks */
  cpuTicks: number;
  /** resident set size of the group, bytes */
  rssBytes: number;
  /** number of live processes found in the group */
  processes: number;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. It is 100 on every Linux ABI we run on. */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

interface StatFields {
  pgid: number;
  utime: number;
  stime: number;
  rssPages: number;
  state: string;
}

/** Fields of /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): StatFields | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  // After the name: state(0) ppid(1) pgrp(2) ... utime(11) stime(12) ... rss(21)
  const num = (i: number) => Number(f[i]);
  if (f.length < 22) return null;
  return { state: f[0] ?? '?', pgid: num(2), utime: num(11), stime: num(12), rssPages: num(21) };
}

/**
 * Reads every process whose process group is `pgid` (the local environment runs detached in its
 * own group), stamped with `clock`'s time.
 */
export async function readProcessGroup(pgid: number, clock: Clock = systemClock): Promise<ProcReading | null> {
  const now = clock.now();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  let cpuTicks = 0;
  let rssPages = 0;
  let processes = 0;
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
        const s = text ? parseStat(text) : null;
        if (!s || s.pgid !== pgid || s.state === 'Z') return;
        cpuTicks += s.utime + s.stime;
        rssPages += s.rssPages;
        processes += 1;
      }),
  );
  if (processes === 0) return null;
  return { at: now, cpuTicks, rssBytes: rssPages * PAGE_SIZE, processes };
}

/** CPU use between two readings, % of one core. */
export function cpuPercentBetween(
  earlier: Pick<ProcReading, 'at' | 'cpuTicks'>,
  later: Pick<ProcReading, 'at' | 'cpuTicks'>,
): number | null {
  const wallMs = later.at - earlier.at;
  if (wallMs <= 0) return null;
  const cpuMs = ((later.cpuTicks - earlier.cpuTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
  return Math.round((cpuMs / wallMs) * 1000) / 10;
}
