import { basename } from 'node:path';
import pc from 'picocolors';

/** Where a command writes: one line at a time, already painted for the stream it goes to. */
export interface Terminal {
  out(line: string): void;
  err(line: string): void;
  /** Paints lines for stderr (deploy --json sends its progress there). */
  errPainted(line: string): void;
  /** How the user runs the CLI, for the hints it prints ("npx ml-rollout" or "ml-rollout"). */
  bin: string;
}

type Stream = Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;

/**
 * Colour only on a terminal: NO_COLOR (any non-empty value) turns it off, FORCE_COLOR (not 0)
 * on; piped output stays plain, so that scripts and logs read the same text as the tests.
 */
export function colourOn(stream: Pick<Stream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** Colours the progress marks (✓ ✗ ↩ ↻) and the summary's verdict line; the text stays as is. */
export function painter(enabled: boolean): (line: string) => string {
  if (!enabled) return (line) => line;
  const c = pc.createColors(true);
  const verdict: [RegExp, (s: string) => string][] = [
    [/^(Succeeded:|Unchanged:)/, (s) => c.bold(c.green(s))],
    [/^Rolled back:/, (s) => c.bold(c.yellow(s))],
    [/^(FAILED:|Rejected:)/, (s) => c.bold(c.red(s))],
    [/^Summary:/, c.bold],
  ];
  return (line) => {
    let painted = line
      .replace(/✓/g, c.green('✓'))
      .replace(/✗/g, c.red('✗'))
      .replace(/[↩↻]/g, (m) => c.yellow(m));
    for (const [re, paint] of verdict) painted = painted.replace(re, (m) => paint(m));
    return painted;
  };
}

/** Carries the name the user typed to the detached engine process, whose own argv is the runner's. */
export const CLI_BIN_ENV = 'ML_ROLLOUT_CLI_BIN';

/**
 * The name to print in hints: `ml-rollout` when it runs as the linked bin on PATH (`npm link`),
 * else `npx ml-rollout` (through npx, an npm script, or `node bin/ml-rollout.js`).
 */
export function invokedAs(argv1: string | undefined = process.argv[1], env: NodeJS.ProcessEnv = process.env): string {
  const linked = argv1 !== undefined && basename(argv1) === 'ml-rollout' && !env.npm_command;
  return linked ? 'ml-rollout' : 'npx ml-rollout';
}

export function terminal(stdout: Stream = process.stdout, stderr: Stream = process.stderr, env: NodeJS.ProcessEnv = process.env): Terminal {
  const paintOut = painter(colourOn(stdout, env));
  const paintErr = painter(colourOn(stderr, env));
  return {
    out: (line) => void stdout.write(`${paintOut(line)}\n`),
    err: (line) => void stderr.write(`${line}\n`),
    errPainted: (line) => void stderr.write(`${paintErr(line)}\n`),
    bin: invokedAs(process.argv[1], env),
  };
}
