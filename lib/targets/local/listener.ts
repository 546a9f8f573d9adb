import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Who listens on a port of 127.0.0.1: the inodes of the listening sockets on `port` (from
 * /proc/net/tcp and tcp6), then whether a process of the group `pgid` leads holds one of them.
 * A health check that a stranger answers (a port taken between the probe and the bind) must not
 * pass for the process that was started. Linux only; elsewhere the answer is `unknown`.
 */
export async function listenerOwnedBy(port: number, pgid: number): Promise<'yes' | 'no' | 'unknown'> {
  const inodes = new Set<string>();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => null);
    if (text === null) continue;
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; st 0A is LISTEN; inode is the 10th column.
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue;
      if (Number.parseInt(local.split(':')[1] ?? '', 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  if (!readable) return 'unknown';
  if (inodes.size === 0) return 'no';
  const pids = await groupPids(pgid);
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1] && inodes.has(m[1])) return 'yes';
    }
  }
  return 'no';
}

async function groupPids(pgid: number): Promise<number[]> {
  const out: number[] = [];
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    // pgid is the 5th field, after the parenthesised command (which may hold spaces).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid) out.push(Number(e));
  }
  return out;
}
