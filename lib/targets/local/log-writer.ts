import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/** Where a service's log may grow to: per file, and how many rotated files are kept beside it. */
export interface LogCap {
  /** Bytes one log file may reach before it is rotated (default 10 MiB; ML_ROLLOUT_LOG_MAX_MB). */
  maxBytes: number;
  /** Rotated files kept: <log>.1 … <log>.N, oldest dropped (default 3; ML_ROLLOUT_LOG_KEEP). */
  keep: number;
}

export const DEFAULT_LOG_CAP: LogCap = { maxBytes: 10 * 1024 * 1024, keep: 3 };

/** The cap in force: the defaults, or what the environment sets (whole positive numbers only). */
export function logCapFromEnv(env: NodeJS.ProcessEnv = process.env): LogCap {
  const num = (v: string | undefined) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : null);
  const mb = num(env.ML_ROLLOUT_LOG_MAX_MB);
  const keep = num(env.ML_ROLLOUT_LOG_KEEP);
  return { maxBytes: mb ? mb * 1024 * 1024 : DEFAULT_LOG_CAP.maxBytes, keep: keep ?? DEFAULT_LOG_CAP.keep };
}

/*
 * The writer, run as `node -e` (so that it runs the same from dist/ and from the sources under
 * test): stdin to the log file, rotated once the file would pass maxBytes. It ends when every
 * process holding the pipe's other end has (the service and anything it started), so it needs
 * no stopping of its own. Synchronous writes: it has one job and no other input to wait on.
 */
const WRITER = `
const fs = require('node:fs');
const [file, maxBytes, keep] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
let fd = fs.openSync(file, 'a');
let size = fs.fstatSync(fd).size;
function rotate() {
  fs.closeSync(fd);
  for (let i = keep - 1; i >= 1; i--) { try { fs.renameSync(file + '.' + i, file + '.' + (i + 1)); } catch {} }
  try { fs.renameSync(file, file + '.1'); } catch {}
  fd = fs.openSync(file, 'a');
  size = 0;
}
process.stdin.on('data', (chunk) => {
  let at = 0;
  while (at < chunk.length) {
    if (size >= maxBytes) rotate();
    const n = Math.min(chunk.length - at, maxBytes - size);
    fs.writeSync(fd, chunk, at, n);
    size += n;
    at += n;
  }
});
process.stdin.on('end', () => fs.closeSync(fd));
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
`;

/**
 * Starts the log writer of one service start, detached in its own process group (so that its
 * CPU and memory are not counted as the service's). Returns the pipe to hand to the service as
 * its stdout and stderr; the caller closes its own end once the service has it.
 */
export async function startLogWriter(logFile: string, cap: LogCap): Promise<{ pipe: Writable; pid: number }> {
  const writer = spawn(process.execPath, ['-e', WRITER, logFile, String(cap.maxBytes), String(cap.keep)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: {},
  });
  const pid = await new Promise<number>((resolve, reject) => {
    writer.once('error', reject);
    writer.once('spawn', () => resolve(writer.pid ?? -1));
  });
  writer.unref();
  return { pipe: writer.stdin, pid };
}
